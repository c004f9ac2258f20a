"""How the harness makes a DUI act: one driver interface, one implementation per mode.

* ``trigger``: the DUI implements the trigger API (``openapi/trigger-api.yaml``) in its test
  mode; the harness calls it over HTTP (:mod:`harness.sut.http_trigger`).
* ``attended``: an operator performs each action in the DUI's own screens; the harness
  prints the instruction (French and English) and waits, with a timeout, for the expected
  exchange to reach the simulator (:mod:`harness.sut.attended`).
* ``artifact``: the editor hands over files (documents, messages); it serves the document
  checks of the DMP / MSSanté suites and has no INS scenario.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass, field
from typing import Any

from harness.core.ins import Traits

__all__ = ["IdentityDocument", "SutDriver", "traits_payload"]


@dataclass(frozen=True)
class IdentityDocument:
    """A high-trust identity document an operator checked (RNIV: CNI, passport…)."""

    type: str = "CNI"
    verified: bool = True

    def as_dict(self) -> dict[str, Any]:
        return {"type": self.type, "verified": self.verified}


def traits_payload(traits: Traits) -> dict[str, Any]:
    """The trigger API's ``Traits`` object for these traits."""
    return {
        "birth_name": traits.birth_name,
        "first_names": list(traits.first_names),
        "sex": traits.sex,
        "birth_date": traits.birth_date,
        "birth_place": traits.birth_place,
    }


@dataclass
class SutInfo:
    name: str = "unknown DUI"
    version: str = "unknown"
    editor: str = ""
    build_id: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


class SutDriver(abc.ABC):
    """What a conformance test may ask of the DUI under test.

    Every method returns the trigger API's JSON objects (see the OpenAPI contract), or
    raises :class:`harness.errors.SutUnreachable` when the DUI does not answer.
    """

    mode: str = "abstract"

    @abc.abstractmethod
    def info(self) -> SutInfo: ...

    @abc.abstractmethod
    def reset(self) -> None: ...

    @abc.abstractmethod
    def configure_endpoints(self, endpoints: dict[str, Any]) -> bool:
        """Push the simulator URLs; False when the DUI was configured beforehand."""

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

    @abc.abstractmethod
    def psc_login(self, professional: str) -> dict[str, Any]:
        """Log in with Pro Santé Connect as this test professional (idNat): the DUI runs the whole
        authorization code flow; returns its PscLoginOutcome (logged in or not, as whom)."""

    @abc.abstractmethod
    def psc_session(self) -> dict[str, Any]:
        """The DUI's current Pro Santé Connect session (PscSession: who is logged in, if anyone)."""

    @abc.abstractmethod
    def psc_logout(self) -> None:
        """End the DUI's Pro Santé Connect session."""

    @abc.abstractmethod
    def mss_send(self, person_id: str, recipient_kind: str, *, address: str | None = None,
                 acknowledgement: bool = False, visible_to_patient: bool = True) -> dict[str, Any]:
        """Send a document about this person by MSSanté to a ``professional``, an ``organisation``
        or the ``patient`` (Mon espace santé); returns the DUI's MssSendOutcome."""

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
    def eparcours_export(self, person_id: str, record: dict[str, Any]) -> dict[str, Any]:
        """Export this person's record (DuiRecord: stay, evaluation, project) to e-parcours by TDDUI
        flux 1; returns the DUI's ExportOutcome (accepted, refused, error)."""

    @abc.abstractmethod
    def eparcours_exports(self, person_id: str) -> list[dict[str, Any]]:
        """The exports the DUI holds for this person, with what the consumer answered."""

    @abc.abstractmethod
    def epresc_retrieve(self, person_id: str, prescription_id: str) -> dict[str, Any]:
        """Retrieve the e-prescription with this unique identifier (as read from its QR code) for this
        person and integrate it; returns the DUI's PrescriptionOutcome."""

    @abc.abstractmethod
    def epresc_prescriptions(self, person_id: str) -> list[dict[str, Any]]:
        """The prescriptions (and their lines) the DUI integrated for this person."""

    @abc.abstractmethod
    def epresc_administer(self, person_id: str, prescription_id: str, line_id: str,
                          administered_at: str) -> dict[str, Any]:
        """Record the administration of one prescription line; returns the DUI's Administration."""

    @abc.abstractmethod
    def epresc_administrations(self, person_id: str) -> list[dict[str, Any]]:
        """The administrations the DUI holds for this person (transmitted, pending or failed)."""

    @abc.abstractmethod
    def dmp_publish(self, person_id: str, kind: str, *, title: str | None = None,
                    confidentiality: str = "N") -> dict[str, Any]:
        """Make the DUI produce a ``kind`` document (DLU, PPA, N1) for this person and feed it to the DMP
        (TD0.2 check, ITI-41); returns its DmpPublication (published, pending, refused, blocked)."""

    @abc.abstractmethod
    def dmp_replace(self, person_id: str, document_id: str) -> dict[str, Any]:
        """Publish a new version of a published document (RPLC); returns the new DmpPublication."""

    @abc.abstractmethod
    def dmp_visibility(self, person_id: str, document_id: str, *, masked_from_professionals: bool,
                       invisible_to_patient: bool) -> dict[str, Any]:
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

    def indicators(self) -> dict[str, Any] | None:
        """Optional: the DUI's usage indicators (``GET /indicators``); None when it does not expose them."""
        return None

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release resources (HTTP sessions)."""
