"""Optional features of the reference DUI, one per national service beyond INS.

A feature module (e.g. ``reference_dui.dmp.feature``) exposes ``create(service) -> Feature``.
Each one adds its trigger API routes, its part of ``PUT /config/endpoints`` and its reset.
Register a feature by adding its module path to :data:`FEATURE_MODULES`.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol

from starlette.routing import BaseRoute

if TYPE_CHECKING:
    from reference_dui.service import DuiService

__all__ = ["FEATURE_MODULES", "Feature", "load_features"]

#: module paths of the features, each with ``create(service: DuiService) -> Feature``
FEATURE_MODULES: list[str] = []
FEATURE_MODULES.append("reference_dui.psc.feature")
FEATURE_MODULES.append("reference_dui.indicators")
FEATURE_MODULES.append("reference_dui.fhir.feature")
FEATURE_MODULES.append("reference_dui.mssante.feature")
FEATURE_MODULES.append("reference_dui.dmp.feature")


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
    for path in FEATURE_MODULES:
        module = importlib.import_module(path)
        features.append(module.create(service))
    return features
