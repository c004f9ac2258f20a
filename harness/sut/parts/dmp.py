"""The driver part of the DMP: publication, replacement, visibility, deletion, opposition, retrieval, retry
(service ``DMP``).

Each method is one trigger API operation (``openapi/trigger-api.yaml``); it returns the
operation's JSON answer, validated against the contract by the HTTP driver.
"""

from __future__ import annotations

import abc
from typing import Any

__all__ = ["DmpDriver"]


class DmpDriver(abc.ABC):
    """The driver part of service ``DMP`` (trigger mode: :mod:`harness.sut.http_trigger`; attended mode:
    :mod:`harness.sut.attended`)."""

    @abc.abstractmethod
    def dmp_publish(
        self, person_id: str, kind: str, *, title: str | None = None, confidentiality: str = "N"
    ) -> dict[str, Any]:
        """Make the DUI produce a ``kind`` document (DLU, PPA, N1) for this person and feed it to the DMP
        (TD0.2 check, ITI-41); returns its DmpPublication (published, pending, refused, blocked)."""

    @abc.abstractmethod
    def dmp_replace(self, person_id: str, document_id: str) -> dict[str, Any]:
        """Publish a new version of a published document (RPLC); returns the new DmpPublication."""

    @abc.abstractmethod
    def dmp_visibility(
        self, person_id: str, document_id: str, *, masked_from_professionals: bool, invisible_to_patient: bool
    ) -> dict[str, Any]:
        """Mask a published document from professionals and/or hide it from the patient (ITI-57)."""

    @abc.abstractmethod
    def dmp_retrieve(self, person_id: str, kind: str) -> dict[str, Any]:
        """Retrieve the person's ``kind`` documents (FLUDR, VSM) from the DMP and integrate them."""

    @abc.abstractmethod
    def dmp_documents(self, person_id: str) -> list[dict[str, Any]]:
        """The DMP documents the DUI holds for this person (produced and integrated)."""

    @abc.abstractmethod
    def dmp_retry(self) -> dict[str, Any]:
        """Make the DUI send again the documents it kept while the DMP was unavailable."""

    @abc.abstractmethod
    def dmp_delete(self, person_id: str, document_id: str) -> dict[str, Any]:
        """Delete a published document from the DMP (SC.DMP/CONF.03); returns the DmpDeletion."""

    @abc.abstractmethod
    def dmp_opposition(self, person_id: str, opposed: bool) -> dict[str, Any]:
        """Record (or withdraw) the person's opposition to feeding the DMP (SC.DMP/CONF.09)."""
