"""Attended mode for the MSSanté API LPS mailboxes: a professional's Pro Santé Connect session, XOAUTH2.

The operator logs in to the DUI with Pro Santé Connect, opens the personal or organisational
mailbox, sends and reads mail, logs out; the harness watches the operator simulator (the ``SMTP
AUTH`` / ``IMAP AUTH`` exchanges and the SMTP transactions) and takes the operator's word for what
only the DUI's screens show (how the access token is kept, SC.MSS/CONF.28).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from harness.sut.attended_operator import step
from harness.sut.parts.mss_lps import MssLpsDriver

if TYPE_CHECKING:
    from harness.core.recorder import Exchange, Recorder
    from harness.sut.attended_operator import Operator

__all__ = ["AttendedMssLps"]

SERVICE = "MSS"


def _state(connected: bool, **extra: Any) -> dict[str, Any]:
    return {"connected": connected, "declared_by_operator": True, **extra}


class AttendedMssLps(MssLpsDriver):
    """Mixin of :class:`~harness.sut.attended.AttendedDriver` for the API LPS operations."""

    recorder: Recorder
    operator: Operator
    exchange_timeout: float

    @step("mss_lps_connect")
    def mss_lps_connect(self, professional: str, mailbox: str) -> dict[str, Any]:
        self.operator.say(
            f"Dans la DUI, connectez-vous avec Pro Santé Connect en tant que {professional} (le simulateur "
            f"authentifie sans écran) et ouvrez la BAL {mailbox} (API LPS, authentification XOAUTH2).",
            f"In the DUI, log in with Pro Santé Connect as {professional} (the simulator authenticates with no "
            f"screen) and open the mailbox {mailbox} (API LPS, XOAUTH2 authentication).",
        )
        done = self.operator.ask(
            "La DUI est-elle connectée à la BAL ? (o/n)", "Is the DUI connected to the mailbox? (y/n)"
        ).lower()
        connected = done[:1] in ("o", "y")
        outcome = "connected" if connected else "refused"
        return _state(connected, outcome=outcome, professional=professional, mailbox=mailbox)

    @step("mss_lps_session")
    def mss_lps_session(self) -> dict[str, Any]:
        storage = self.operator.ask(
            "Où la DUI garde-t-elle le jeton d'accès PSC ? « memory » (mémoire, pour sa durée de vie), « file » "
            "(fichier du poste) ou autre (précisez) ; vide si aucun jeton n'est détenu :",
            "Where does the DUI keep the PSC access token? 'memory' (in memory, for its lifetime), 'file' (a file "
            "of the workstation) or other (say which); empty when it holds no token:",
        ).strip()
        if not storage:
            return _state(False, token=None)
        return _state(True, token={"storage": storage, "persisted": storage != "memory"})

    @step("mss_lps_logout")
    def mss_lps_logout(self) -> dict[str, Any]:
        self.operator.say(
            "Dans la DUI, déconnectez le professionnel de Pro Santé Connect (la DUI doit fermer ses sessions "
            "IMAP et SMTP).",
            "In the DUI, log the professional out of Pro Santé Connect (the DUI must close its IMAP and SMTP "
            "sessions).",
        )
        self.operator.ask("Appuyez sur Entrée une fois fait.", "Press Enter once done.")
        return _state(False, outcome="logged_out")

    @step("mss_lps_send")
    def mss_lps_send(self, to: str, subject: str = "", text: str = "") -> dict[str, Any]:
        since = self.recorder.mark()
        self.operator.say(
            f"Dans la DUI, envoyez depuis la BAL connectée un message à {to} (objet libre). Si la DUI refuse "
            "(personne n'est connecté), notez-le.",
            f"In the DUI, send a message from the connected mailbox to {to} (any subject). If the DUI refuses "
            "(nobody is connected), note it.",
        )

        def sent(found: list[Exchange]) -> bool:
            return any(e.summary.get("reply", "").startswith("250") for e in found)

        found = self.operator.watch(
            self.recorder, sent, service=SERVICE, transaction="SMTP", since=since, timeout=self.exchange_timeout
        )
        accepted = [e for e in found if e.summary.get("reply", "").startswith("250")]
        if not accepted:
            return _state(False, outcome="not_connected", error="no message reached the operator")
        return _state(True, outcome="sent", message_id=accepted[-1].tags.get("message_id"))

    @step("mss_lps_fetch")
    def mss_lps_fetch(self) -> dict[str, Any]:
        since = self.recorder.mark()
        self.operator.say(
            "Dans la DUI, relevez la boîte de réception de la BAL connectée.",
            "In the DUI, read the INBOX of the connected mailbox.",
        )

        def authenticated(found: list[Exchange]) -> bool:
            return any(e.summary.get("success") is True for e in found)

        found = self.operator.watch(
            self.recorder,
            authenticated,
            service=SERVICE,
            transaction="IMAP AUTH",
            since=since,
            timeout=self.exchange_timeout,
        )
        if not any(e.summary.get("success") is True for e in found):
            return _state(False, outcome="error", error="no IMAP authentication succeeded at the operator")
        return _state(True, outcome="read")
