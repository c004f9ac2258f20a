"""Attended mode for the DUI's MSSanté message rules: answering, a refusal of sending, the Annuaire Santé.

The operator answers in the DUI the message the harness delivered, or records the person's refusal;
the harness watches the operator simulator (the answer's SMTP submission) or takes the
operator's word (the refusal is a screen of the DUI, judged by what is sent afterwards).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from harness.sut.attended_operator import step
from harness.sut.parts.mss import MssDriver

if TYPE_CHECKING:
    from harness.core.recorder import Exchange, Recorder
    from harness.sut.attended_operator import Operator

__all__ = ["AttendedMssRules"]

SERVICE = "MSS"


class AttendedMssRules(MssDriver):
    """Mixin of :class:`~harness.sut.attended.AttendedDriver` for the answer and refusal operations."""

    recorder: Recorder
    operator: Operator
    exchange_timeout: float

    @step("mss_mark_read")
    def mss_mark_read(self, message_id: str) -> dict[str, Any]:
        since = self.recorder.mark()
        self.operator.say(
            f"Dans la DUI, ouvrez (lisez) le courriel MSSanté reçu {message_id} ; s'il demande un accusé de lecture, "
            "acceptez de le renvoyer.",
            f"In the DUI, open (read) the MSSanté message received {message_id}; if it asks for a read receipt, "
            "accept to send it.",
        )

        def receipt(found: list[Exchange]) -> bool:
            return any(e.tags.get("original_message_id") == message_id for e in found)

        found = self.operator.watch(
            self.recorder, receipt, service=SERVICE, transaction="SMTP", since=since, timeout=self.exchange_timeout
        )
        sent = [e for e in found if e.tags.get("original_message_id") == message_id]
        return {
            "read": True,
            "receipt": "sent" if sent else "not_sent",
            "message_id": sent[-1].tags.get("message_id") if sent else None,
            "declared_by_operator": True,
        }

    @step("mss_reply")
    def mss_reply(self, message_id: str, text: str = "Bien reçu, merci.") -> dict[str, Any]:
        since = self.recorder.mark()
        self.operator.say(
            f"Dans la DUI, répondez au courriel MSSanté reçu {message_id} (bouton « Répondre ») avec le texte : {text}",
            f"In the DUI, answer the MSSanté message received {message_id} (the 'Reply' button) with: {text}",
        )

        def answered(found: list[Exchange]) -> bool:
            return any(e.summary.get("reply", "").startswith("250") for e in found)

        found = self.operator.watch(
            self.recorder, answered, service=SERVICE, transaction="SMTP", since=since, timeout=self.exchange_timeout
        )
        sent = [e for e in found if e.summary.get("reply", "").startswith("250")]
        if not sent:
            return {
                "status": "not_sent",
                "message_id": None,
                "recipients": [],
                "reason": "no message reached the operator",
                "declared_by_operator": True,
            }
        envelope = sent[-1].summary.get("envelope") or {}
        return {
            "status": "sent",
            "message_id": sent[-1].tags.get("message_id"),
            "recipients": list(envelope.get("to", [])),
            "declared_by_operator": True,
        }

    @step("mss_record_refusal")
    def mss_record_refusal(self, person_id: str, *, patient: bool, professionals: bool) -> dict[str, Any]:
        whom_fr = (
            " et ".join(
                w
                for w, on in (("à sa messagerie Mon espace santé", patient), ("aux professionnels", professionals))
                if on
            )
            or "(aucun refus)"
        )
        whom_en = (
            " and ".join(
                w
                for w, on in (("to their Mon espace santé mailbox", patient), ("to professionals", professionals))
                if on
            )
            or "(no refusal)"
        )
        self.operator.say(
            f"Enregistrez dans la DUI que l'usager {person_id} refuse l'envoi de ses documents par MSSanté {whom_fr}.",
            f"Record in the DUI that person {person_id} refuses the sending of their documents by MSSanté {whom_en}.",
        )
        self.operator.ask("Appuyez sur Entrée quand c'est fait.", "Press Enter when done.")
        return {
            "person_id": person_id,
            "patient": patient,
            "professionals": professionals,
            "declared_by_operator": True,
        }

    @step("mss_import_annuaire")
    def mss_import_annuaire(self) -> dict[str, Any]:
        since = self.recorder.mark()
        self.operator.say(
            "Dans la DUI, lancez l'intégration de l'extraction publique de l'Annuaire Santé (adresses "
            "MSSanté) : /annuaire/extraction-mssante.txt sur le simulateur MSSanté (port de contrôle).",
            "In the DUI, start the integration of the Annuaire Santé's public extraction (MSSanté "
            "addresses): /annuaire/extraction-mssante.txt on the MSSanté simulator (control port).",
        )
        self.operator.watch(
            self.recorder, service=SERVICE, transaction="ANNUAIRE", since=since, timeout=self.exchange_timeout
        )
        return {"entries": 0, "declared_by_operator": True}

    @step("mss_search_address")
    def mss_search_address(self, *, name: str = "", rpps: str = "") -> list[dict[str, Any]]:
        answer = self.operator.ask(
            f"Cherchez dans l'annuaire de la DUI l'adresse MSSanté du correspondant {name} (RPPS {rpps or '-'}) et "
            "saisissez l'adresse trouvée (vide si aucune) :",
            f"Search the DUI's directory for the MSSanté address of correspondent {name} (RPPS {rpps or '-'}) and "
            "type the address found (empty if none):",
        )
        return [{"address": a, "declared_by_operator": True} for a in answer.split()]

    @step("mss_worklist")
    def mss_worklist(self) -> list[dict[str, Any]]:
        answer = self.operator.ask(
            "Quels documents reçus par MSSanté la DUI a-t-elle gardés en liste de travail (non rattachés à un "
            "usager) ? Saisissez leurs identifiants (id du CDA, racine^extension) séparés par des espaces, "
            "ou laissez vide :",
            "Which documents received by MSSanté did the DUI keep in its work list (not attached to a person)? Type "
            "their ids (CDA id, root^extension) separated by spaces, or leave empty:",
        )
        return [{"document_id": value, "declared_by_operator": True} for value in answer.split()]
