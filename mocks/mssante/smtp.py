"""SMTP side of the simulated MSSanté operator, on aiosmtpd.

Two listeners share one handler: *submission* (STARTTLS required before anything else, then
AUTH) and *smtps* (implicit TLS). Authentication: SASL PLAIN / LOGIN with a test account's
password (over TLS only), SASL EXTERNAL with a client certificate of the test PKI, or that
certificate alone (as an operator trusting its client certificates). The operator then
enforces its rules: the envelope sender is the authenticated mailbox, recipients exist in
the MSSanté space (the directory, or a patient mailbox with a valid INS), the message fits
the size limit. Each transaction, accepted or refused, is recorded as one exchange
(``MSS`` / ``SMTP``, the raw message as request body).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import collections
import functools
import logging
import unicodedata
from collections.abc import Callable
from email._header_value_parser import get_addr_spec, get_angle_addr
from email.errors import HeaderParseError
from typing import TYPE_CHECKING, Any, AnyStr

from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session, TLSSetupException

from harness.core.findings import Finding, Severity
from mocks.mssante.auth_oauth import decode_initial, parse_response
from mocks.mssante.auth_record import AuthAttempt, record_auth
from mocks.mssante.directory import Account
from mocks.mssante.mailstore import StorageFull, headers_of

if TYPE_CHECKING:
    from mocks.mssante.app import MssSimulator

__all__ = ["REQ_AUTH", "MssSmtp", "MssSmtpHandler"]

REQ_AUTH = "MSS-AUTH-01"
HOSTNAME = "smtp.mssante-simulateur.dui-harness.test"
MAX_RECIPIENTS = 100
AUTH_LINE = 12288
_TLS_REFUSALS = ("530 Must issue a STARTTLS", "538", "530 5.7.0", "535")


def _subject_cn(cert: dict[str, Any] | None) -> str | None:
    for rdn in (cert or {}).get("subject", ()):
        for key, value in rdn:
            if key == "commonName":
                return str(value)
    return None


class MssSmtp(SMTP):
    """aiosmtpd's SMTP protocol, knowing its TLS mode and the client certificate.

    Args:
        handler: the shared :class:`MssSmtpHandler`.
        implicit_tls: True on the smtps listener (the transport is TLS from the first byte).
    """

    def __init__(self, handler: MssSmtpHandler, *, implicit_tls: bool, **kwargs: Any) -> None:
        super().__init__(handler, hostname=HOSTNAME, ident="dui-harness MSSante simulator", **kwargs)
        self.implicit_tls = implicit_tls
        self.command = ""
        self.handler = handler
        #: the authentication in progress (recorded once the AUTH command ends)
        self.auth_attempt: AuthAttempt | None = None
        self.last_reply = ""
        self._tls_facts: tuple[Any, dict[str, Any]] | None = None
        # RFC 4954 §4: an AUTH line may reach 12288 octets (an XOAUTH2 JWT is longer than 512); per instance,
        # aiosmtpd's class-level dict being shared by every session
        self.command_size_limits = collections.defaultdict(lambda: SMTP.command_size_limit, {"AUTH": AUTH_LINE})

    def _cb_client_connected(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        super()._cb_client_connected(reader, writer)
        self._line_limit(AUTH_LINE)

    def _line_limit(self, limit: int) -> None:
        """The stream's line bound: long enough for an AUTH line between commands, RFC 5321's 1000 in DATA."""
        reader = getattr(self, "_reader", None)
        if reader is not None and hasattr(reader, "_limit"):
            reader._limit = limit  # asyncio.StreamReader's bound (no public setter)

    def connection_made(self, transport: Any) -> None:
        super().connection_made(transport)
        self.handler.sim.connections.add(transport)
        if self.implicit_tls and self._tls_protocol is None:
            # encrypted from the first byte: aiosmtpd must treat the session as TLS (AUTH allowed)
            self._tls_protocol = getattr(transport, "_ssl_protocol", None)

    async def smtp_STARTTLS(self, arg: str) -> None:
        """aiosmtpd's STARTTLS; a failed handshake is recorded (issue 17), as on the implicit-TLS listeners."""
        peer = self.transport.get_extra_info("peername") if self.transport is not None else None
        try:
            await super().smtp_STARTTLS(arg)
        except asyncio.CancelledError:  # the connection went down during the handshake
            if self._tls_protocol is not None and self.session is not None and self.session.ssl is None:
                self.handler.sim.record_tls_failure(
                    "submission STARTTLS",
                    peer,
                    ConnectionError("handshake aborted by the client (certificate refused?)"),
                )
            raise
        except TLSSetupException as exc:
            self.handler.sim.record_tls_failure("submission STARTTLS", peer, exc.__cause__ or exc)
            raise

    # -- TLS facts ------------------------------------------------------------------------
    def tls_facts(self) -> dict[str, Any]:
        """TLS mode, version and client certificate name of the session (read once per TLS connection: a
        session asks at each command and each message)."""
        transport = self.transport
        ssl_object = transport.get_extra_info("ssl_object") if transport is not None else None
        if ssl_object is None:
            return {"tls": False, "tls_mode": "none", "client_cn": None}
        known = self._tls_facts
        if known is not None and known[0] is ssl_object:
            return dict(known[1])
        cert = ssl_object.getpeercert() or None
        facts = {
            "tls": True,
            "tls_mode": "implicit" if self.implicit_tls else "starttls",
            "tls_version": ssl_object.version(),
            "client_cn": _subject_cn(cert),
        }
        self._tls_facts = (ssl_object, facts)
        return dict(facts)

    def certificate_account(self) -> Account | None:
        return self.handler.sim.directory.by_certificate(self.tls_facts().get("client_cn"))

    def _getaddr(self, arg: str) -> tuple[str | None, str | None]:
        """aiosmtpd 1.4's address parsing of MAIL FROM / RCPT TO (same parser, same answers), without the
        ``typing.Protocol`` class it defines on every call, and kept per argument: the same senders and
        recipients come again and again (issue 18: this parsing was a tenth of a message's CPU)."""
        return _address(arg, self.local_part_limit)

    # -- command tracking (for the exchanges of refused transactions) ----------------------
    async def smtp_MAIL(self, arg: str) -> None:
        self.command = "MAIL"
        session = self.session
        if session is not None and not session.authenticated:
            account = self.certificate_account()
            if account is not None:  # the client certificate authenticates the mailbox
                session.authenticated = True
                session.auth_data = account  # type: ignore[assignment]  # aiosmtpd types it as None
                attempt = self.new_attempt("CERTIFICATE")
                attempt.login, attempt.success, attempt.reply = account.address, True, "client certificate"
                self.record_attempt(attempt)
        await super().smtp_MAIL(arg)

    async def smtp_RCPT(self, arg: str) -> None:
        self.command = "RCPT"
        await super().smtp_RCPT(arg)

    async def smtp_AUTH(self, arg: str) -> None:
        """aiosmtpd's AUTH, then one ``SMTP AUTH`` exchange saying how it went (:mod:`mocks.mssante.auth_record`)."""
        self.command = "AUTH"
        words = arg.split() if arg else []
        self.auth_attempt = self.new_attempt(words[0].upper() if words else "")
        self.auth_attempt.sasl_ir = len(words) > 1
        fault = self.handler.sim.faults.take("AUTH") if words and self.session is not None else None
        try:
            if fault is not None and fault.kind == "smtp_reply":  # a technical error of the operator (CONF.08)
                self.auth_attempt.fault = fault
                await self.push(str(fault.params.get("reply", "454 4.7.0 Temporary authentication failure")))
                return
            await super().smtp_AUTH(arg)
        finally:
            attempt, self.auth_attempt = self.auth_attempt, None
            if attempt is not None and attempt.mechanism and self.session is not None:
                attempt.success = attempt.fault is None and bool(self.session.authenticated)
                attempt.reply = self.last_reply
                account = self.session.auth_data
                if attempt.success and isinstance(account, Account) and not attempt.login:
                    attempt.login = account.address
                self.record_attempt(attempt)

    def new_attempt(self, mechanism: str) -> AuthAttempt:
        facts = self.tls_facts()
        peer = self.session.peer if self.session is not None else None
        return AuthAttempt(
            "SMTP",
            mechanism,
            tls_mode=str(facts["tls_mode"]),
            client_cn=facts.get("client_cn"),
            peer=f"{peer[0]}:{peer[1]}" if isinstance(peer, tuple) else str(peer or ""),
        )

    def record_attempt(self, attempt: AuthAttempt) -> None:
        sim = self.handler.sim
        record_auth(sim.listener_recording, sim.directory, attempt)

    async def smtp_DATA(self, arg: str) -> None:
        self.command = "DATA"
        self._line_limit(self.line_length_limit)
        try:
            await super().smtp_DATA(arg)
        finally:
            self._line_limit(AUTH_LINE)

    async def push(self, status: AnyStr) -> None:
        text = status if isinstance(status, str) else status.decode("ascii", "replace")
        self.last_reply = text
        refused_by_protocol = text.startswith(("552", "500 Line too long")) and self.command == "DATA"
        if text[:1] in "45" and (
            self.command in ("MAIL", "RCPT", "AUTH") or refused_by_protocol or text.startswith(_TLS_REFUSALS[0])
        ):
            self.handler.record_refusal(self, text)
        await super().push(status)


