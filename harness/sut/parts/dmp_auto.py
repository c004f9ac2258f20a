"""The driver part of the DMP's automatic feeding: the professional validates a document (service ``DMP``).

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
