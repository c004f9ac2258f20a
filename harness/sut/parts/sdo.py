"""The driver part of the CNSA orientation decisions (service ``SDO``, SI-SdO ⇄ SI-ESMS).

Each method is one trigger API operation (``openapi/trigger-api.yaml``); it returns the
operation's JSON answer, validated against the contract by the HTTP driver. Exchanging with the
SI-SdO concerns disability-sector ESMS: :meth:`SdoDriver.sdo_sync_decisions` answers None when the
DUI declares no such exchange, and the suite then leaves the SDO requirements *not judged*.
"""

from __future__ import annotations

import abc
from typing import Any

__all__ = ["SdoDriver"]


class SdoDriver(abc.ABC):
    """The driver part of service ``SDO`` (trigger mode: :mod:`harness.sut.http_sdo`; attended mode:
    :mod:`harness.sut.attended_sdo`)."""

    @abc.abstractmethod
    def sdo_sync_decisions(self) -> list[dict[str, Any]] | None:
        """Flux 1: search and read the decisions notified to the ESMS; the SdoDecision list (None: no SdO exchange)."""

    @abc.abstractmethod
    def sdo_send_consent(self, id_nat_decision: str, date: str) -> dict[str, Any]:
        """Flux 2: send the person's accord for this decision; the DUI's SdoSent."""

    @abc.abstractmethod
    def sdo_fetch_evaluation(self, id_nat_decision: str) -> dict[str, Any]:
        """Flux 3: search and integrate the evaluation of this decision; the DUI's SdoEvaluation."""

    @abc.abstractmethod
    def sdo_send_status(self, id_nat_decision: str, status: str, date: str) -> dict[str, Any]:
        """Flux 4: send the person's status (statutESMS code) for this decision; the DUI's SdoSent."""

    @abc.abstractmethod
    def sdo_sync_notifications(self) -> list[dict[str, Any]]:
        """Flux 5: search the SdO's notifications; the SdoNotification list the DUI holds."""