class MssSmtpHandler:
    """aiosmtpd handler: the operator's rules, delivery and recording."""

    def __init__(self, sim: MssSimulator) -> None:
        self.sim = sim

    # -- authentication -------------------------------------------------------------------
    def authenticator(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
    ) -> AuthResult:
        if isinstance(auth_data, LoginPassword):
            login = auth_data.login.decode("utf-8", "replace")
            if isinstance(server, MssSmtp) and server.auth_attempt is not None:
                server.auth_attempt.login = login
            account = self.sim.directory.check_password(login, auth_data.password.decode("utf-8", "replace"))
            if account is None and isinstance(server, MssSmtp) and mechanism == "PLAIN":
                account = _application_login(server, login)
            if account is not None:
                return AuthResult(success=True, auth_data=account)
        return AuthResult(success=False, handled=False, message="535 5.7.8 Authentication credentials invalid")

    async def auth_EXTERNAL(self, server: MssSmtp, args: list[str]) -> AuthResult:
        """SASL EXTERNAL (RFC 4422 appendix A): the TLS client certificate names the mailbox."""
        if not server.tls_facts().get("client_cn"):
            return AuthResult(success=False, handled=False, message="504 5.5.4 EXTERNAL needs a TLS client certificate")
        try:
            if len(args) > 1:  # initial response (RFC 4954 §4): base64, "=" for an empty one
                authzid = base64.b64decode(args[1], validate=True).decode("utf-8") if args[1] != "=" else ""
            else:  # after the 334 prompt: aiosmtpd's challenge_auth has decoded the base64 already
                answer = await server.challenge_auth("")
                if not isinstance(answer, bytes):
                    return AuthResult(success=False, handled=True)
                authzid = answer.decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return AuthResult(success=False, handled=False, message="501 5.5.2 Cannot decode response")
        account = server.certificate_account()
        if account is None or (authzid and authzid.lower() != account.address):
            return AuthResult(
                success=False, handled=False, message="535 5.7.8 No test PKI client certificate for this mailbox"
            )
        return AuthResult(success=True, auth_data=account)

    async def auth_XOAUTH2(self, server: MssSmtp, args: list[str]) -> AuthResult:
        """SASL XOAUTH2 with a Pro Santé Connect access token (API LPS, SC.MSS/CONF.07): refused with a
        ``334`` JSON status, the client's empty answer, then ``535`` (as Gmail does)."""
        if not server.tls_facts().get("tls"):
            return AuthResult(success=False, handled=False, message="538 5.7.11 Encryption required for XOAUTH2")
        try:
            if len(args) > 1:  # initial response (RFC 4954 §4)
                raw = decode_initial(args[1])
            else:
                answer = await server.challenge_auth("")
                if not isinstance(answer, bytes):
                    return AuthResult(success=False, handled=True)
                raw = answer
            response = parse_response(raw)
        except ValueError as exc:
            return AuthResult(success=False, handled=False, message=f"501 5.5.2 {_ascii(str(exc))}")
        verdict = self.sim.bearer.check(response)
        if server.auth_attempt is not None:
            server.auth_attempt.oauth = verdict.facts()
            server.auth_attempt.login = response.user
        if not verdict.ok:
            await server.challenge_auth(verdict.error_json())  # the client answers with an empty line
            return AuthResult(
                success=False,
                handled=False,
                message="535 5.7.8 Jeton refuse / Username and Password not accepted (XOAUTH2)",
            )
        return AuthResult(success=True, auth_data=self.sim.directory.accounts.get(response.user))

    async def handle_EHLO(
        self, server: MssSmtp, session: Session, envelope: Envelope, hostname: str, responses: list[str]
    ) -> list[str]:
        """EHLO as aiosmtpd writes it, with EXTERNAL offered only to a client that presented a
        certificate (RFC 4422 appendix A: without one the mechanism cannot succeed)."""
        session.host_name = hostname
        if server.tls_facts().get("client_cn"):
            return responses
        return [_without_external(line) if line[4:].startswith("AUTH ") else line for line in responses]

    async def handle_exception(self, error: Exception) -> str:
        """A failed STARTTLS handshake is an exchange already (no traceback in the log); others as aiosmtpd does."""
        if isinstance(error, TLSSetupException):
            return "454 4.7.0 TLS not available due to a handshake failure"
        logging.getLogger("mail.log").error("SMTP session exception", exc_info=error)
        return f"500 Error: ({type(error).__name__}) {error}"

    # -- envelope ---------------------------------------------------------------------------
    async def handle_MAIL(
        self, server: MssSmtp, session: Session, envelope: Envelope, address: str, mail_options: list[str]
    ) -> str:
        if not session.authenticated:
            return "530 5.7.0 Authentication required"
        account = session.auth_data
        if isinstance(account, Account) and address.lower() != account.address:
            return f"553 5.7.1 <{address}>: sender address not owned by the authenticated mailbox {account.address}"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 2.1.0 OK"

    async def handle_RCPT(
        self, server: MssSmtp, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        fault = self.sim.faults.take("RCPT")
        if fault is not None and fault.kind == "smtp_reply":
            return str(fault.params.get("reply", "451 4.3.0 Temporary failure (injected)"))
        directory = self.sim.directory
        if len(envelope.rcpt_tos) >= MAX_RECIPIENTS:
            return f"452 4.5.3 Too many recipients (at most {MAX_RECIPIENTS} a message)"
        if not directory.is_mssante(address):
            return f"550 5.7.1 <{address}>: outside the MSSante trust space, relaying refused"
        if directory.kind_of(address) is None:
            return f"550 5.1.1 <{address}>: no such MSSante mailbox"
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: MssSmtp, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        fault = self.sim.faults.take("DATA")
        if fault is not None and fault.kind == "delay":
            await asyncio.sleep(float(fault.params.get("seconds", 1.0)))
        if fault is not None and fault.kind == "smtp_reply":
            reply = str(fault.params.get("reply", "451 4.3.0 Temporary failure (injected)"))
            self.sim.record_smtp(server, session, envelope, raw, reply, fault=fault)
            return reply
        loop = asyncio.get_running_loop()
        report = await loop.run_in_executor(
            self.sim.judging, self.sim.inspect, raw, envelope.mail_from or "", list(envelope.rcpt_tos)
        )
        # the message was parsed once, by the checks: its journal headers come from there, not from a new parse
        message = report.parsed.message
        headers = headers_of(message) if message is not None else None
        try:
            stored = [
                await self.sim.deliver_async(raw, envelope.mail_from or "", rcpt, origin="smtp", headers=headers)
                for rcpt in envelope.rcpt_tos
            ]
        except StorageFull as exc:
            reply = f"452 4.3.1 Insufficient system storage ({exc})"
            self.sim.record_smtp(server, session, envelope, raw, reply, report=report)
            return reply
        reply = f"250 2.0.0 OK queued as {stored[0].id if stored else '-'}"
        self.sim.record_smtp(server, session, envelope, raw, reply, report=report)
        return reply

    # -- refused commands ---------------------------------------------------------------------
    def record_refusal(self, server: MssSmtp, reply: str) -> None:
        findings = []
        if reply.startswith(_TLS_REFUSALS):
            command = server.command or "command"
            findings.append(
                Finding(
                    "mss.smtp.auth",
                    REQ_AUTH,
                    f"the operator refused the DUI's {command}: {reply}",
                    Severity.ERROR,
                    f"SMTP {server.command or 'session'}",
                )
            )
        session, envelope = server.session, server.envelope
        if session is None or envelope is None:
            return
        self.sim.record_smtp(server, session, envelope, b"", reply, findings=findings, refused=server.command)


@functools.lru_cache(maxsize=1024)
def _address(arg: str, local_part_limit: int) -> tuple[str | None, str | None]:
    """:meth:`MssSmtp._getaddr`: ``(address, rest)``, ``("", "")`` for an empty argument, ``(None, None)`` when
    it cannot be parsed or its local part is longer than ``local_part_limit`` (0: no limit)."""
    if not arg:
        return "", ""
    try:
        address, rest = get_angle_addr(arg) if arg.lstrip().startswith("<") else get_addr_spec(arg)
    except HeaderParseError:
        return None, None
    addr = str(address.addr_spec)
    if local_part_limit and len(addr.rpartition("@")[0]) > local_part_limit:
        return None, None
    return addr, rest


def _ascii(text: str) -> str:
    """SMTP replies are US-ASCII: accents folded (``réponse`` -> ``reponse``)."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def _application_login(server: MssSmtp, login: str) -> Account | None:
    """SC.MSS/CONF.12: an application mailbox whose certificate opened the TLS session logs in with PLAIN,
    its address as login (the certificate authenticates; no password is checked)."""
    account = server.certificate_account()
    if account is not None and account.kind == "applicative" and account.address == login.lower().strip():
        return account
    return None


def _without_external(line: str) -> str:
    """An ``250-AUTH ...`` EHLO line without the EXTERNAL mechanism."""
    return " ".join(word for word in line.split(" ") if word != "EXTERNAL")


Factory = Callable[[], MssSmtp]
