"""The reference DUI's mail client: standard smtplib / imaplib over TLS, and the messages it writes.

Sending: SMTP submission, STARTTLS with the test CA (and the DUI's client certificate), then
AUTH with the mailbox password (or the certificate alone). Reading: IMAP4rev1, STARTTLS, then
LOGIN (or AUTHENTICATE EXTERNAL with the certificate); unread messages only, marked seen once
handled. Messages: a document message (X-MSS-* headers, IHE_XDM.ZIP) and RFC 8098 MDNs.
"""

from __future__ import annotations

import imaplib
import smtplib
import ssl
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage, Message
from email.mime.base import MIMEBase
from email.mime.message import MIMEMessage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.policy import SMTP as SMTP_POLICY
from email.utils import format_datetime, formataddr, make_msgid
from pathlib import Path

from reference_dui.mssante.tls_policy import CrlCache, client_context

__all__ = ["MailSettings", "MailboxClient", "base_message", "document_message", "mdn_message"]

NIL = "DUIREF-NIL-TEST-0001"  # the reference DUI's product reference (X-MSS-NIL), a test value
MAILBOX_LABEL = "DUI de référence - EHPAD Les Essais"  # Intitulé_BAL of its application mailbox (SC.MSS.15)


@dataclass(frozen=True)
class MailSettings:
    """Where the operator is and how the DUI's mailbox authenticates (``mssante`` endpoint entry)."""

    host: str
    smtp_port: int
    imap_port: int
    address: str
    password: str | None = None
    client_cert: Path | None = None
    client_key: Path | None = None
    ca: Path | None = None
    tls: bool = True
    timeout: float = 10.0
    reply_to: str | None = None  # the structure's organisational mailbox (Reply-To of the application mailbox)
    annuaire_url: str | None = None  # the Annuaire Santé's public extraction of MSSanté addresses
    smtp_password: str | None = None  # another password for SMTP (``mss_smtp_stale_password`` defect)
    crl_url: str | None = None  # the operators' CA's CRL distribution point
    crls: CrlCache | None = None  # the last valid CRLs (kept across connections and configurations)
    # the operator's authentication (reference_dui.mssante.tls_policy), each weakened by one defect switch
    trust_any: bool = False
    check_time: bool = True
    check_crl: bool = True
    keep_crl: bool = True
    weak_tls: bool = False
    offer_extra_suite: bool = False  # ``mss_tls_offer_extra_suite`` (SC.MSS/CONF.03)
    # the operator's implicit-TLS listeners (RFC 8314), used only by the ``mss_implicit_tls`` defect
    smtps_port: int | None = None
    imaps_port: int | None = None
    implicit_tls: bool = False  # ``mss_implicit_tls``: SMTPS and IMAPS instead of STARTTLS (SC.MSS/CONF.05/06)
    tls13_only: bool = False  # ``mss_tls13_only``: TLS 1.3 at least, an operator on TLS 1.2 unreachable

    def context(self) -> ssl.SSLContext:
        return client_context(self)


