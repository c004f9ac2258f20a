"""The driver part of INS: INSi search, identity status and documents (service ``INS``).

Each method is one trigger API operation (``openapi/trigger-api.yaml``); it returns the
operation's JSON answer, validated against the contract by the HTTP driver.
"""

from __future__ import annotations

import abc
from typing import Any

from harness.core.ins import Traits
from harness.sut.model import IdentityDocument

__all__ = ["InsDriver", "InsLifecycleDriver"]


class InsDriver(abc.ABC):
    """The driver part of service ``INS`` (trigger mode: :mod:`harness.sut.http_trigger`; attended mode:
    :mod:`harness.sut.attended`)."""

    @abc.abstractmethod
    def create_person(self, traits: Traits, document: IdentityDocument | None = None) -> dict[str, Any]:
        """Create a person with the traits an operator would type; returns its Identity."""

    @abc.abstractmethod
    def lookup_ins(self, person_id: str) -> dict[str, Any]:
        """Make the DUI search the INS with INSi; returns its LookupOutcome."""

    @abc.abstractmethod
    def check_identity_document(self, person_id: str, document: IdentityDocument) -> dict[str, Any]: ...

    @abc.abstractmethod
    def identity(self, person_id: str) -> dict[str, Any]:
        """The identity as the DUI stores it."""

    @abc.abstractmethod
    def exchange_identity(self, person_id: str) -> dict[str, Any]:
        """The identity as the DUI would write it in an outgoing exchange."""


class InsLifecycleDriver(abc.ABC):
    """The identity lifecycle operations of service ``INS`` (rules 25 to 55 of the INS implementation guide);
    attended mode: :mod:`harness.sut.attended_ins`."""

    @abc.abstractmethod
    def update_traits(
        self, person_id: str, changes: dict[str, Any], *, identity_manager: bool = False
    ) -> dict[str, Any]:
        """Edit traits; ``{"refused": True, "error": ...}`` when the DUI refuses (409), else the Identity."""

    @abc.abstractmethod
    def set_identity_attributes(
        self, person_id: str, *, doubtful: bool | None = None, fictitious: bool | None = None
    ) -> dict[str, Any]:
        """Mark the identity doubtful and/or fictitious; returns the Identity."""

    @abc.abstractmethod
    def verify_ins(self, person_id: str) -> dict[str, Any]:
        """Make the DUI verify the stored INS with INSi; returns its VerificationOutcome."""

    @abc.abstractmethod
    def receive_identity(
        self, domain: str, traits: Traits, ins: dict[str, str] | None, status: str, data: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """Hand the DUI an identity from another domain; returns its ReceptionOutcome."""

    @abc.abstractmethod
    def search_identities(self, birth_date: str, name: str | None = None) -> list[dict[str, Any]]:
        """The DUI's anteriority search (rule 17): the identities it lists."""

    @abc.abstractmethod
    def lookup_ins_cpx(self, person_id: str, professional: str) -> dict[str, Any]:
        """Make the DUI search the INS in the individual CPx mode, as ``professional``; returns its LookupOutcome."""

    @abc.abstractmethod
    def lookup_ins_vitale(self, person_id: str, card: dict[str, str]) -> dict[str, Any]:
        """Make the DUI search the INS with the person's Vitale card (``rechercherInsAvecCarteVitale``); ``card``:
        what the card reader gives (``nir``, ``key``, ``birth_name``, ``birth_date``, ``birth_rank``)."""

    @abc.abstractmethod
    def document_nature(self, person_id: str) -> str | None:
        """The nature of the identity document the DUI records for this identity (rule 19), or None."""

    @abc.abstractmethod
    def insi_trace(self) -> dict[str, Any]:
        """The DUI's trace of its INSi verifications (``{"calls": [...]}``)."""
