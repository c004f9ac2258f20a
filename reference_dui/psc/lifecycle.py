"""The reference DUI's Pro Santé Connect session beyond the web login: refresh (with rotation),
logout at PSC (RP-Initiated Logout), CIBA (poll mode) and the native-app login (RFC 8252).

Each defect switch removes exactly one good practice:

* ``psc_refresh_reuse``: keeps the first refresh token of the login, never the rotated one;
* ``psc_no_end_session``: logs out locally only, PSC's session stays open;
* ``psc_ciba_poll_too_fast``: polls the token endpoint without waiting the interval;
* ``psc_native_no_pkce``: the native login sends no PKCE challenge (RFC 8252 §8.1: MUST).
"""

from __future__ import annotations

import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import requests

from reference_dui.psc.client import LoginRefused, Pending, PscClient

__all__ = ["ciba_tokens", "end_session", "native_answer", "refresh"]

CIBA_GRANT = "urn:openid:params:grant-type:ciba"
#: the most polls of one CIBA login (bounded loop)
MAX_POLLS = 20


def refresh(client: PscClient, refresh_token: str) -> dict[str, Any]:
    """RFC 6749 §6: new tokens for ``refresh_token`` (the caller keeps the rotated one)."""
    return client.token_request({"grant_type": "refresh_token", "refresh_token": refresh_token}, "the refresh")


def end_session(client: PscClient, id_token: str, after: str) -> str:
    """Play the browser to PSC's end_session_endpoint (id_token_hint, post_logout_redirect_uri, state);
    an empty string when PSC logged out and sent us back, otherwise why not."""
    endpoint = client.metadata().get("end_session_endpoint")
    if not isinstance(endpoint, str):
        return "the discovery document has no end_session_endpoint"
    state = secrets.token_urlsafe(16)
    params = {"id_token_hint": id_token, "post_logout_redirect_uri": after, "state": state}
    try:
        answer = client.http.get(endpoint, params=params, allow_redirects=False, timeout=client.timeout)
    except requests.RequestException as exc:
        return f"Pro Santé Connect unreachable at logout: {type(exc).__name__}"
    location = answer.headers.get("location", "")
    if answer.status_code in (302, 303) and location.split("?")[0] == after:
        back = dict(parse_qsl(urlsplit(location).query))
        return "" if back.get("state") == state else "PSC's logout answer carries another state"
    return f"Pro Santé Connect answered HTTP {answer.status_code} to the logout"


def ciba_tokens(client: PscClient, login_hint: str) -> dict[str, Any]:
    """CIBA Core §7 and §10 (poll mode): ask PSC to authenticate the professional on their device, then
    poll the token endpoint every ``interval`` seconds (more after ``slow_down``) until they decide."""
    endpoint = client.metadata().get("backchannel_authentication_endpoint")
    if not isinstance(endpoint, str):
        raise LoginRefused("error", "Pro Santé Connect offers no CIBA endpoint (discovery)")
    started = client._json(
        "POST",
        endpoint,
        "the CIBA request",
        data={
            "scope": "openid scope_all",
            "login_hint": login_hint,
            "acr_values": "eidas1",
            "binding_message": f"DUI-{secrets.randbelow(10000):04d}",
        },
        headers=client.basic_auth(),
    )
    auth_req_id, interval = started.get("auth_req_id"), started.get("interval", 5)
    if not isinstance(auth_req_id, str) or not isinstance(interval, int):
        raise LoginRefused("refused", "the CIBA answer has no auth_req_id or interval")
    deadline = time.monotonic() + min(float(started.get("expires_in", 60)), 60.0)
    for _ in range(MAX_POLLS):
        if "psc_ciba_poll_too_fast" not in client.defects:
            time.sleep(interval)
        if time.monotonic() > deadline:
            break
        try:
            answer = client.http.post(
                client.metadata()["token_endpoint"],
                data={"grant_type": CIBA_GRANT, "auth_req_id": auth_req_id},
                headers=client.basic_auth(),
                timeout=client.timeout,
            )
            body = answer.json()
        except (requests.RequestException, ValueError) as exc:
            raise LoginRefused("error", f"CIBA polling interrupted: {type(exc).__name__}") from None
        if answer.status_code == 200 and isinstance(body, dict):
            return body
        error = body.get("error") if isinstance(body, dict) else None
        if error == "slow_down":
            interval += 5  # CIBA Core §11
        elif error != "authorization_pending":
            raise LoginRefused("error", f"Pro Santé Connect ended the CIBA login: {error}")
    raise LoginRefused("error", "the professional did not answer the CIBA request in time")


class _Catcher(BaseHTTPRequestHandler):
    """The native app's loopback listener: takes PSC's answer once, tells the browser to close."""

    def do_GET(self) -> None:
        self.server.answer = dict(parse_qsl(urlsplit(self.path).query))  # type: ignore[attr-defined]
        body = "Connexion terminée, vous pouvez fermer cette fenêtre / Login done, close this window".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # silence the default stderr log
        return


def native_answer(client: PscClient, professional: str, path: str) -> tuple[dict[str, str], Pending]:
    """RFC 8252: a loopback listener on a port chosen now (``http://127.0.0.1:<port><path>``: the path is
    registered, any port matches, §7.3), PKCE S256, and the external browser (played here) sent to PSC;
    PSC's answer as the listener caught it."""
    server = HTTPServer(("127.0.0.1", 0), _Catcher)
    server.timeout = client.timeout * 2
    server.answer = {}  # type: ignore[attr-defined]
    redirect_uri = f"http://127.0.0.1:{server.server_port}{path}"
    pkce = "psc_native_no_pkce" not in client.defects
    listener = threading.Thread(target=server.handle_request, daemon=True)
    try:
        url, pending = client.authorization_request(redirect_uri, professional, pkce=pkce)
        listener.start()
        browser = requests.Session()
        browser.trust_env = False
        browser.verify = client.http.verify
        with browser:
            answer = browser.get(url, allow_redirects=False, timeout=client.timeout)
            location = answer.headers.get("location", "")
            if answer.status_code not in (302, 303) or location.split("?")[0] != redirect_uri:
                raise LoginRefused("error", f"PSC did not send the browser back to the app (HTTP {answer.status_code})")
            browser.get(location, timeout=client.timeout)
        listener.join(client.timeout * 2)
        caught: dict[str, str] = server.answer  # type: ignore[attr-defined]
    except requests.RequestException as exc:
        raise LoginRefused("error", f"native login interrupted: {type(exc).__name__}") from None
    finally:
        server.server_close()
    if not caught:
        raise LoginRefused("error", "the loopback listener received no answer from the browser")
    return caught, pending
