"""One exchange per SMTP ``AUTH`` / IMAP authentication at the MSSanté operator, and the two API LPS
sequences judged on it.

The exchange (service ``MSS``, transaction ``SMTP AUTH`` or ``IMAP AUTH``) says who authenticated
how: the mechanism (``PLAIN``, ``LOGIN``, ``EXTERNAL``, ``XOAUTH2``, ``LOGIN-COMMAND`` for IMAP's
LOGIN, ``CERTIFICATE`` when the SMTP client certificate alone authenticated the mailbox), the login,
the TLS mode and client certificate, whether SASL-IR carried the response, the outcome and, for
XOAUTH2, the token's short id and its professional — never a password or a token.

Two rules of the API LPS (Référentiel socle MSSanté #2 §ECO.1.2, Ségur):

- ``mss.auth.lps_sequence`` (``SC.MSS/CONF.07``): a personal or organisational mailbox is opened
  over TLS with XOAUTH2 whose ``user`` is the mailbox;
- ``mss.auth.app_sequence`` (``SC.MSS/CONF.12``): an application mailbox is opened over TLS with the
  organisation's authentication certificate (the mailbox's), then PLAIN with the mailbox address
  as login (IMAP: ``AUTHENTICATE PLAIN`` or the RFC 3501 ``LOGIN`` command).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from harness.core.findings import Finding
from harness.core.recorder import Exchange, HttpMessage
from harness.core.rules import rule
from mocks.common.faults import Fault
from mocks.common.recording import ListenerRecording
from mocks.mssante.directory import Directory

__all__ = ["APP_MECHANISMS", "AuthAttempt", "app_sequence_findings", "lps_sequence_findings", "record_auth"]

REQ_LPS = "SC.MSS/CONF.07"
REQ_APP = "SC.MSS/CONF.12"
#: the "PLAIN login" of SC.MSS/CONF.12 (RFC 4616 PLAIN; on IMAP also RFC 3501's LOGIN command)
APP_MECHANISMS = {"SMTP": ("PLAIN",), "IMAP": ("PLAIN", "LOGIN-COMMAND")}


@dataclass
class AuthAttempt:
    """What one authentication showed (filled by the SMTP and IMAP listeners)."""

    protocol: str  # SMTP or IMAP
    mechanism: str
    login: str = ""
    success: bool = False
    reply: str = ""
    tls_mode: str = "none"  # none, starttls, implicit
    client_cn: str | None = None
    sasl_ir: bool = False
    peer: str = ""
    oauth: dict[str, Any] = field(default_factory=dict)  # BearerVerdict.facts()
    #: the fault the harness injected in place of the operator's answer (SC.MSS/CONF.08 scenario): no finding
    fault: Fault | None = None

    @property
    def account(self) -> str:
        return (self.oauth.get("user") or self.login or "").lower()


@rule("mss.auth.lps_sequence", requirement=REQ_LPS, summary="API LPS mailbox: TLS, then XOAUTH2 naming the mailbox")
def lps_sequence_findings(attempt: AuthAttempt, kind: str | None) -> list[Finding]:
    """SC.MSS/CONF.07 steps 1-2 on a personal or organisational mailbox (ECO.1.2.1-3)."""
    if kind not in ("personal", "organisational") or (not attempt.success and attempt.mechanism != "XOAUTH2"):
        return []
    where = f"{attempt.protocol} authentication"
    out = []
    if attempt.tls_mode == "none":
        out.append(Finding("mss.auth.lps_sequence.tls", REQ_LPS, "authentication before TLS", location=where))
    if attempt.mechanism != "XOAUTH2":
        out.append(
            Finding(
                "mss.auth.lps_sequence.mechanism",
                REQ_LPS,
                f"the {kind} mailbox {attempt.account} was opened with {attempt.mechanism}, not with XOAUTH2 "
                "and a Pro Santé Connect access token",
                location=where,
            )
        )
    elif not attempt.success:
        out.append(
            Finding(
                "mss.auth.lps_sequence.refused",
                REQ_LPS,
                f"XOAUTH2 refused for {attempt.account or '(no user)'}: {attempt.oauth.get('reason') or attempt.reply}",
                location=where,
            )
        )
    return out


@rule("mss.auth.app_sequence", requirement=REQ_APP, summary="application mailbox: TLS client certificate, then PLAIN")
def app_sequence_findings(attempt: AuthAttempt, directory: Directory) -> list[Finding]:
    """SC.MSS/CONF.12 on an application mailbox: its certificate in the TLS handshake, then PLAIN with its address."""
    account = directory.accounts.get(attempt.account)
    if account is None or account.kind != "applicative" or not attempt.success:
        return []
    where = f"{attempt.protocol} authentication of {account.address}"
    out = []
    if attempt.tls_mode == "none" or not attempt.client_cn:
        out.append(
            Finding(
                "mss.auth.app_sequence.certificate",
                REQ_APP,
                "the TLS session carried no client certificate: the application mailbox must present the "
                "organisation's authentication certificate (ORG AUTH_CLI)",
                location=where,
            )
        )
    elif account.certificate_cn and attempt.client_cn != account.certificate_cn:
        out.append(
            Finding(
                "mss.auth.app_sequence.certificate",
                REQ_APP,
                f"client certificate {attempt.client_cn!r}, not the mailbox's {account.certificate_cn!r}",
                location=where,
            )
        )
    if attempt.mechanism not in APP_MECHANISMS.get(attempt.protocol, ()):
        out.append(
            Finding(
                "mss.auth.app_sequence.plain",
                REQ_APP,
                f"authenticated with {attempt.mechanism}: the application mailbox logs in with PLAIN, its address "
                "as login",
                location=where,
            )
        )
    elif attempt.login.lower() != account.address:
        out.append(
            Finding(
                "mss.auth.app_sequence.login",
                REQ_APP,
                f"PLAIN login {attempt.login!r}, not the mailbox address {account.address}",
                location=where,
            )
        )
    return out


def record_auth(recording: ListenerRecording, directory: Directory, attempt: AuthAttempt) -> Exchange:
    """Record ``attempt`` as one exchange, with the findings of the two API LPS sequences (none when the
    harness injected the answer: the DUI is not judged on an error the harness made)."""
    kind = directory.kind_of(attempt.account) if attempt.account else None
    headers = [
        ("Mechanism", attempt.mechanism),
        ("Login", attempt.account or "-"),
        ("TLS", attempt.tls_mode),
        ("Client-Certificate", attempt.client_cn or "-"),
        ("SASL-IR", "yes" if attempt.sasl_ir else "no"),
    ]
    if attempt.oauth:
        headers.append(("Token-Id", str(attempt.oauth.get("token_id", ""))))
    request = HttpMessage(f"{attempt.protocol} AUTH {attempt.mechanism}", headers, b"")
    response = HttpMessage(
        f"{attempt.protocol} {'OK' if attempt.success else 'NO'}", [], attempt.reply.encode("utf-8", "replace")
    )
    exchange = recording.exchange(
        f"{attempt.protocol} AUTH", request, response, peer=attempt.peer, client_subject=attempt.client_cn
    )
    findings = (
        []
        if attempt.fault is not None
        else [*lps_sequence_findings(attempt, kind), *app_sequence_findings(attempt, directory)]
    )
    summary = {
        "protocol": attempt.protocol,
        "mechanism": attempt.mechanism,
        "account": attempt.account or None,
        "account_kind": kind,
        "login": attempt.login or None,
        "success": attempt.success,
        "reply": attempt.reply,
        "tls_mode": attempt.tls_mode,
        "client_cn": attempt.client_cn,
        "sasl_ir": attempt.sasl_ir,
        "oauth": dict(attempt.oauth) or None,
    }
    tags = {"account": attempt.account} if attempt.account else {}
    return recording.record(exchange, summary=summary, tags=tags, findings=findings, fault=attempt.fault)