class MailboxClient:
    """One mailbox at the operator: send messages, read unread ones."""

    def __init__(self, settings: MailSettings) -> None:
        self.settings = settings

    def _implicit(self) -> bool:
        s = self.settings
        return s.implicit_tls and s.tls and s.smtps_port is not None and s.imaps_port is not None

    def _smtp(self) -> smtplib.SMTP:
        s = self.settings
        if self._implicit():
            assert s.smtps_port is not None
            return smtplib.SMTP_SSL(s.host, s.smtps_port, timeout=s.timeout, context=s.context())
        return smtplib.SMTP(s.host, s.smtp_port, timeout=s.timeout)

    def send(self, message: Message, recipients: list[str]) -> None:
        s = self.settings
        with self._smtp() as smtp:
            smtp.ehlo("dui-reference.test")
            if s.tls and not self._implicit():
                smtp.starttls(context=s.context())
                smtp.ehlo("dui-reference.test")
            if s.password:
                smtp.login(s.address, s.smtp_password or s.password)
            options = ["BODY=8BITMIME"] if smtp.has_extn("8bitmime") else []
            smtp.sendmail(s.address, recipients, as_bytes(message), mail_options=options)

    @contextmanager
    def _imap(self) -> Iterator[imaplib.IMAP4]:
        s = self.settings
        if self._implicit():
            assert s.imaps_port is not None
            client: imaplib.IMAP4 = imaplib.IMAP4_SSL(s.host, s.imaps_port, ssl_context=s.context(), timeout=s.timeout)
        else:
            client = imaplib.IMAP4(s.host, s.imap_port, timeout=s.timeout)
        try:
            if s.tls and not self._implicit():
                client.starttls(ssl_context=s.context())
            if s.password:
                client.login(s.address, s.password)
            else:
                client.authenticate("EXTERNAL", lambda _challenge: b"")
            yield client
        finally:
            with suppress(imaplib.IMAP4.error, OSError):
                client.logout()

    def unread(self) -> Iterator[tuple[bytes, bytes]]:
        """``(uid, raw message)`` of each unread INBOX message; marked seen after the caller's turn."""
        with self._imap() as client:
            client.select("INBOX")
            _, data = client.uid("SEARCH", "UNSEEN")
            for uid in (data[0] or b"").split():
                _, fetched = client.uid("FETCH", uid.decode(), "(BODY.PEEK[])")
                raw = next((part[1] for part in fetched if isinstance(part, tuple)), None)
                if raw is None:
                    continue
                yield uid, raw
                client.uid("STORE", uid.decode(), "+FLAGS", "(\\Seen)")


def base_message(sender: str, to: str, subject: str, label: str | None = MAILBOX_LABEL) -> EmailMessage:
    message = EmailMessage()
    message["From"] = formataddr((label, sender)) if label else sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = make_msgid(domain=sender.split("@", 1)[1])
    return message


def document_message(
    sender: str,
    to: str,
    subject: str,
    xdm: bytes,
    headers: dict[str, str],
    body: str,
    pdf: tuple[str, bytes] | None = None,
    *,
    label: str | None = MAILBOX_LABEL,
    html: bool = False,
) -> EmailMessage:
    """A document message: text body (``html``: HTML only), IHE_XDM.ZIP and the PDF/A-1 copy ``(name, bytes)``."""
    message = base_message(sender, to, subject, label)
    for name, value in headers.items():
        message[name] = value
    if html:
        message.set_content(f"<html><body><p>{body}</p></body></html>", subtype="html")
    else:
        message.set_content(body)
    message.add_attachment(xdm, maintype="application", subtype="zip", filename="IHE_XDM.ZIP")
    if pdf is not None:
        message.add_attachment(pdf[1], maintype="application", subtype="pdf", filename=pdf[0])
    return message


def mdn_message(
    sender: str,
    original: Message,
    disposition: str,
    human: str,
    subject: str,
    with_nil: bool = True,
    with_final_recipient: bool = True,
) -> MIMEMultipart:
    """An RFC 8098 MDN about ``original``, returned with its attachments (part 3)."""
    to = str(original.get("Disposition-Notification-To", "") or original.get("From", ""))
    report = MIMEMultipart("report", policy=SMTP_POLICY, report_type="disposition-notification")
    report["From"] = formataddr((MAILBOX_LABEL, sender))
    report["To"] = to
    report["Subject"] = subject
    report["Date"] = format_datetime(datetime.now(UTC))
    report["Message-ID"] = make_msgid(domain=sender.split("@", 1)[1])
    if with_nil:
        report["X-MSS-NIL"] = NIL
    report.attach(MIMEText(human, "plain", "utf-8"))
    notification = MIMEBase("message", "disposition-notification", policy=SMTP_POLICY)
    fields = [
        "Reporting-UA: DUI-REFERENCE; dui-harness",
        f"Original-Recipient: rfc822;{sender}",
        *([f"Final-Recipient: rfc822;{sender}"] if with_final_recipient else []),
        f"Original-Message-ID: {original.get('Message-ID', '')}",
        f"Disposition: {disposition}",
    ]
    notification.set_payload("\r\n".join(_ascii(f) for f in fields) + "\r\n")
    report.attach(notification)
    report.attach(MIMEMessage(original))
    return report


def _ascii(text: str) -> str:
    """RFC 8098 notification fields are US-ASCII: accents folded (``présent`` -> ``present``)."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return folded


def as_bytes(message: Message) -> bytes:
    return message.as_bytes(policy=SMTP_POLICY)
