"""The driver part of the consent to consult the DMP (service ``DMP``, SC.DMP/CONF.06, SC.DMP/UX.50).

The professional records the person's choice about the consultation of her DMP (opposition or
non-opposition) and the harness reads its trace; the consultation itself is asked with
:meth:`~harness.sut.parts.dmp.DmpDriver.dmp_retrieve`, and what reaches the DMP is watched.
"""

from __future__ import annotations

import abc
from typing import Any

__all__ = ["DmpConsentDriver"]


class DmpConsentDriver(abc.ABC):
    """The consultation-consent part of service ``DMP`` (trigger mode: :mod:`harness.sut.http_dmp_consent`;
    attended mode: :mod:`harness.sut.attended_dmp_consent`)."""

    @abc.abstractmethod
    def dmp_consultation_consent(self, person_id: str, opposed: bool, *, author: str | None = None) -> dict[str, Any]:
        """Record the person's opposition (``opposed``) or non-opposition to the consultation of her DMP;
        returns the DmpConsultationChoice (``opposed``, ``recorded_at``, ``recorded_by``)."""

    @abc.abstractmethod
    def dmp_consultation_trace(self, person_id: str) -> dict[str, Any]:
        """The trace of the person's latest recorded choice (DmpConsultationChoice)."""
