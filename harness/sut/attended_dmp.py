"""Attended mode for the DMP: the operator publishes, replaces, masks and retrieves; the harness watches.

What reaches the DMP simulator (TD0.2, ITI-41, ITI-57, ITI-18/43) is read from the recorder;
what only the DUI's screens show (the documents it holds, what it integrated) is typed back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from harness.sut.attended_dmp_life import AttendedDmpLifecycle
from harness.sut.attended_operator import step
from harness.sut.parts.dmp import DmpDriver
from harness.validators.xds import validate_submission

if TYPE_CHECKING:
    from harness.core.recorder import Exchange, Recorder
    from harness.sut.attended_operator import Operator

__all__ = ["AttendedDmp"]

CDA = {"cda": "urn:hl7-org:v3"}
KIND_FR = {
    "DLU": "le document de liaison d'urgence (DLU)",
    "PPA": "le projet personnalisé d'accompagnement (PDF)",
    "N1": "un document médico-social PDF (non structuré)",
}


def _set_id(exchange: Exchange) -> str | None:
    """The setId of the CDA the DUI submitted (what its trigger API would report), read from the ITI-41."""
    report = validate_submission(exchange.request.body, exchange.request.header("content-type"))
    for cda in report.cda.values():
        found = cda.root.xpath("cda:setId/@root", namespaces=CDA) if cda.root is not None else []
        if isinstance(found, list) and found:
            return str(found[0])
    return None


class AttendedDmp(AttendedDmpLifecycle, DmpDriver):
    """The DMP part (:class:`~harness.sut.parts.dmp.DmpDriver`) of :class:`~harness.sut.attended.AttendedDriver`."""

    recorder: Recorder
    operator: Operator
    exchange_timeout: float

    def _await(self, since: str, transaction: str) -> list[Exchange]:
        return self.operator.watch(
            self.recorder, service="DMP", transaction=transaction, since=since, timeout=self.exchange_timeout
        )

    def _publication(self, since: str, found: list[Exchange]) -> dict[str, Any]:
        kept = ""
        td02 = self.recorder.exchanges(service="DMP", transaction="TD0.2", since=since)
        dmp_status = td02[-1].summary.get("autorisation") if td02 else None
        if not found or found[-1].summary.get("status") != "Success":
            kept = self.operator.ask(
                "Le document n'a pas été versé : la DUI l'a-t-elle conservé ? Saisissez son identifiant (id du "
                "document CDA), ou laissez vide s'il a disparu :",
                "The document was not fed: did the DUI keep it? Type its id (CDA document id), or leave empty if "
                "it is gone:",
            )
        if not found:
            status = "blocked" if dmp_status and dmp_status != "VALIDE" else "pending"
            return {
                "document_id": kept,
                "status": status,
                "dmp_status": dmp_status,
                "declared_by_operator": True,
                "message": "no ITI-41 reached the DMP simulator",
            }
        last = found[-1].summary
        registered = last.get("registered") or [{}]
        return {
            "document_id": registered[0].get("unique_id", "") or (kept if last.get("status") != "Success" else ""),
            "entry_uuid": registered[0].get("entry_uuid"),
            "set_id": _set_id(found[-1]),
            "dmp_status": dmp_status,
            "status": "published" if last.get("status") == "Success" else "refused",
            "errors": last.get("errors") or [],
            "declared_by_operator": True,
        }

    @step("dmp_publish")
    def dmp_publish(
        self, person_id: str, kind: str, *, title: str | None = None, confidentiality: str = "N"
    ) -> dict[str, Any]:
        since = self.recorder.mark()
        what = KIND_FR.get(kind, kind)
        self.operator.say(
            f"Produisez {what} de l'usager {person_id} et versez-le au DMP.",
            f"Produce the {kind} document of person {person_id} and feed it to the DMP.",
        )
        return self._publication(since, self._await(since, "ITI-41"))

    @step("dmp_replace")
    def dmp_replace(self, person_id: str, document_id: str) -> dict[str, Any]:
        since = self.recorder.mark()
        self.operator.say(
            f"Remplacez le document {document_id} de l'usager {person_id} par une nouvelle version "
            "et versez-la au DMP.",
            f"Replace document {document_id} of person {person_id} with a new version and feed it to the DMP.",
        )
        return self._publication(since, self._await(since, "ITI-41"))

    @step("dmp_visibility")
    def dmp_visibility(
        self, person_id: str, document_id: str, *, masked_from_professionals: bool, invisible_to_patient: bool
    ) -> dict[str, Any]:
        since = self.recorder.mark()
        wanted = [
            w
            for w, on in (
                ("masqué aux professionnels", masked_from_professionals),
                ("non visible par le patient", invisible_to_patient),
            )
            if on
        ]
        self.operator.say(
            f"Rendez le document {document_id} de l'usager {person_id} : {', '.join(wanted)}.",
            f"Make document {document_id} of person {person_id}: {', '.join(wanted)}.",
        )
        found = self._await(since, "ITI-57")
        ok = bool(found) and found[-1].summary.get("status") == "Success"
        return {"document_id": document_id, "outcome": "updated" if ok else "error", "declared_by_operator": True}

    @step("dmp_retrieve")
    def dmp_retrieve(self, person_id: str, kind: str) -> dict[str, Any]:
        since = self.recorder.mark()
        self.operator.say(
            f"Recherchez dans le DMP le {kind} de l'usager {person_id} et intégrez-le à son dossier.",
            f"Look up the {kind} of person {person_id} in the DMP and integrate it into the record.",
        )
        found = self._await(since, "ITI-43")
        returned = [u for e in found for u in e.summary.get("returned") or []]
        return {
            "outcome": "ok" if found else "error",
            "found": len(returned),
            "declared_by_operator": True,
            "integrated": [{"document_id": u} for u in returned],
            "rejected": [],
        }

    @step("dmp_documents")
    def dmp_documents(self, person_id: str) -> list[dict[str, Any]]:
        answer = self.operator.ask(
            f"Quels documents la DUI affiche-t-elle pour l'usager {person_id} ? Saisissez "
            "leurs identifiants (id du document CDA) séparés par des espaces :",
            f"Which documents does the DUI show for person {person_id}? Type their ids (CDA "
            "document id) separated by spaces:",
        )
        return [{"document_id": d, "person_id": person_id, "declared_by_operator": True} for d in answer.split()]

    @step("dmp_retry")
    def dmp_retry(self) -> dict[str, Any]:
        since = self.recorder.mark()
        self.operator.say(
            "Relancez l'envoi au DMP des documents en attente.", "Send again the documents waiting for the DMP."
        )
        found = self._await(since, "ITI-41")
        return {
            "retried": [
                {
                    "document_id": (e.summary.get("registered") or [{}])[0].get("unique_id", ""),
                    "status": "published" if e.summary.get("status") == "Success" else "refused",
                }
                for e in found
            ]
        }
