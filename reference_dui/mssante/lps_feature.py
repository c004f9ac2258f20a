"""Trigger API routes of the reference DUI's API LPS mailboxes (Pro Santé Connect + XOAUTH2, issue 13 item 2).

=======  ======================  ==============================================================
POST     /mss/lps/session        ``{"professional": idNat, "mailbox": address}``: PSC login, token kept
GET      /mss/lps/session        who is connected, the token's storage and expiry (SC.MSS/CONF.28)
DELETE   /mss/lps/session        PSC logout: no IMAP/SMTP session afterwards (SC.MSS/CONF.10)
POST     /mss/lps/messages       ``{"to", "subject"?, "text"?}``: a message over SMTP AUTH XOAUTH2
POST     /mss/lps/fetch          read the INBOX over IMAP AUTHENTICATE XOAUTH2 (SASL-IR)
=======  ======================  ==============================================================

Configured by the ``mssante`` (operator listeners, CA) and ``psc`` (issuer, client) entries of
``PUT /config/endpoints``. A refusal is an answer (``outcome``: ``not_connected``, ``refused``,
``error``), not an HTTP error: the harness judges what the DUI did.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, NoMatchFound, Route

from reference_dui.app import ApiError, guarded, json_body
from reference_dui.mssante.lps import LpsEndpoints, LpsMailClient, LpsRefused
from reference_dui.psc.client import PscClient, PscSettings

if TYPE_CHECKING:
    from reference_dui.service import DuiService

__all__ = ["LpsFeature", "create"]

#: the redirect URI registered for the DUI at PSC when the DUI's own callback route is not known
FALLBACK_REDIRECT = "http://127.0.0.1/harness/v1/psc/callback"


def _path(value: Any) -> Path | None:
    return Path(value) if isinstance(value, str) and Path(value).is_file() else None


def _endpoints(entry: Any) -> LpsEndpoints | None:
    if not isinstance(entry, Mapping) or not isinstance(entry.get("smtp_port"), int):
        return None
    if not isinstance(entry.get("imap_port"), int):
        return None
    return LpsEndpoints(
        str(entry.get("host") or "127.0.0.1"),
        entry["smtp_port"],
        entry["imap_port"],
        _path(entry.get("ca")),
        bool(entry.get("tls", True)),
    )


def _psc_settings(entry: Any) -> PscSettings | None:
    if not isinstance(entry, Mapping):
        return None
    issuer = entry.get("issuer") or (str(entry.get("url", "")).rstrip("/") + "/auth/realms/esante-wallet")
    client_id, secret = entry.get("client_id"), entry.get("client_secret")
    if not isinstance(client_id, str) or not isinstance(secret, str) or not client_id or not secret:
        return None
    return PscSettings(str(issuer), client_id, secret, str(entry.get("discovery") or ""), _path(entry.get("ca")))


class LpsFeature:
    name = "mssante-lps"

    def __init__(self, service: DuiService) -> None:
        self.service = service
        self._lock = threading.Lock()
        self._client: LpsMailClient | None = None
        self._psc: PscClient | None = None

    # -- Feature protocol -----------------------------------------------------------------
    def routes(self) -> list[BaseRoute]:
        return [
            Route("/mss/lps/session", guarded(self._session_route), methods=["GET", "POST", "DELETE"]),
            Route("/mss/lps/messages", guarded(self._send_route), methods=["POST"]),
            Route("/mss/lps/fetch", guarded(self._fetch_route), methods=["POST"]),
        ]

    def configure(self, endpoints: Mapping[str, Any]) -> None:
        config = self.service.config
        with self._lock:
            if "psc" in endpoints:
                settings = _psc_settings(endpoints["psc"])
                old, self._psc = self._psc, PscClient(settings, config.defects, config.timeout) if settings else None
                if old is not None:
                    old.close()
            if "mssante" in endpoints:
                mail = _endpoints(endpoints["mssante"])
                previous, self._client = self._client, None
                if previous is not None:
                    previous.close()
                if mail is not None:
                    self._client = LpsMailClient(mail, lambda: self._psc, config.defects)

    def reset(self) -> None:
        with self._lock:
            client = self._client
        if client is not None:
            client.close()

    def close(self) -> None:
        with self._lock:
            client, self._client = self._client, None
            psc, self._psc = self._psc, None
        if client is not None:
            client.close()
        if psc is not None:
            psc.close()

    # -- routes ---------------------------------------------------------------------------
    def _configured(self) -> LpsMailClient:
        with self._lock:
            client = self._client
        if client is None:
            raise ApiError(409, "MSSanté not configured (PUT /config/endpoints with an mssante entry)")
        return client

    async def _session_route(self, request: Request) -> Response:
        client = self._configured()
        if request.method == "GET":
            return JSONResponse(client.state())
        if request.method == "DELETE":
            return JSONResponse(client.logout())
        data = await json_body(request)
        if not isinstance(data, dict):
            raise ApiError(400, "the body must be {professional, mailbox}")
        professional, mailbox = data.get("professional"), data.get("mailbox")
        if not isinstance(professional, str) or not professional.strip():
            raise ApiError(400, "professional (the idNat of a test professional) is required")
        if not isinstance(mailbox, str) or "@" not in mailbox:
            raise ApiError(400, "mailbox (the address of a personal or organisational mailbox) is required")
        redirect = _redirect_uri(request)
        return await _answer(client, lambda: client.connect(professional.strip(), mailbox.strip(), redirect))

    async def _send_route(self, request: Request) -> Response:
        client = self._configured()
        data = await json_body(request)
        to = data.get("to") if isinstance(data, dict) else None
        if not isinstance(to, str) or "@" not in to:
            raise ApiError(400, "to (the recipient's MSSanté address) is required")
        subject = str(data.get("subject") or "Message de test (API LPS)")
        text = str(data.get("text") or "Message de test envoyé depuis une BAL personnelle ou organisationnelle.")
        redirect = _redirect_uri(request)
        answer = await _answer(client, lambda: client.send(to, subject, text, redirect))
        if "mss_error_breaks_dui" in self.service.config.defects:  # out of order until the mail works again
            outcome = json.loads(bytes(answer.body)).get("outcome")
            if outcome in ("sent", "error", "refused"):  # the operator answered: it works, or it failed
                self.service.mail_failure = None if outcome == "sent" else "SMTP"
        return answer

    async def _fetch_route(self, request: Request) -> Response:
        client = self._configured()
        redirect = _redirect_uri(request)
        return await _answer(client, lambda: client.fetch(redirect))


async def _answer(client: LpsMailClient, call: Any) -> Response:
    try:
        result = await run_in_threadpool(call)
    except LpsRefused as exc:
        result = {"outcome": exc.outcome, "error": exc.message, **client.state()}
    return JSONResponse(result)


def _redirect_uri(request: Request) -> str:
    """The DUI's PSC redirect URI (the PSC feature's callback): the DUI reads the code from PSC's redirection."""
    try:
        return str(request.url_for("psc_callback"))
    except NoMatchFound:
        return FALLBACK_REDIRECT


def create(service: DuiService) -> LpsFeature:
    return LpsFeature(service)
