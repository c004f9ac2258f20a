"""Attended mode for MSSanté: the operator sends and fetches mail in the DUI, the harness watches.

What reaches the simulated operator (SMTP submissions, IMAP fetches, acknowledgements) is
read from the recorder; what only the DUI's screen shows (which documents it attached to a
person) is typed back by the operator.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from harness.sut.attended_operator import step
from harness.sut.parts.mss import MssDriver

if TYPE_CHECKING:
    from harness.core.recorder import Exchange, Recorder
    from harness.sut.attended_operator import Operator

__all__ = ["AttendedMss"]

SERVICE = "MSS"
PATIENT_DOMAIN = "@patient.mssante.fr"
KIND_FR = {
    "professional": "au professionnel",
    "organisation": "à la boîte organisationnelle",
    "patient": "à l'usager (sa messagerie Mon espace santé)",
}
KIND_EN = {
    "professional": "to the professional",
    "organisation": "to the organisational mailbox",
    "patient": "to the person (their Mon espace santé mailbox)",
}


def _recipients(exchange: Exchange) -> list[str]:
    envelope = exchange.summary.get("envelope") or {}
    return [str(r).lower() for r in envelope.get("to", [])]


class AttendedMss(MssDriver):
    """Mixin of :class:`~harness.sut.attended.AttendedDriver` for the MSSanté operations."""

    recorder: Recorder
    operator: Operator
    exchange_timeout: float
    #: seconds without a new exchange after which the DUI is taken to have finished
    settle_quiet: float = 2.0

    def _settle(self, since: str, transaction: str, limit: float = 15.0) -> list[Exchange]:
        """Exchanges since ``since`` once no new one arrived for :attr:`settle_quiet` seconds (bounded)."""
        quiet = self.settle_quiet
        deadline = time.monotonic() + limit
        found = self.recorder.exchanges(service=SERVICE, transaction=transaction, since=since)
        while time.monotonic() < deadline:
            time.sleep(quiet)
            more = self.recorder.exchanges(service=SERVICE, transaction=transaction, since=since)
            if len(more) == len(found):
                break
            found = more
        return found

    @step("mss_send")
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
        since = self.recorder.mark()
        target = f" ({address})" if address else ""
        ack_fr = ", avec demande d'accusé de réception" if acknowledgement else ""
        ack_en = ", asking for an acknowledgement" if acknowledgement else ""
        ack_fr += ", avec demande d'avis de remise (DSN)" if dsn else ""
        ack_en += ", asking for a delivery status notification (DSN)" if dsn else ""
        ack_fr += f", comme nouvelle version (« annule et remplace ») du document {replaces}" if replaces else ""
        ack_en += f", as the new version ('annule et remplace') of document {replaces}" if replaces else ""
        hidden_fr = ", en le marquant NON VISIBLE par l'usager" if not visible_to_patient else ""
        hidden_en = ", marked NOT VISIBLE to the person" if not visible_to_patient else ""
        self.operator.say(
            f"Envoyez par MSSanté un document de l'usager {person_id} {KIND_FR[recipient_kind]}{target}"
            f"{ack_fr}{hidden_fr}.",
            f"Send by MSSanté a document about person {person_id} {KIND_EN[recipient_kind]}{target}{ack_en}"
            f"{hidden_en}.",
        )

        def reached(found: list[Exchange]) -> bool:
            return any(
                e.summary.get("reply", "").startswith("250")
                and any(
                    r == (address or "").lower() or (recipient_kind == "patient" and r.endswith(PATIENT_DOMAIN))
                    for r in _recipients(e)
                )
                for e in found
            )

        if visible_to_patient or recipient_kind != "patient":
            found = self.operator.watch(
                self.recorder, reached, service=SERVICE, transaction="SMTP", since=since, timeout=self.exchange_timeout
            )
        else:  # nothing should be sent: the operator says when the DUI is done
            self.operator.ask(
                "Appuyez sur Entrée quand la DUI a terminé (envoi fait ou refusé).",
                "Press Enter when the DUI is done (sent or refused).",
            )
            found = self._settle(since, "SMTP")
        sent = [e for e in found if e.summary.get("reply", "").startswith("250")]
        if not sent:
            return {
                "status": "not_sent",
                "message_id": None,
                "recipients": [],
                "reason": "no message reached the operator",
                "declared_by_operator": True,
            }
        last = sent[-1]
        return {
            "status": "sent",
            "message_id": last.tags.get("message_id"),
            "recipients": _recipients(last),
            "declared_by_operator": True,
        }

    @step("mss_fetch")
    def mss_fetch(self) -> dict[str, Any]:
        since = self.recorder.mark()
        self.operator.say(
            "Relevez la boîte aux lettres MSSanté de la DUI et laissez-la intégrer les documents reçus.",
            "Fetch the DUI's MSSanté mailbox and let it integrate the documents received.",
        )
        self.operator.watch(
            self.recorder, service=SERVICE, transaction="IMAP FETCH", since=since, timeout=self.exchange_timeout
        )
        fetched = self._settle(since, "IMAP FETCH")
        self._settle(since, "SMTP")  # the acknowledgements that follow
        ids = list(dict.fromkeys(e.tags.get("message_id", "") for e in fetched))
        return {"messages": [{"message_id": m, "outcome": "ignored"} for m in ids if m], "declared_by_operator": True}

    @step("mss_documents")
    def mss_documents(self, person_id: str) -> list[dict[str, Any]]:
        answer = self.operator.ask(
            f"Quels documents reçus par MSSanté la DUI a-t-elle rattachés à l'usager {person_id} ? Saisissez leurs "
            "identifiants (id du CDA, racine^extension) séparés par des espaces, ou laissez vide :",
            f"Which documents received by MSSanté did the DUI attach to person {person_id}? Type their ids (CDA id, "
            "root^extension) separated by spaces, or leave empty:",
        )
        return [{"document_id": value, "code": "", "declared_by_operator": True} for value in answer.split()]

    def mss_acknowledgements(self) -> list[dict[str, Any]]:
        found = []
        for exchange in self.recorder.exchanges(service=SERVICE, transaction="SMTP"):
            mdn = (exchange.summary.get("message") or {}).get("mdn")
            if mdn:
                found.append(
                    {
                        "original_message_id": mdn.get("original_message_id", ""),
                        "message_id": exchange.tags.get("message_id"),
                        "to": ",".join(_recipients(exchange)),
                        "disposition": mdn.get("disposition", ""),
                        "error_code": mdn.get("error_code"),
                        "declared_by_operator": False,
                    }
                )
        return found
