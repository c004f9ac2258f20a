"""The reference DUI's API LPS client for personal and organisational mailboxes (Pro Santé Connect + XOAUTH2).

Ségur SC.MSS/CONF.07: STARTTLS, then ``AUTH XOAUTH2`` (SMTP) / ``AUTHENTICATE XOAUTH2`` (IMAP, with
the SASL-IR initial response, SC.MSS/CONF.09) carrying ``user=<mailbox>^Aauth=Bearer <PSC access
token>^A^A``. The token comes from the DUI's own Pro Santé Connect code flow
(:class:`reference_dui.psc.client.PscClient`, ``login_hint`` = the professional) and lives in memory
only, until it expires or the professional logs out (SC.MSS/CONF.28). Before each connection an
expired token is renewed: with the refresh grant when PSC gave a refresh token, otherwise by a new
PSC authentication of the same professional (the PSC simulator of main has no refresh grant yet).
A session the operator ends (``421``, a dropped connection) is reopened once, with the same token
while it is valid (SC.MSS/CONF.11); after a PSC logout no session is opened (SC.MSS/CONF.10).
Each defect switch ``mss_lps_*`` bends exactly one of these steps.
"""

from __future__ import annotations

import base64
import datetime as dt
import imaplib
import os
import smtplib
import ssl
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests

from reference_dui.mssante.mail import NIL
from reference_dui.psc.client import LoginRefused, PscClient

__all__ = ["LpsEndpoints", "LpsMailClient", "LpsRefused", "xoauth2"]

#: seconds before its expiry a token is renewed rather than sent
EXPIRY_MARGIN = 1.0


class LpsRefused(Exception):
    """The operation cannot be done (``outcome``: not_connected, refused, error)."""

    def __init__(self, outcome: str, message: str) -> None:
        super().__init__(message)
        self.outcome = outcome
        self.message = message


@dataclass(frozen=True)
class LpsEndpoints:
    """Where the operator's API LPS listens (the ``mssante`` entry of ``PUT /config/endpoints``)."""

    host: str
    smtp_port: int
    imap_port: int
    ca: Path | None = None
    tls: bool = True
    timeout: float = 10.0

    def context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(cafile=str(self.ca) if self.ca else None)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        return context


@dataclass
class _Session:
    professional: str
    mailbox: str
    token: str
    expires_at: float
    refresh_token: str | None
    since: str
    renewals: int = 0
    reconnections: int = 0


def xoauth2(user: str, token: str) -> str:
    """The XOAUTH2 client response ``user=<mailbox>^Aauth=Bearer <token>^A^A`` (SC.MSS/CONF.07 step 2)."""
    return f"user={user}\x01auth=Bearer {token}\x01\x01"


class _EmptyAnswer:
    """imaplib's continuation callback (a bound method) answering an error continuation with an empty line."""

    def answer(self, _continuation: bytes) -> bytes:
        return b""


