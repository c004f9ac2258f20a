"""The authorization endpoint of the PSC simulator (OIDC Core §3.1.2, RFC 6749 §4.1.1–4.1.2).

No screen: the professional who "authenticates" is the one named by ``login_hint`` (idNat or
fixture id) or selected beforehand through the control API. Answers:

* a missing or unknown ``client_id``, a missing or unregistered ``redirect_uri``, or a repeated
  parameter: **400** with an OAuth 2.0 error JSON, never a redirect (RFC 6749 §4.1.2.1);
* any other faulty parameter (response_type, scope, ``acr_values=eidas1``, ``state``,
  ``nonce``, PKCE): **302** to the redirect URI with ``error``, ``error_description`` and the
  client's ``state``;
* success: **302** to the redirect URI with ``code`` and ``state`` (or another ``state`` when
  the ``wrong_state`` fault is set: a forged answer the DUI must refuse).

``response_mode=form_post`` (OAuth 2.0 Form Post Response Mode): the same answers as an HTML page
whose form the browser POSTs to the redirect URI. Another response mode is refused as
unsupported, without a finding against the DUI.
"""

from __future__ import annotations

import html
import secrets
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from starlette.responses import HTMLResponse, RedirectResponse, Response

from harness.core.findings import Finding, Severity
from harness.core.rules import rule
from harness.validators.psc_request import Problem, check_authorize, parse_parameters
from mocks.common.pipeline import Answer, Call
from mocks.psc.answers import FORM, answer, oauth_error, read_form
from mocks.psc.realm import short_id

if TYPE_CHECKING:
    from mocks.psc.app import PscSimulator

__all__ = ["handle_authorize"]

REQ = "PSC-AUTHZ-01"


RESPONSE_MODES = ("query", "form_post")


def _redirect(uri: str, params: dict[str, str], mode: str | None = None) -> Response:
    if mode == "form_post":
        fields = "".join(
            f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">' for k, v in params.items()
        )
        page = (
            "<!DOCTYPE html><html lang=fr><head><title>Pro Santé Connect</title></head>"
            '<body onload="document.forms[0].submit()">'
            f'<form method="post" action="{html.escape(uri)}">{fields}'
            "<noscript><button>Continuer / Continue</button></noscript></form></body></html>"
        )
        return HTMLResponse(page, headers={"Cache-Control": "no-store"})
    separator = "&" if "?" in uri else "?"
    response = RedirectResponse(uri + separator + urlencode(params), status_code=302)
    response.headers["Cache-Control"] = "no-store"
    return response


def _finding(rule: str, message: str, location: str) -> Problem:
    return Problem(Finding(rule, REQ, message, Severity.ERROR, location))


async def handle_authorize(sim: PscSimulator, call: Call) -> Answer:
    summary: dict[str, Any] = {"operation": "authorize"}
    problems: list[Problem] = []
    response = await _authorize(sim, call, summary, problems)
    return answer(response, summary, [p.finding for p in problems])


