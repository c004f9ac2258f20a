"""The driver part of e-parcours: TDDUI flux 1 exports (service ``EPARCOURS``).

Each method is one trigger API operation (``openapi/trigger-api.yaml``); it returns the
operation's JSON answer, validated against the contract by the HTTP driver.
"""

from __future__ import annotations

import abc
from typing import Any

__all__ = ["EparcoursDriver"]


class EparcoursDriver(abc.ABC):
    """The driver part of service ``EPARCOURS`` (trigger mode: :mod:`harness.sut.http_trigger`; attended mode:
    :mod:`harness.sut.attended`)."""

    @abc.abstractmethod
    def eparcours_export(self, person_id: str, record: dict[str, Any]) -> dict[str, Any]:
        """Export this person's record (DuiRecord: stay, evaluation, project) to e-parcours by TDDUI
        flux 1; returns the DUI's ExportOutcome (accepted, refused, error)."""

    @abc.abstractmethod
    def eparcours_exports(self, person_id: str) -> list[dict[str, Any]]:
        """The exports the DUI holds for this person, with what the consumer answered."""
