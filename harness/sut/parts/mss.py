"""The driver part of MSSanté: sending, fetching, integrating, acknowledging (service ``MSS``).

Each method is one trigger API operation (``openapi/trigger-api.yaml``); it returns the
operation's JSON answer, validated against the contract by the HTTP driver.
"""

from __future__ import annotations

import abc
from typing import Any

__all__ = ["MssDriver"]


class MssDriver(abc.ABC):
    """The driver part of service ``MSS`` (trigger mode: :mod:`harness.sut.http_trigger`; attended mode:
    :mod:`harness.sut.attended`)."""

    @abc.abstractmethod
    def mss_send(
        self,
        person_id: str,
        recipient_kind: str,
        *,
        address: str | None = None,
        acknowledgement: bool = False,
        visible_to_patient: bool = True,
        dsn: bool = False,
        replaces: str | None = None,
    ) -> dict[str, Any]:
        """Send a document about this person by MSSanté to a ``professional``, an ``organisation``
        or the ``patient`` (Mon espace santé); ``dsn``: ask a delivery status notification;
        ``replaces``: the id of a document sent before, of which this one is the new version
        ("annule et remplace"); returns the DUI's MssSendOutcome."""

    @abc.abstractmethod
    def mss_fetch(self) -> dict[str, Any]:
        """Fetch the DUI's mailbox and integrate what arrived; returns its MssFetchOutcome."""

    @abc.abstractmethod
    def mss_documents(self, person_id: str) -> list[dict[str, Any]]:
        """The documents received by MSSanté that the DUI integrated for this person."""

    @abc.abstractmethod
    def mss_acknowledgements(self) -> list[dict[str, Any]]:
        """The acknowledgements (MDN) the DUI sent."""

    @abc.abstractmethod
    def mss_reply(self, message_id: str, text: str = "Bien reçu, merci.") -> dict[str, Any]:
        """Answer the fetched message ``message_id``; returns the DUI's MssSendOutcome."""

    @abc.abstractmethod
    def mss_mark_read(self, message_id: str) -> dict[str, Any]:
        """The user opens the fetched message ``message_id`` in the DUI (its read receipt when it asked for one)."""

    @abc.abstractmethod
    def mss_record_refusal(self, person_id: str, *, patient: bool, professionals: bool) -> dict[str, Any]:
        """Record the person's refusal of sending by MSSanté (to them, to professionals)."""

    @abc.abstractmethod
    def mss_import_annuaire(self) -> dict[str, Any]:
        """Make the DUI integrate the Annuaire Santé's public extraction of MSSanté addresses now."""

    @abc.abstractmethod
    def mss_search_address(self, *, name: str = "", rpps: str = "") -> list[dict[str, Any]]:
        """The MSSanté addresses the DUI finds in its Annuaire Santé for a correspondent, best first."""

    @abc.abstractmethod
    def mss_worklist(self) -> list[dict[str, Any]]:
        """The received documents the DUI could not attach to a person, kept for manual attachment."""

    @abc.abstractmethod
    def mss_set_correspondents(self, person_id: str, correspondents: list[dict[str, str]]) -> list[dict[str, Any]]:
        """Record the correspondents (``{name, address}``) of the person's record; the list the DUI keeps."""

    @abc.abstractmethod
    def mss_correspondents(self, person_id: str) -> list[dict[str, Any]]:
        """The correspondents the DUI keeps in the person's record."""

    @abc.abstractmethod
    def mss_document_trace(self) -> list[dict[str, Any]]:
        """The DUI's trace of the received documents replaced or deleted by MSSanté, oldest first."""

    @abc.abstractmethod
    def mss_autoconfigure(self, address: str, autoconfig_url: str) -> dict[str, Any]:
        """Autoconfigure the mailbox ``address`` from the operator's document at ``autoconfig_url``, then test it."""

    def mss_documents_with_status(self, person_id: str) -> list[dict[str, Any]]:
        """:meth:`mss_documents` with each document's ``status`` (``current``, ``replaced``, ``deleted``…): the
        trigger API gives it in ``listMssDocuments``; the attended mode asks the operator for it."""
        return self.mss_documents(person_id)
