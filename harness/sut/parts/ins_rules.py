"""The driver part of the INS guide's identity rules 5 and 16 and of the PSC-backed INSi search (service ``INS``).

Each method is one trigger API operation (``openapi/trigger-api.yaml``): ``submitIdentityCreation``
(rule 5), ``getIdentityAudit`` (rule 16), ``lookupIns`` with ``{"authentication": "psc"}``
(``SC.INS/PSC.01``).
"""

from __future__ import annotations

import abc
from typing import Any

__all__ = ["InsRulesDriver"]


class InsRulesDriver(abc.ABC):
    """Identity creation form, identity audit trail and PSC-backed INSi search; attended mode:
    :mod:`harness.sut.attended_ins_rules`."""

    @abc.abstractmethod
    def submit_identity_creation(self, fields: dict[str, Any]) -> dict[str, Any]:
        """Fill the DUI's identity creation form with ``fields`` only (rule 5): ``{"created": True, "identity": ...}``
        or ``{"created": False, "missing": [...], "error": ...}`` when the DUI refuses."""

    @abc.abstractmethod
    def identity_audit(self, person_id: str) -> dict[str, Any]:
        """The DUI's trace of the accesses and changes of this identity (rule 16): ``{"entries": [...]}``."""

    @abc.abstractmethod
    def lookup_ins_psc(self, person_id: str) -> dict[str, Any]:
        """Make the DUI search the INS backed by the professional's Pro Santé Connect session; its LookupOutcome."""
