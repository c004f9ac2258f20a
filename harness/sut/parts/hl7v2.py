"""The driver part of the HL7 v2 identity feeds (service ``HL7V2``, IHE PAM France).

Each method is one trigger API operation (``openapi/trigger-api.yaml``); it returns the
operation's JSON answer, validated against the contract by the HTTP driver. Exchanging HL7 v2
is optional for a DUI: :meth:`Hl7v2Driver.hl7v2_endpoint` answers None when the DUI declares
none, and the suite then leaves the HL7 v2 requirements *not judged*.
"""

from __future__ import annotations

import abc
from typing import Any

__all__ = ["Hl7v2Driver"]


class Hl7v2Driver(abc.ABC):
    """The driver part of service ``HL7V2`` (trigger mode: :mod:`harness.sut.http_hl7v2`; attended mode:
    :mod:`harness.sut.attended_hl7v2`)."""

    @abc.abstractmethod
    def hl7v2_endpoint(self) -> dict[str, Any] | None:
        """The DUI's MLLP listener ``{"host", "port", "tls"}`` for identity feeds; None: no HL7 v2 exchange."""

    @abc.abstractmethod
    def hl7v2_emit(self, person_id: str, event: str) -> dict[str, Any]:
        """Have the DUI send its ADT ``event`` (A28, A31) for this person to the simulator; its Hl7v2Emission."""

    @abc.abstractmethod
    def hl7v2_identities(self) -> list[dict[str, Any]]:
        """The identities the DUI stored from the HL7 v2 feeds it received (Hl7v2Identity)."""
