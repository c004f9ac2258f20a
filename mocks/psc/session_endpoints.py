"""Logout, revocation and introspection endpoints of the PSC simulator.

=========================================================  ==========================================
``GET|POST {issuer}/protocol/openid-connect/logout``        end_session_endpoint (OIDC RP-Initiated
                                                            Logout 1.0): ``id_token_hint``,
                                                            ``post_logout_redirect_uri``, ``state``
``POST {issuer}/protocol/openid-connect/revoke``            RFC 7009 token revocation
``POST {issuer}/protocol/openid-connect/token/introspect``  RFC 7662 token introspection
=========================================================  ==========================================

Logout with a valid ``id_token_hint`` (an expired one is accepted, §2) ends the PSC session of its
``sid``: every token of the session is revoked; the answer redirects to a registered
``post_logout_redirect_uri`` (with ``state``) or shows a page. Without ``id_token_hint`` PSC
(Keycloak) asks the professional to confirm: the session is *not* ended, which the suite sees.
Revocation answers 200 even for an unknown token (RFC 7009 §2.2); a refresh token takes its family
with it. Introspection answers ``{"active": ...}`` to any authenticated registered client (resource
servers of other simulators may call :meth:`mocks.psc.app.PscSimulator.introspect` in-process).
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from harness.core.findings import Finding, Severity
from harness.core.rules import rule
from harness.validators.psc_request import parse_parameters
from mocks.common.pipeline import Answer, Call
from mocks.psc.answers import NO_STORE, Refusal, answer, oauth_error, read_form
from mocks.psc.client_auth import authenticate
from mocks.psc.realm import short_id

if TYPE_CHECKING:
    from mocks.psc.app import PscSimulator

__all__ = ["handle_introspect", "handle_logout", "handle_revoke"]

REQ = "PSC-LOGOUT-01"


def _findings(refusal: Refusal, prefix: str) -> list[Finding]:
    if not refusal.finding:
        return []
    return [Finding(f"{prefix}.{refusal.error}", REQ, refusal.description, Severity.ERROR, refusal.location)]


async def _params(call: Call, what: str, *, get: bool) -> dict[str, str]:
    request = call.request
    if request.method == "GET" and get:
        raw, where = request.url.query, f"{what} query"
    elif request.method == "POST":
        raw, why = await read_form(request, what)
        if why is not None:
            raise Refusal(400, "invalid_request", why, location="Content-Type", requirement=REQ)
        where = f"{what} body"
    else:
        allowed = "GET, POST" if get else "POST"
        raise Refusal(
            405, "invalid_request", f"the {what} accepts {allowed}", requirement=REQ, headers={"Allow": allowed}
        )
    parsed = parse_parameters(raw, where=where, requirement=REQ)
    if parsed.problems:
        raise Refusal(400, "invalid_request", parsed.problems[0].finding.message, location=where, requirement=REQ)
    return parsed.values


@rule("psc.logout", requirement="PSC-LOGOUT-01", summary="logout at PSC: id_token_hint, registered post-logout URI")
async def handle_logout(sim: PscSimulator, call: Call) -> Answer:
    summary: dict[str, Any] = {"operation": "logout"}
    try:
        response = await _logout(sim, call, summary)
        findings: list[Finding] = []
    except Refusal as refusal:
        findings = _findings(refusal, "psc.logout")
        summary.update(error=refusal.error, error_description=refusal.description)
        response = oauth_error(refusal.status, refusal.error, refusal.description, refusal.headers)
    return answer(response, summary, findings)


async def _logout(sim: PscSimulator, call: Call, summary: dict[str, Any]) -> Response:
    params = await _params(call, "logout request", get=True)
    hint, after, state = params.get("id_token_hint"), params.get("post_logout_redirect_uri"), params.get("state")
    summary.update(id_token_hint=bool(hint), post_logout_redirect_uri=after, state_sent=bool(state))
    client_id = params.get("client_id")
    claims: dict[str, Any] = {}
    if hint:
        try:
            claims = sim.signer.verify(hint)
        except ValueError:
            raise Refusal(
                400,
                "invalid_request",
                "id_token_hint is not an ID token of this realm (signature not verified)",
                location="logout id_token_hint",
                requirement=REQ,
            ) from None
        audience = claims.get("aud")
        audiences = [str(a) for a in (audience if isinstance(audience, list) else [audience])]
        if client_id is not None and client_id not in audiences:
            raise Refusal(
                400,
                "invalid_request",
                f"client_id {client_id!r} is not the audience of the id_token_hint",
                location="logout client_id",
                requirement=REQ,
            )
        client_id = client_id or audiences[0]
    summary["client_id"] = client_id
    client = sim.realm.client(client_id)
    if after is not None:
        if client is None:
            raise Refusal(
                400,
                "invalid_request",
                "post_logout_redirect_uri without id_token_hint nor client_id: the client cannot be known "
                "(OIDC RP-Initiated Logout 1.0 §2)",
                location="logout post_logout_redirect_uri",
                requirement=REQ,
            )
        if not client.allows_post_logout(after):
            raise Refusal(
                400,
                "invalid_request",
                f"post_logout_redirect_uri {after!r} is not registered for client {client.client_id!r} (§3)",
                location="logout post_logout_redirect_uri",
                requirement=REQ,
            )
    early, _ = await _fault(sim, call, summary)
    if early is not None:
        return early
    if not hint:
        summary["session_ended"] = False
        page = "<p>Voulez-vous vous déconnecter ? / Do you want to log out?</p>"
        return HTMLResponse(f"<!DOCTYPE html><html lang=fr><body>{page}</body></html>", headers=NO_STORE)
    session = str(claims.get("sid", ""))
    revoked = sim.realm.end_session(session)
    summary.update(session_ended=True, session=session, revoked=revoked, professional=claims.get("preferred_username"))
    if after is not None:
        target = after + (("&" if "?" in after else "?") + urlencode({"state": state}) if state else "")
        return RedirectResponse(target, status_code=302, headers=NO_STORE)
    return HTMLResponse(
        "<!DOCTYPE html><html lang=fr><body><p>Vous êtes déconnecté de Pro Santé Connect / "
        f"You are logged out of Pro Santé Connect ({html.escape(session)}).</p></body></html>",
        headers=NO_STORE,
    )


async def _fault(sim: PscSimulator, call: Call, summary: dict[str, Any]) -> tuple[Response | None, Any]:
    from mocks.psc.token_endpoint import take_fault

    return await take_fault(sim, call, summary, status=400, error="invalid_request")


@rule("psc.revoke", requirement="PSC-LOGOUT-01", summary="token revocation (RFC 7009) by the client it was issued to")
async def handle_revoke(sim: PscSimulator, call: Call) -> Answer:
    summary: dict[str, Any] = {"operation": "revoke"}
    try:
        params = await _params(call, "revocation request", get=False)
        endpoint = sim.metadata()["revocation_endpoint"]
        client = authenticate(sim, call.request, params, summary, endpoint=endpoint, requirement=REQ)
        token = params.get("token")
        if not token:
            raise Refusal(400, "invalid_request", "token is missing (RFC 7009 §2.1)", location="body", requirement=REQ)
        hint = params.get("token_type_hint")
        summary.update(token=short_id(token), token_type_hint=hint)
        early, _ = await _fault(sim, call, summary)
        if early is not None:
            return answer(early, summary)
        kind, refusal = sim.realm.revoke(token, client.client_id, hint)
        if refusal:
            raise Refusal(400, "unauthorized_client", refusal, location="body token", requirement=REQ)
        summary.update(revoked=kind)
        response: Response = Response(status_code=200, headers=NO_STORE)
        findings: list[Finding] = []
    except Refusal as refusal:
        findings = (
            [Finding(f"psc.revoke.{refusal.error}", REQ, refusal.description, Severity.ERROR, refusal.location)]
            if refusal.finding
            else []
        )
        summary.update(error=refusal.error, error_description=refusal.description)
        response = oauth_error(refusal.status, refusal.error, refusal.description, refusal.headers)
    return answer(response, summary, findings)


async def handle_introspect(sim: PscSimulator, call: Call) -> Answer:
    """RFC 7662: never a finding against the DUI (resource servers introspect, the DUI need not)."""
    summary: dict[str, Any] = {"operation": "introspect"}
    try:
        params = await _params(call, "introspection request", get=False)
        endpoint = sim.metadata()["introspection_endpoint"]
        client = authenticate(sim, call.request, params, summary, endpoint=endpoint, requirement=REQ)
        token = params.get("token")
        if not token:
            raise Refusal(400, "invalid_request", "token is missing (RFC 7662 §2.1)", requirement=REQ)
        early, _ = await _fault(sim, call, summary)
        if early is not None:
            return answer(early, summary)
        result = sim.introspect(token)
        summary.update(token=short_id(token), active=result["active"], asked_by=client.client_id)
        response: Response = JSONResponse(result, headers=NO_STORE)
    except Refusal as refusal:
        summary.update(error=refusal.error, error_description=refusal.description)
        response = oauth_error(refusal.status, refusal.error, refusal.description, refusal.headers)
    return answer(response, summary)
