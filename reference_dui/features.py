"""Optional features of the reference DUI, one per national service beyond INS.

A feature module (e.g. ``reference_dui.dmp.feature``) exposes ``create(service) -> Feature``.
Each one adds its trigger API routes, its part of ``PUT /config/endpoints`` and its reset.
A national service names its feature in its registration (``reference_dui_feature`` in
:mod:`harness.services`); :data:`FEATURE_MODULES` holds the features that are no service's.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol

from starlette.routing import BaseRoute

from harness import services

if TYPE_CHECKING:
    from reference_dui.service import DuiService

__all__ = ["FEATURE_MODULES", "Feature", "feature_modules", "load_features"]

#: module paths of the features that belong to no national service (``GET /indicators``)
FEATURE_MODULES: list[str] = ["reference_dui.indicators", "reference_dui.mssante.lps_feature"]


def feature_modules() -> list[str]:
    """Every feature module, once: the services' (in declaration order), then :data:`FEATURE_MODULES`."""
    declared = [s.reference_dui_feature for s in services.all_services() if s.reference_dui_feature]
    return list(dict.fromkeys([*declared, *FEATURE_MODULES]))


class Feature(Protocol):
    """What a feature gives the reference DUI."""

    name: str

    def routes(self) -> list[BaseRoute]:
        """Trigger API routes, relative to ``/harness/v1``."""

    def configure(self, endpoints: Mapping[str, Any]) -> None:
        """Take this feature's entries of ``PUT /config/endpoints`` (ignore the others)."""

    def reset(self) -> None:
        """Forget every test datum of this feature (``POST /reset``)."""

    def close(self) -> None:
        """Release resources when the DUI stops."""


def load_features(service: DuiService) -> list[Feature]:
    features = []
    for path in feature_modules():
        module = importlib.import_module(path)
        features.append(module.create(service))
    return features
