"""The driver part of the automatic feeding of historical documents (service ``DMP``, SC.DMP/HISTO.06).

A document of an earlier episode kept in a person's record, a death recorded, and the historical
catch-up started: the harness then only watches what the DUI sends to the DMP. A DUI without an
automatic historical feeding does not offer these operations (404/501): SC.DMP/HISTO.06 is then
*not judged*.
"""

from __future__ import annotations

import abc
from typing import Any

__all__ = ["DmpHistoryDriver"]


class DmpHistoryDriver(abc.ABC):
    """The historical-feeding part of service ``DMP`` (trigger mode: :mod:`harness.sut.http_dmp_history`;
    attended mode: :mod:`harness.sut.attended_dmp_history`)."""

    @abc.abstractmethod
    def record_historical_document(self, person_id: str, kind: str, act_date: str) -> dict[str, Any]:
        """Keep a ``kind`` document of an earlier episode (dated ``act_date``) in the record, not sent."""

    @abc.abstractmethod
    def set_person_deceased(self, person_id: str, deceased: bool, *, date: str | None = None) -> dict[str, Any]:
        """Record (or withdraw) the person's death in the DUI."""

    @abc.abstractmethod
    def run_dmp_history_backfill(self) -> dict[str, Any]:
        """Start the historical catch-up over every person now (SC.DMP/HISTO.08 (iv))."""
