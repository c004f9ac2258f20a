"""Pro Santé Connect login in the reference DUI: trigger API routes and the DUI's redirect URI.

=======  =====================  ==========================================================
POST     /psc/login             ``{"professional": idNat, "mode": web|native|ciba}``: log in
GET      /psc/callback          the redirect URI (``state``, ``code`` or ``error`` from PSC)
GET      /psc/session           who is logged in (and in which account)
DELETE   /psc/session           log out, here and at PSC (end_session_endpoint)
POST     /psc/session/refresh   renew the tokens with the refresh token (rotation)
GET      /psc/capabilities      the PSC modes offered, and whether other logins exist
POST     /psc/local-accounts    ``{"login", "professional"}``: a local (password) account
POST     /psc/local-login       ``{"login"}``: log in with the local account
GET      /psc/logged-out        the post-logout redirect URI
=======  =====================  ==========================================================

Accounts are linked around the RPPS (SubjectNameID, SC.PSC.02): a PSC login lands in the local
account of the same idNat (defect ``psc_no_account_linking``: always a separate PSC account).

With no screen, the DUI plays the browser itself: it requests the authorization URL without
following redirects, checks that PSC sends it back to its own redirect URI, and calls that
callback over HTTP, as a browser would. Configured by the ``psc`` entry of
``PUT /config/endpoints`` (``issuer``, ``client_id``, ``client_secret``, ``ca``).
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import requests
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from reference_dui.app import ApiError, guarded, json_body
from reference_dui.identity import InvalidInput
from reference_dui.psc.client import LoginRefused, Pending, PscClient, PscSettings
from reference_dui.psc.lifecycle import ciba_tokens, end_session, native_answer, refresh

if TYPE_CHECKING:
    from reference_dui.service import DuiService

__all__ = ["PscFeature", "create"]

PENDING_LIFETIME = 600.0
MODES = ("web", "native", "ciba")


def _settings(entry: Any) -> PscSettings:
    if not isinstance(entry, Mapping):
        raise InvalidInput("psc must be an object {url, issuer, client_id, client_secret, ca}")
    issuer = entry.get("issuer") or (str(entry.get("url", "")).rstrip("/") + "/auth/realms/esante-wallet")
    parts = urlsplit(str(issuer))
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InvalidInput(f"psc.issuer must be an http(s) URL, not {issuer!r}")
    for name in ("client_id", "client_secret"):
        if not isinstance(entry.get(name), str) or not entry[name]:
            raise InvalidInput(f"psc.{name} must be a non-empty string")
    ca = entry.get("ca")
    if ca is not None and (not isinstance(ca, str) or not Path(ca).is_file()):
        raise InvalidInput(f"psc.ca must be the path of a readable PEM file, not {ca!r}")
    discovery = entry.get("discovery") or ""
    return PscSettings(
        str(issuer), entry["client_id"], entry["client_secret"], str(discovery), Path(ca) if ca else None
    )


def _professional(userinfo: Mapping[str, Any]) -> dict[str, Any]:
    exercices = (userinfo.get("SubjectRefPro") or {}).get("exercices") or []
    return {
        "id_nat": userinfo.get("SubjectNameID"),
        "sub": userinfo.get("sub"),
        "family_name": userinfo.get("family_name"),
        "given_name": userinfo.get("given_name"),
        "professions": [str(e.get("codeProfession", "")) for e in exercices if isinstance(e, Mapping)],
        "organization": userinfo.get("SubjectOrganization"),
    }


class PscFeature:
    name = "psc"

    def __init__(self, service: DuiService) -> None:
        self.service = service
        self._lock = threading.Lock()
        self._client: PscClient | None = None
        self._pending: dict[str, Pending] = {}
        self._session: dict[str, Any] | None = None
        self._tokens: dict[str, Any] = {}
        #: local (password) accounts: login -> {"account", "id_nat"}
        self._accounts: dict[str, dict[str, str]] = {}

    # -- Feature protocol -----------------------------------------------------------------
    def routes(self) -> list[BaseRoute]:
        return [
            Route("/psc/login", guarded(self._login_route), methods=["POST"]),
            Route("/psc/callback", guarded(self._callback_route), methods=["GET"], name="psc_callback"),
            Route("/psc/session", guarded(self._session_route), methods=["GET", "DELETE"]),
            Route("/psc/session/refresh", guarded(self._refresh_route), methods=["POST"]),
            Route("/psc/capabilities", guarded(self._capabilities_route), methods=["GET"]),
            Route("/psc/local-accounts", guarded(self._local_account_route), methods=["POST"]),
            Route("/psc/local-login", guarded(self._local_login_route), methods=["POST"]),
            Route("/psc/logged-out", guarded(self._logged_out_route), methods=["GET"], name="psc_logged_out"),
        ]

    def configure(self, endpoints: Mapping[str, Any]) -> None:
        if "psc" not in endpoints:
            return
        config = self.service.config
        client = PscClient(_settings(endpoints["psc"]), config.defects, config.timeout)
        with self._lock:
            old, self._client = self._client, client
            self._pending.clear()
        if old is not None:
            old.close()

    def reset(self) -> None:
        with self._lock:
            self._pending.clear()
            self._session = None
            self._tokens = {}
            self._accounts.clear()

    def close(self) -> None:
        with self._lock:
            client, self._client = self._client, None
        if client is not None:
            client.close()

    # -- routes ---------------------------------------------------------------------------
    async def _login_route(self, request: Request) -> Response:
        data = await json_body(request)
        professional = data.get("professional") if isinstance(data, dict) else None
        if not isinstance(professional, str) or not professional.strip():
            raise ApiError(400, "professional (the idNat of a test professional) is required")
        mode = data.get("mode", "web") if isinstance(data, dict) else "web"
        if mode not in MODES:
            raise ApiError(400, f"mode must be one of {', '.join(MODES)}")
        redirect_uri = str(request.url_for("psc_callback"))
        return JSONResponse(await run_in_threadpool(self.login, redirect_uri, professional.strip(), mode))

    async def _callback_route(self, request: Request) -> Response:
        params = dict(request.query_params)
        return JSONResponse(await run_in_threadpool(self.callback, params))

    async def _session_route(self, request: Request) -> Response:
        if request.method == "DELETE":
            after = str(request.url_for("psc_logged_out"))
            await run_in_threadpool(self.logout, after)
            return Response(status_code=204)
        with self._lock:
            session = self._session
        if session is None:
            return JSONResponse({"logged_in": False, "professional": None, "since": None})
        return JSONResponse({"logged_in": True, **session})

    # -- the flow -------------------------------------------------------------------------
    def _configured(self) -> PscClient:
        with self._lock:
            client = self._client
        if client is None:
            raise ApiError(409, "Pro Santé Connect is not configured: PUT /config/endpoints with a psc entry")
        return client

    def login(self, redirect_uri: str, professional: str, mode: str = "web") -> dict[str, Any]:
        """Start the flow and play the browser: authorization request, then our own callback."""
        client = self._configured()
        if mode != "web":
            return self._other_mode(client, professional, mode, urlsplit(redirect_uri).path)
        try:
            url, pending = client.authorization_request(redirect_uri, professional)
        except LoginRefused as exc:
            return {"outcome": exc.outcome, "professional": None, "error": exc.message}
        now = time.time()
        with self._lock:
            for state in [s for s, p in self._pending.items() if now - p.created > PENDING_LIFETIME]:
                del self._pending[state]
            self._pending[pending.state] = pending
        browser = requests.Session()
        browser.trust_env = False
        browser.verify = client.http.verify
        try:
            answer = browser.get(url, allow_redirects=False, timeout=client.timeout)
            location = answer.headers.get("location", "")
            if answer.status_code not in (302, 303) or not location:
                detail = answer.text[:300] if answer.content else ""
                return {
                    "outcome": "error",
                    "professional": None,
                    "error": f"Pro Santé Connect answered HTTP {answer.status_code} to the authorization "
                    f"request, not a redirection: {detail}",
                }
            if location.split("?")[0] != redirect_uri:
                return {
                    "outcome": "refused",
                    "professional": None,
                    "error": f"Pro Santé Connect redirected to {location.split('?')[0]!r}, not to this DUI",
                }
            back = browser.get(location, timeout=client.timeout * 4)
            result: dict[str, Any] = back.json()
            return result
        except (requests.RequestException, ValueError) as exc:
            return {
                "outcome": "error",
                "professional": None,
                "error": f"Pro Santé Connect login interrupted: {type(exc).__name__}",
            }
        finally:
            browser.close()

    def callback(self, params: Mapping[str, str]) -> dict[str, Any]:
        """The redirect URI: match the state, exchange the code, validate, read userinfo, open the session."""
        client = self._configured()
        with self._lock:
            pending = self._pending.pop(params.get("state", ""), None)
            if pending is None and "psc_no_state_check" in client.defects and self._pending:
                latest = max(self._pending.values(), key=lambda p: p.created)
                pending = self._pending.pop(latest.state)
        if pending is None:
            return {
                "outcome": "refused",
                "professional": None,
                "error": "the state of PSC's answer matches no login in progress (forged or replayed answer)",
            }
        if params.get("error"):
            return {
                "outcome": "error",
                "professional": None,
                "error": f"Pro Santé Connect refused the login: {params['error']} — "
                f"{params.get('error_description', '')}",
            }
        if not params.get("code"):
            return {"outcome": "refused", "professional": None, "error": "PSC's answer has neither code nor error"}
        try:
            tokens = client.exchange_code(params["code"], pending)
            return self._open(client, tokens, pending)
        except LoginRefused as exc:
            return {"outcome": exc.outcome, "professional": None, "error": exc.message}

    def _other_mode(self, client: PscClient, professional: str, mode: str, path: str) -> dict[str, Any]:
        """The native-app login (loopback redirect, RFC 8252) or CIBA (poll mode)."""
        try:
            if mode == "ciba":
                return self._open(client, ciba_tokens(client, professional), None)
            params, pending = native_answer(client, professional, path)
        except LoginRefused as exc:
            return {"outcome": exc.outcome, "professional": None, "error": exc.message}
        with self._lock:
            self._pending[pending.state] = pending
        return self.callback(params)

    def _open(self, client: PscClient, tokens: dict[str, Any], pending: Pending | None) -> dict[str, Any]:
        """Validate the ID token, read userinfo, open the session in the professional's account."""
        claims = client.validate_id_token(tokens["id_token"], pending)
        userinfo = client.userinfo(tokens["access_token"], claims["sub"])
        professional = _professional(userinfo)
        id_nat = str(professional["id_nat"])
        with self._lock:
            linked = next((a["account"] for a in self._accounts.values() if a["id_nat"] == id_nat), None)
            if "psc_no_account_linking" in client.defects or linked is None:
                linked = f"psc-{id_nat}"
            self._session = {
                "professional": professional,
                "since": dt.datetime.now(dt.UTC).isoformat(),
                "account": linked,
            }
            self._tokens = {**tokens, "first_refresh_token": tokens.get("refresh_token")}
        return {"outcome": "logged_in", "professional": professional, "error": None, "account": linked}

    def logout(self, after: str) -> None:
        """End the session here, and at PSC (RP-Initiated Logout with id_token_hint)."""
        with self._lock:
            tokens, self._tokens, self._session = self._tokens, {}, None
            client = self._client
        if client is not None and tokens.get("id_token") and "psc_no_end_session" not in client.defects:
            end_session(client, tokens["id_token"], after)

    def refresh(self) -> dict[str, Any]:
        """Renew the tokens with the refresh token, keeping the rotated one (RFC 6749 §6)."""
        client = self._configured()
        with self._lock:
            tokens = dict(self._tokens)
        key = "first_refresh_token" if "psc_refresh_reuse" in client.defects else "refresh_token"
        if not tokens.get(key):
            return {"refreshed": False, "error": "nobody is logged in with Pro Santé Connect"}
        try:
            renewed = refresh(client, tokens[key])
            if renewed.get("id_token"):
                client.validate_id_token(renewed["id_token"], None)
        except LoginRefused as exc:
            return {"refreshed": False, "error": exc.message}
        with self._lock:
            self._tokens = {**tokens, **renewed}
        return {"refreshed": True, "expires_in": renewed.get("expires_in"), "error": None}

    # -- the other routes -----------------------------------------------------------------
    async def _refresh_route(self, request: Request) -> Response:
        return JSONResponse(await run_in_threadpool(self.refresh))

    async def _capabilities_route(self, request: Request) -> Response:
        return JSONResponse({"modes": list(MODES), "other_authentication": True})

    async def _local_account_route(self, request: Request) -> Response:
        data = await json_body(request)
        login, id_nat = (data.get("login"), data.get("professional")) if isinstance(data, dict) else (None, None)
        if not isinstance(login, str) or not login or not isinstance(id_nat, str) or not id_nat:
            raise ApiError(400, "login and professional (idNat) are required")
        with self._lock:
            entry = self._accounts.setdefault(login, {"account": f"local-{len(self._accounts) + 1}", "id_nat": id_nat})
        return JSONResponse({"account": entry["account"]})

    async def _local_login_route(self, request: Request) -> Response:
        data = await json_body(request)
        login = data.get("login") if isinstance(data, dict) else None
        with self._lock:
            entry = self._accounts.get(login) if isinstance(login, str) else None
        if entry is None:
            raise ApiError(404, f"no local account {login!r}")
        return JSONResponse({"account": entry["account"]})

    async def _logged_out_route(self, request: Request) -> Response:
        return JSONResponse({"logged_out": True})

    # -- the session for the other features (INSi calls backed by PSC, SC.INS/PSC.01) -------------------
    def current_professional(self) -> str | None:
        """The idNat of the professional logged in, or None."""
        with self._lock:
            session = self._session
        professional = session.get("professional") if session else None
        return str(professional.get("id_nat") or "") or None if isinstance(professional, dict) else None

    def access_token(self) -> str | None:
        """The access token of the open session, refreshed ones included (never shown by the trigger API)."""
        with self._lock:
            token = self._tokens.get("access_token") if self._session is not None else None
        return str(token) if token else None


def create(service: DuiService) -> PscFeature:
    return PscFeature(service)