@rule("psc.authorize.content_type", requirement="PSC-AUTHZ-01", summary="a form POST of the authorization request")
@rule("psc.authorize.method", requirement="PSC-AUTHZ-01", summary="GET or POST")
@rule("psc.authorize.client_missing", requirement="PSC-AUTHZ-01", summary="client_id sent")
@rule("psc.authorize.client_unknown", requirement="PSC-AUTHZ-01", summary="a registered client_id")
@rule("psc.authorize.redirect_missing", requirement="PSC-AUTHZ-01", summary="redirect_uri sent")
@rule("psc.authorize.redirect_mismatch", requirement="PSC-AUTHZ-01", summary="a registered redirect_uri")
async def _authorize(sim: PscSimulator, call: Call, summary: dict[str, Any], problems: list[Problem]) -> Response:
    request = call.request
    where = "authorize query"
    if request.method == "POST":
        raw, refusal = await read_form(request, "authorization request")
        if refusal is not None:
            problems.append(_finding("psc.authorize.content_type", refusal, "Content-Type"))
            return _refuse(summary, 400, "invalid_request", refusal)
        where = "authorize body"
    elif request.method == "GET":
        raw = request.url.query
    else:
        message = f"the authorization endpoint accepts GET and POST ({FORM}), not {request.method}"
        problems.append(_finding("psc.authorize.method", message, "request line"))
        return _refuse(summary, 405, "invalid_request", message, {"Allow": "GET, POST"})
    parsed = parse_parameters(raw, where=where, requirement=REQ)
    params = parsed.values
    summary.update(
        {
            k: params.get(k)
            for k in (
                "client_id",
                "redirect_uri",
                "response_type",
                "scope",
                "acr_values",
                "login_hint",
                "code_challenge_method",
                "prompt",
                "response_mode",
            )
        }
    )
    summary.update(
        state_sent=bool(params.get("state")),
        nonce_sent=bool(params.get("nonce")),
        pkce=bool(params.get("code_challenge")),
    )
    problems += parsed.problems
    client = sim.realm.client(params.get("client_id"))
    redirect_uri = params.get("redirect_uri")
    if parsed.problems:
        return _refuse(summary, 400, "invalid_request", parsed.problems[0].finding.message)
    if not params.get("client_id"):
        problems.append(_finding("psc.authorize.client_missing", "client_id is missing", f"{where} client_id"))
        return _refuse(summary, 400, "invalid_request", "client_id is missing")
    if client is None:
        message = f"client_id {params['client_id']!r} is not registered at this Pro Santé Connect realm"
        problems.append(_finding("psc.authorize.client_unknown", message, f"{where} client_id"))
        return _refuse(summary, 400, "unauthorized_client", message)
    if not redirect_uri:
        message = "redirect_uri is missing (OIDC Core §3.1.2.1: REQUIRED)"
        problems.append(_finding("psc.authorize.redirect_missing", message, f"{where} redirect_uri"))
        return _refuse(summary, 400, "invalid_request", message)
    if not client.allows_redirect(redirect_uri):
        message = (
            f"redirect_uri {redirect_uri!r} is not registered for client {client.client_id!r} "
            f"(registered: {', '.join(client.redirect_uris)}; loopback URIs match any port)"
        )
        problems.append(_finding("psc.authorize.redirect_mismatch", message, f"{where} redirect_uri"))
        return _refuse(summary, 400, "invalid_request", message)

    state = params.get("state")
    back = {"state": state} if state else {}
    mode = params.get("response_mode")
    if mode not in (None, *RESPONSE_MODES):
        why = (
            f"response_mode {mode!r} is not offered by this realm ({', '.join(RESPONSE_MODES)}): refused as unsupported"
        )
        return _refuse_to(redirect_uri, summary, "invalid_request", why, back)
    problems += check_authorize(params, where=where)
    blocking = next((p for p in problems if p.blocking), None)
    if blocking is not None:
        message = blocking.finding.message
        return _refuse_to(redirect_uri, summary, blocking.error or "invalid_request", message, back, mode)
    professional, why = sim.realm.who_logs_in(params.get("login_hint"))
    if professional is None:
        return _refuse_to(redirect_uri, summary, "access_denied", why, back, mode)
    summary["professional"] = professional.id_nat
    early = await sim.inject_fault(call)
    fault = call.fault
    if fault is not None:
        summary["fault"] = call.fault_text
        if early is not None:
            summary["error"] = f"injected {fault.kind}"
            return early.response()
        if fault.kind == "oauth_error":
            error = str(fault.params.get("error", "access_denied"))
            text = str(fault.params.get("error_description", "authentication cancelled (injected by dui-harness)"))
            return _refuse_to(redirect_uri, summary, error, text, back, mode)
    grant = sim.realm.issue_code(client, redirect_uri, professional, params)
    summary.update(code_issued=True, login=short_id(grant.code), session=grant.session)
    returned_state = state or ""
    if fault is not None and fault.kind == "wrong_state":
        returned_state = secrets.token_urlsafe(24)
        summary["state_returned"] = "forged"
    summary["answered"] = mode or "query"
    return _redirect(redirect_uri, {"code": grant.code, "state": returned_state}, mode)


def _refuse(
    summary: dict[str, Any], status: int, error: str, description: str, headers: dict[str, str] | None = None
) -> Response:
    summary.update(error=error, error_description=description, answered="json")
    return oauth_error(status, error, description, headers)


def _refuse_to(
    uri: str, summary: dict[str, Any], error: str, description: str, back: dict[str, str], mode: str | None = None
) -> Response:
    summary.update(
        error=error, error_description=description, answered="form_post" if mode == "form_post" else "redirect"
    )
    return _redirect(
        uri, {"error": error, "error_description": description, **back}, mode if mode == "form_post" else None
    )
