"""Attended mode for the record-side MSSanté operations: correspondents, the trace of received
updates and deletions, the mailbox autoconfiguration (SC.MSS.14.MS1, SC.MSS.24.MS1, SC.MSS/CONF.04).

The operator types the correspondents into the DUI and reads back what the record shows; reads
the DUI's trace of the received documents replaced or deleted; runs the DUI's mailbox
autoconfiguration, which the harness watches on the operator simulator (the ``AUTOCONFIG``
exchange), and types the servers the DUI then shows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from harness.sut.attended_operator import step
from harness.sut.parts.mss import MssDriver

if TYPE_CHECKING:
    from harness.core.recorder import Exchange, Recorder
    from harness.sut.attended_operator import Operator

__all__ = ["AttendedMssRecords"]

SERVICE = "MSS"


def _server(answer: str) -> dict[str, Any]:
    """``host port socket-type`` typed by the operator (``127.0.0.1 8993 SSL``)."""
    words = answer.split()
    port = words[1] if len(words) > 1 and words[1].isdigit() else "0"
    return {
        "hostname": words[0] if words else "",
        "port": int(port),
        "socket_type": words[2] if len(words) > 2 else "",
    }


class AttendedMssRecords(MssDriver):
    """Mixin of :class:`~harness.sut.attended.AttendedDriver` for correspondents, trace and autoconfiguration."""

    recorder: Recorder
    operator: Operator
    exchange_timeout: float

    @step("mss_set_correspondents")
    def mss_set_correspondents(self, person_id: str, correspondents: list[dict[str, str]]) -> list[dict[str, Any]]:
        listed = "\n".join(f"  - {c.get('name', '')} <{c['address']}>" for c in correspondents)
        self.operator.say(
            f"Dans le dossier de l'usager {person_id}, enregistrez ces {len(correspondents)} correspondants "
            f"(nom et adresse MSSanté) :\n{listed}",
            f"In the record of person {person_id}, record these {len(correspondents)} correspondents "
            f"(name and MSSanté address):\n{listed}",
        )
        return self.mss_correspondents(person_id)

    @step("mss_correspondents")
    def mss_correspondents(self, person_id: str) -> list[dict[str, Any]]:
        answer = self.operator.ask(
            f"Quelles adresses MSSanté le dossier de l'usager {person_id} montre-t-il parmi ses correspondants ? "
            "Saisissez-les séparées par des espaces :",
            f"Which MSSanté addresses does the record of person {person_id} show among its correspondents? "
            "Type them separated by spaces:",
        )
        return [{"address": a, "declared_by_operator": True} for a in answer.split()]

    @step("mss_documents_with_status")
    def mss_documents_with_status(self, person_id: str) -> list[dict[str, Any]]:
        answer = self.operator.ask(
            f"Quels documents reçus par MSSanté le dossier de l'usager {person_id} montre-t-il, et dans quel état ? "
            "Saisissez « identifiant:état » (id du CDA, racine^extension ; état current, replaced ou deleted) "
            "séparés par des espaces, ou laissez vide :",
            f"Which documents received by MSSanté does the record of person {person_id} show, in which state? Type "
            "'id:state' (CDA id, root^extension; state current, replaced or deleted) separated by spaces, or leave "
            "empty:",
        )
        found = []
        for item in answer.split():
            document_id, _, status = item.rpartition(":")
            found.append(
                {
                    "document_id": document_id or status,
                    "status": status if document_id else "current",
                    "declared_by_operator": True,
                }
            )
        return found

    @step("mss_document_trace")
    def mss_document_trace(self) -> list[dict[str, Any]]:
        answer = self.operator.ask(
            "Ouvrez la trace des documents reçus par MSSanté remplacés ou supprimés. Saisissez chaque entrée "
            "« identifiant:action » (action replaced ou deleted ; id du CDA, racine^extension), séparées par "
            "des espaces, ou laissez vide :",
            "Open the trace of the documents received by MSSanté that were replaced or deleted. Type each entry "
            "'id:action' (action replaced or deleted; CDA id, root^extension), separated by spaces, or leave empty:",
        )
        changes = []
        for item in answer.split():
            document_id, _, action = item.rpartition(":")
            changes.append({"document_id": document_id or action, "action": action, "declared_by_operator": True})
        return changes

    @step("mss_autoconfigure")
    def mss_autoconfigure(self, address: str, autoconfig_url: str) -> dict[str, Any]:
        since = self.recorder.mark()
        self.operator.say(
            f"Dans la DUI, lancez l'autoconfiguration de la BAL {address} ; l'URL d'autoconfiguration de "
            f"l'opérateur est {autoconfig_url}/mail/config-v1.1.xml (au lieu de https://autoconfig.<domaine>), "
            "puis le test de connexion.",
            f"In the DUI, run the autoconfiguration of mailbox {address}; the operator's autoconfiguration URL is "
            f"{autoconfig_url}/mail/config-v1.1.xml (instead of https://autoconfig.<domain>), then the connection "
            "test.",
        )

        def fetched(found: list[Exchange]) -> bool:
            return any(e.transaction == "AUTOCONFIG" for e in found)

        self.operator.watch(self.recorder, fetched, service=SERVICE, since=since, timeout=self.exchange_timeout)
        incoming = self.operator.ask(
            "Serveur IMAP configuré par la DUI : « hôte port type » (type SSL, STARTTLS ou plain) :",
            "IMAP server the DUI configured: 'host port type' (type SSL, STARTTLS or plain):",
        )
        outgoing = self.operator.ask(
            "Serveur SMTP configuré par la DUI : « hôte port type » :",
            "SMTP server the DUI configured: 'host port type':",
        )
        tested = (
            self.operator.ask(
                "Le test de connexion de la DUI a-t-il réussi ? (oui/non, vide s'il n'a pas été proposé) :",
                "Did the DUI's connection test succeed? (yes/no, empty if it was not offered):",
            )
            .strip()
            .lower()
        )
        test = None if not tested else {"imap": tested in ("oui", "yes", "o", "y"), "smtp": tested in ("oui", "yes")}
        return {
            "address": address,
            "source": "declared by the operator",
            "incoming": _server(incoming),
            "outgoing": _server(outgoing),
            "connection_test": test,
            "declared_by_operator": True,
        }
