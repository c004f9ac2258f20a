"""How the MSSanté simulator records what crosses it: one exchange per SMTP transaction,
per message fetched over IMAP, per message the harness delivers, per failed TLS handshake.

An exchange's request body is the raw RFC 5322 message; its start line and pseudo-headers
carry the envelope (``Mail-From``, ``Rcpt-To``), the authenticated mailbox and the TLS mode;
its response is the server's reply. Tags correlate: ``message_id``, ``sender``, ``account``,
``recipient_kinds`` (``patient,personal``…), ``original_message_id`` on an acknowledgement.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from harness.core.findings import Finding, Severity
from harness.core.recorder import Exchange, HttpMessage, Recorder
from harness.core.rules import rule
from harness.validators.mail import MailReport
from mocks.common.faults import Fault
from mocks.common.recording import ListenerRecording
from mocks.mssante.directory import Account, Directory
from mocks.mssante.mailstore import StoredMessage

if TYPE_CHECKING:
    from aiosmtpd.smtp import Envelope, Session

    from mocks.mssante.smtp import MssSmtp

__all__ = ["MailRecording"]

REQ_AUTH = "MSS-AUTH-01"


class MailRecording:
    """Mixin of :class:`~mocks.mssante.app.MssSimulator`: builds and records its exchanges."""

    recorder: Recorder
    directory: Directory
    service: str

    def smtp_session_facts(self, server: MssSmtp, session: Session, envelope: Envelope) -> dict[str, Any]:
        raise NotImplementedError

    @property
    def listener_recording(self) -> ListenerRecording:
        return ListenerRecording(self.recorder, self.service)

    def _exchange(
        self, transaction: str, request: HttpMessage, response: HttpMessage, peer: str, client_subject: str | None
    ) -> Exchange:
        return self.listener_recording.exchange(
            transaction, request, response, peer=peer, client_subject=client_subject
        )

    @rule("mss.smtp", requirement="MSS-AUTH-01", summary="SMTP over TLS, authenticated")
    def record_smtp(
        self,
        server: MssSmtp,
        session: Session,
        envelope: Envelope,
        raw: bytes,
        reply: str,
        *,
        report: MailReport | None = None,
        findings: list[Finding] | None = None,
        fault: Fault | None = None,
        refused: str | None = None,
    ) -> Exchange:
        facts = self.smtp_session_facts(server, session, envelope)
        account = session.auth_data if isinstance(session.auth_data, Account) else None
        sender = envelope.mail_from or ""
        recipients = list(envelope.rcpt_tos)
        headers = [
            ("Mail-From", sender),
            *(("Rcpt-To", r) for r in recipients),
            ("Authenticated-As", account.address if account else "-"),
            ("TLS", f"{facts['tls_mode']} {facts.get('tls_version', '')}".strip()),
            ("Listener", facts["port"]),
        ]
        request = HttpMessage(f"SMTP {'DATA' if refused is None else refused} from {facts['port']}", headers, raw)
        response = HttpMessage(f"SMTP {reply[:3]}", [], reply.encode("utf-8", "replace"))
        peer = session.peer
        exchange = self._exchange(
            "SMTP",
            request,
            response,
            f"{peer[0]}:{peer[1]}" if isinstance(peer, tuple) else str(peer or ""),
            facts.get("client_cn"),
        )
        kinds = sorted({self.directory.kind_of(r) or "unknown" for r in recipients})
        exchange.summary.update(
            {
                "reply": reply,
                "envelope": {"from": sender, "to": recipients},
                "recipients": recipients,
                "account": account.address if account else None,
                **facts,
                "recipient_kinds": kinds,
                "refused_at": refused,
            }
        )
        exchange.tags.update({"sender": sender.lower(), "recipient_kinds": ",".join(kinds)})
        if account is not None:
            exchange.tags["account"] = account.address
        if report is not None:
            exchange.judgements["mail"] = report  # judged once: the suites read this report
            summary = report.summary()
            exchange.summary["message"] = summary
            if summary.get("message_id"):
                exchange.tags["message_id"] = str(summary["message_id"])
            if report.mdn is not None and report.mdn.original_message_id:
                exchange.tags["original_message_id"] = report.mdn.original_message_id
            exchange.findings.extend(report.findings)
        if not facts["tls"]:
            exchange.findings.append(
                Finding(
                    "mss.smtp.cleartext",
                    REQ_AUTH,
                    "the session was not encrypted (no TLS)",
                    Severity.WARNING,
                    "SMTP session",
                )
            )
        return self.listener_recording.record(exchange, findings=findings or [], fault=fault)

    @rule("mss.imap", requirement="MSS-AUTH-01", summary="IMAP over TLS")
    def record_fetch(self, account: str, mailbox: str, uid: int, raw: bytes, *, peer: str, tls: bool) -> Exchange:
        request = HttpMessage(
            f"IMAP UID FETCH {uid} BODY[]",
            [("Account", account), ("Mailbox", mailbox), ("TLS", "yes" if tls else "no")],
            raw,
        )
        exchange = self._exchange("IMAP FETCH", request, HttpMessage("IMAP OK", [], b"FETCH completed"), peer, None)
        exchange.summary.update({"account": account, "mailbox": mailbox, "uid": uid, "tls": tls, "size": len(raw)})
        exchange.tags["account"] = account
        message_id = _message_id(raw)
        if message_id:
            exchange.tags["message_id"] = message_id
        if not tls:
            exchange.findings.append(
                Finding(
                    "mss.imap.cleartext",
                    REQ_AUTH,
                    "the IMAP session was not encrypted",
                    Severity.WARNING,
                    "IMAP session",
                )
            )
        return self.listener_recording.record(exchange)

    def record_delivery(self, stored: StoredMessage) -> Exchange:
        request = HttpMessage(
            f"DELIVER to {stored.address}", [("Mail-From", stored.sender), ("Rcpt-To", stored.address)], stored.raw
        )
        exchange = self._exchange("DELIVER", request, HttpMessage("DELIVERED", [], stored.id.encode()), "harness", None)
        exchange.summary.update(stored.as_dict())
        exchange.tags.update({"message_id": stored.message_id, "recipient": stored.address, "origin": "harness"})
        return self.listener_recording.record(exchange)

    @rule("mss.tls", requirement="MSS-AUTH-01", summary="a TLS handshake with the test PKI")
    def record_tls_failure(self, listener: str, peer: Any, exc: BaseException) -> Exchange:
        reason = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        request = HttpMessage(f"TLS handshake on {listener}", [("Listener", listener)], b"")
        exchange = self._exchange(
            "TLS",
            request,
            HttpMessage("TLS failed", [], reason.encode("utf-8", "replace")),
            f"{peer[0]}:{peer[1]}" if isinstance(peer, tuple) else "",
            None,
        )
        exchange.summary.update({"error": reason, "listener": listener})
        exchange.findings.append(
            Finding(
                "mss.tls.handshake",
                REQ_AUTH,
                f"TLS handshake with the operator ({listener}) failed: {reason}",
                Severity.ERROR,
                "TLS",
            )
        )
        return self.listener_recording.record(exchange)


def _message_id(raw: bytes) -> str:
    head = raw.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    lines = head.replace(b"\r\n", b"\n").split(b"\n")
    for index, line in enumerate(lines):
        if line.lower().startswith(b"message-id:"):
            value = line.split(b":", 1)[1]
            for more in lines[index + 1 :]:
                if more[:1] not in (b" ", b"\t"):
                    break
                value += more
            return value.decode("ascii", "replace").strip()
    return ""
