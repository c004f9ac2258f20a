"""One declaration per national service, read by the plugin, ``run``, ``serve``, the evidence writers,
the profile schema and the reference DUI (:mod:`harness.services.registry`; the bundled ones in
:mod:`harness.services.builtin`)."""

from __future__ import annotations

from harness.services import builtin as _builtin  # noqa: F401  (registers the bundled services)
from harness.services.registry import (
    Indicator,
    Service,
    UsageCounter,
    all_services,
    canonical_id,
    get,
    register,
    registered,
    resolve,
    simulated,
    unregister,
)

__all__ = [
    "Indicator",
    "Service",
    "UsageCounter",
    "all_services",
    "canonical_id",
    "get",
    "register",
    "registered",
    "resolve",
    "simulated",
    "unregister",
]
