"""The driver part of the DMP as a user drives it: a document validated, the DMP's web PS opened (``DMP``).

Not an order to publish: the operation changes the DUI's state as a user would, and the harness then
only watches the DMP simulator for what the DUI sends by itself (SC.DMP.01.MS1, SC.DMP/ALI/PROG.02/05/
06/07). A DUI that feeds the DMP on demand only does not offer it (404/501): the automatic requirements
are then *not judged*.
"""

from __future__ import annotations

import abc
from typing import Any

__all__ = ["DmpAutoDriver"]


class DmpAutoDriver(abc.ABC):
    """The automatic-feeding part of service ``DMP`` (trigger mode: :mod:`harness.sut.http_dmp_auto`;
    attended mode: :mod:`harness.sut.attended_dmp_auto`)."""

    @abc.abstractmethod
    def validate_document(self, person_id: str, kind: str) -> dict[str, Any]:
        """The professional validates a ``kind`` document (DLU, PPA, N1) in the person's record; returns the
        document as the DUI holds it (``document_id`` when known; usually ``pending``, being sent)."""

    @abc.abstractmethod
    def dmp_web_access(self, mode: str, person_id: str | None = None) -> dict[str, Any]:
        """What the DUI's « Consulter le DMP » action opens (TD0.9): ``{url, method, form}`` for the dashboard
        (``mode`` dashboard) or the person's DMP (``mode`` patient); attended: ``{"opened_by_operator": True}``."""