class LpsMailClient:
    """One professional's session on a personal or organisational mailbox.

    Args:
        endpoints: the operator's listeners.
        psc: builds the Pro Santé Connect client (None: PSC not configured).
        defects: the reference DUI's defect switches.
    """

    def __init__(self, endpoints: LpsEndpoints, psc: Callable[[], PscClient | None], defects: frozenset[str]) -> None:
        self.endpoints = endpoints
        self.psc = psc
        self.defects = defects
        self._lock = threading.Lock()
        self._session: _Session | None = None
        self._stale: _Session | None = None  # kept only by the mss_lps_session_after_logout defect
        self._spill: Path | None = None  # the file of the mss_lps_token_on_disk defect

    # -- Pro Santé Connect ------------------------------------------------------------------
    def _authenticate(self, professional: str, redirect_uri: str) -> dict[str, Any]:
        client = self.psc()
        if client is None:
            raise LpsRefused("error", "Pro Santé Connect is not configured (PUT /config/endpoints with a psc entry)")
        try:
            url, pending = client.authorization_request(redirect_uri, professional)
            browser = requests.Session()
            browser.trust_env = False
            browser.verify = client.http.verify
            try:
                answer = browser.get(url, allow_redirects=False, timeout=client.timeout)
            finally:
                browser.close()
            query = parse_qs(urlsplit(answer.headers.get("location", "")).query)
            if query.get("state", [""])[0] != pending.state or not query.get("code"):
                raise LpsRefused("refused", f"Pro Santé Connect gave no code (HTTP {answer.status_code})")
            tokens = client.exchange_code(query["code"][0], pending)
            client.validate_id_token(tokens["id_token"], pending)
        except LoginRefused as exc:
            raise LpsRefused(exc.outcome, exc.message) from None
        except requests.RequestException as exc:
            raise LpsRefused("error", f"Pro Santé Connect unreachable: {type(exc).__name__}") from None
        return tokens

    def _refresh(self, session: _Session) -> dict[str, Any] | None:
        """The refresh grant (RFC 6749 §6) when PSC gave a refresh token; None when there is none or it fails."""
        client = self.psc()
        if client is None or not session.refresh_token:
            return None
        try:
            answer = client.http.post(
                client.metadata()["token_endpoint"],
                data={"grant_type": "refresh_token", "refresh_token": session.refresh_token},
                auth=(client.settings.client_id, client.settings.client_secret),
                timeout=client.timeout,
            )
            body = answer.json() if answer.status_code == 200 else None
        except (requests.RequestException, ValueError, LoginRefused):
            return None
        return body if isinstance(body, dict) and isinstance(body.get("access_token"), str) else None

    def _open(self, professional: str, mailbox: str, tokens: dict[str, Any]) -> _Session:
        lifetime = float(tokens.get("expires_in") or 60)
        refresh = tokens.get("refresh_token")
        return _Session(
            professional,
            mailbox,
            str(tokens["access_token"]),
            time.time() + lifetime,
            str(refresh) if isinstance(refresh, str) else None,
            dt.datetime.now(dt.UTC).isoformat(),
        )

    def connect(self, professional: str, mailbox: str, redirect_uri: str) -> dict[str, Any]:
        """Authenticate the professional with PSC; the token is kept in memory for its lifetime."""
        tokens = self._authenticate(professional, redirect_uri)
        session = self._open(professional, mailbox.lower(), tokens)
        with self._lock:
            self._session, self._stale = session, None
        self._keep_on_disk(session)
        return {"outcome": "connected", **self.state()}

    def _renew(self, session: _Session, redirect_uri: str) -> None:
        """A new access token: the refresh grant, else a new PSC authentication of the same professional."""
        tokens = self._refresh(session) or self._authenticate(session.professional, redirect_uri)
        renewed = self._open(session.professional, session.mailbox, tokens)
        session.token, session.expires_at = renewed.token, renewed.expires_at
        session.refresh_token = renewed.refresh_token or session.refresh_token
        session.renewals += 1
        self._keep_on_disk(session)

    def logout(self) -> dict[str, Any]:
        """The professional leaves PSC: the token is forgotten and no IMAP/SMTP session is opened any more."""
        with self._lock:
            session, self._session = self._session, None
            if "mss_lps_session_after_logout" in self.defects:
                self._stale = session
        return {"outcome": "logged_out", **self.state()}

    def _current(self, redirect_uri: str) -> _Session:
        with self._lock:
            session = self._session or self._stale
        if session is None:
            raise LpsRefused("not_connected", "no professional is connected with Pro Santé Connect")
        if time.time() > session.expires_at - EXPIRY_MARGIN and "mss_lps_no_token_renewal" not in self.defects:
            self._renew(session, redirect_uri)
        return session

    # -- SMTP and IMAP ------------------------------------------------------------------------
    def _with_session(self, redirect_uri: str, action: Callable[[_Session], dict[str, Any]]) -> dict[str, Any]:
        """``action`` on the operator; once more after a token refused (renewed) or a session the operator ended."""
        session = self._current(redirect_uri)
        try:
            return action(session)
        except (smtplib.SMTPAuthenticationError, _ImapRefused) as exc:
            if "mss_lps_no_token_renewal" in self.defects:
                raise LpsRefused("refused", f"the operator refused the access token: {exc}") from None
            self._renew(session, redirect_uri)
        except (smtplib.SMTPServerDisconnected, smtplib.SMTPRecipientsRefused, imaplib.IMAP4.abort, OSError) as exc:
            if not _ended_by_operator(exc) or "mss_lps_no_reconnect" in self.defects:
                raise LpsRefused("error", f"the operator ended the session: {type(exc).__name__} {exc}") from None
        session.reconnections += 1
        try:
            return action(session)
        except (smtplib.SMTPException, imaplib.IMAP4.error, OSError) as exc:
            raise LpsRefused("error", f"the operator refused again: {type(exc).__name__} {exc}") from None

    def send(self, to: str, subject: str, text: str, redirect_uri: str) -> dict[str, Any]:
        """A plain message from the mailbox, over SMTP ``AUTH XOAUTH2``."""

        def action(session: _Session) -> dict[str, Any]:
            message = EmailMessage()
            message["From"], message["To"], message["Subject"] = session.mailbox, to, subject
            message["Date"] = format_datetime(dt.datetime.now(dt.UTC))
            message["Message-ID"] = make_msgid(domain=session.mailbox.split("@", 1)[1])
            message["X-MSS-NIL"] = NIL  # on every message (SC.MSS/CONF.16)
            message.set_content(text)
            with self._smtp(session) as smtp:
                smtp.send_message(message, session.mailbox, [to])
            return {"outcome": "sent", "message_id": message["Message-ID"]}

        return {**self._with_session(redirect_uri, action), **self.state()}

    def fetch(self, redirect_uri: str) -> dict[str, Any]:
        """The mailbox's INBOX over IMAP ``AUTHENTICATE XOAUTH2``: how many messages, how many unread."""

        def action(session: _Session) -> dict[str, Any]:
            with self._imap(session) as client:
                _, count = client.select("INBOX", readonly=True)
                _, unseen = client.search(None, "UNSEEN")
            return {"outcome": "read", "messages": int(count[0] or 0), "unread": len((unseen[0] or b"").split())}

        return {**self._with_session(redirect_uri, action), **self.state()}

    @contextmanager
    def _smtp(self, session: _Session) -> Iterator[smtplib.SMTP]:
        e = self.endpoints
        with smtplib.SMTP(e.host, e.smtp_port, timeout=e.timeout) as smtp:
            smtp.ehlo("dui-reference.test")
            if e.tls:
                smtp.starttls(context=e.context())
                smtp.ehlo("dui-reference.test")
            response = xoauth2(self._user(session), session.token)
            smtp.auth("XOAUTH2", lambda challenge=None: "" if challenge else response, initial_response_ok=True)
            yield smtp

    @contextmanager
    def _imap(self, session: _Session) -> Iterator[imaplib.IMAP4]:
        e = self.endpoints
        client = imaplib.IMAP4(e.host, e.imap_port, timeout=e.timeout)
        try:
            if e.tls:
                client.starttls(ssl_context=e.context())
            response = xoauth2(self._user(session), session.token).encode()
            if "mss_lps_no_sasl_ir" in self.defects:
                typ, data = client.authenticate("XOAUTH2", lambda challenge: b"" if challenge else response)
            else:  # RFC 4959: imaplib has no SASL-IR, the initial response goes on the command line
                client.literal = _EmptyAnswer().answer  # type: ignore[assignment]  # answers the error continuation
                typ, data = client._simple_command("AUTHENTICATE", "XOAUTH2", base64.b64encode(response).decode())
                if typ == "OK":
                    client.state = "AUTH"
            if typ != "OK":
                raise _ImapRefused(f"{typ} {data}")
            yield client
        except imaplib.IMAP4.error as exc:
            if "AUTHENTICATE" in str(exc) or "authentication" in str(exc).lower():
                raise _ImapRefused(str(exc)) from None
            raise
        finally:
            with suppress(imaplib.IMAP4.error, OSError):
                client.logout()

    def _user(self, session: _Session) -> str:
        return session.professional if "mss_lps_user_professional" in self.defects else session.mailbox

    # -- state (SC.MSS/CONF.28) ---------------------------------------------------------------
    def _keep_on_disk(self, session: _Session) -> None:
        if "mss_lps_token_on_disk" not in self.defects:
            return
        self._spill = Path(tempfile.gettempdir()) / f"dui-reference-lps-token-{os.getpid()}.txt"
        self._spill.write_text(session.token, encoding="utf-8")

    def state(self) -> dict[str, Any]:
        with self._lock:
            session = self._session
        on_disk = self._spill is not None and self._spill.exists()
        token: dict[str, Any] | None = None
        if session is not None:
            token = {
                "storage": "file" if on_disk else "memory",
                "persisted": on_disk,
                "expires_at": dt.datetime.fromtimestamp(session.expires_at, dt.UTC).isoformat(),
                "refresh": "refresh_token" if session.refresh_token else "psc_reauthentication",
            }
        return {
            "connected": session is not None,
            "professional": session.professional if session else None,
            "mailbox": session.mailbox if session else None,
            "since": session.since if session else None,
            "token": token,
            "renewals": session.renewals if session else 0,
            "reconnections": session.reconnections if session else 0,
        }

    def close(self) -> None:
        with self._lock:
            self._session = self._stale = None
        if self._spill is not None:
            self._spill.unlink(missing_ok=True)


class _ImapRefused(Exception):
    """The operator refused the IMAP authentication."""


def _ended_by_operator(exc: BaseException) -> bool:
    """A session the operator ended: ``421`` (RFC 5321 §3.8), a dropped connection, IMAP's BYE."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return any(code == 421 for code, _ in exc.recipients.values())
    return isinstance(exc, (smtplib.SMTPServerDisconnected, imaplib.IMAP4.abort, ConnectionError))
