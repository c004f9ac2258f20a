"""The driver part of e-prescription: retrieval and administrations (service ``EPRESC``).

Each method is one trigger API operation (``openapi/trigger-api.yaml``); it returns the
operation's JSON answer, validated against the contract by the HTTP driver.
"""

from __future__ import annotations

import abc
from typing import Any

__all__ = ["EprescDriver"]


class EprescDriver(abc.ABC):
    """The driver part of service ``EPRESC`` (trigger mode: :mod:`harness.sut.http_trigger`; attended mode:
    :mod:`harness.sut.attended`)."""

    @abc.abstractmethod
    def epresc_retrieve(self, person_id: str, prescription_id: str) -> dict[str, Any]:
        """Retrieve the e-prescription with this unique identifier (as read from its QR code) for this
        person and integrate it; returns the DUI's PrescriptionOutcome."""

    @abc.abstractmethod
    def epresc_prescriptions(self, person_id: str) -> list[dict[str, Any]]:
        """The prescriptions (and their lines) the DUI integrated for this person."""

    @abc.abstractmethod
    def epresc_administer(
        self, person_id: str, prescription_id: str, line_id: str, administered_at: str
    ) -> dict[str, Any]:
        """Record the administration of one prescription line; returns the DUI's Administration."""

    @abc.abstractmethod
    def epresc_administrations(self, person_id: str) -> list[dict[str, Any]]:
        """The administrations the DUI holds for this person (transmitted, pending or failed)."""
