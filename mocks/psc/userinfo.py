"""Userinfo endpoint of the PSC simulator (OIDC Core §5.3; RFC 6750 for the Bearer token).

``GET``/``POST`` with one Bearer token (header, or form body; query accepted with a warning,
RFC 6750 §2.3); the claims of the token's professional in PSC's structure, or those of another
professional under the ``userinfo_other_sub`` fault.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from harness.core.findings import Finding, Severity
from harness.core.rules import rule
from harness.validators.psc_request import parse_parameters
from mocks.common.pipeline import Answer, Call
from mocks.psc.answers import FORM, NO_STORE, Refusal, answer, oauth_error, read_form
from mocks.psc.realm import short_id
from mocks.psc.token_endpoint import take_fault

if TYPE_CHECKING:
    from mocks.psc.app import PscSimulator

__all__ = ["handle_userinfo"]

USER_REQ = "PSC-USER-01"
_Refusal = Refusal


@rule("psc.userinfo", requirement="PSC-USER-01", summary="userinfo request: a Bearer access token in the header")
async def handle_userinfo(sim: PscSimulator, call: Call) -> Answer:
    summary: dict[str, Any] = {"operation": "userinfo"}
    findings: list[Finding] = []
    try:
        response = await _userinfo(sim, call, summary, findings)
    except _Refusal as refusal:
        if refusal.finding:
            findings.append(
                Finding(
                    f"psc.userinfo.{refusal.error}",
                    refusal.requirement,
                    refusal.description,
                    Severity.ERROR,
                    refusal.location,
                )
            )
        summary.update(error=refusal.error, error_description=refusal.description)
        challenge = f'Bearer realm="esante-wallet", error="{refusal.error}"'
        headers = {"WWW-Authenticate": challenge} if refusal.status == 401 else {}
        response = oauth_error(
            refusal.status, refusal.error, refusal.description, {**headers, **(refusal.headers or {})}
        )
    return answer(response, summary, findings)


async def _bearer(request: Request, findings: list[Finding]) -> str:
    found: list[tuple[str, str]] = []
    header = request.headers.get("authorization") or ""
    if header[:7].lower() == "bearer ":
        found.append(("Authorization header", header[7:].strip()))
    elif header:
        raise _Refusal(
            401,
            "invalid_request",
            f"Authorization scheme {header.split()[0]!r}: userinfo expects 'Bearer <access_token>' (RFC 6750 §2.1)",
            location="Authorization",
            requirement=USER_REQ,
        )
    if request.method == "POST" and (request.headers.get("content-type") or "").startswith(FORM):
        raw, _ = await read_form(request, "userinfo request")
        body = parse_parameters(raw, where="userinfo body", requirement=USER_REQ)
        if "access_token" in body.values:
            found.append(("form body", body.values["access_token"]))
    query = parse_parameters(request.url.query, where="userinfo query", requirement=USER_REQ)
    if "access_token" in query.values:
        findings.append(
            Finding(
                "psc.userinfo.token_in_query",
                USER_REQ,
                "the access token is sent in the URI query: it leaks into logs (RFC 6750 §2.3: SHOULD NOT)",
                Severity.WARNING,
                "userinfo query access_token",
            )
        )
        found.append(("URI query", query.values["access_token"]))
    if not found:
        raise _Refusal(
            401,
            "invalid_request",
            "no access token: send Authorization: Bearer <access_token>",
            location="Authorization",
            requirement=USER_REQ,
        )
    if len(found) > 1:
        raise _Refusal(
            400,
            "invalid_request",
            "the access token is sent by more than one method (" + ", ".join(w for w, _ in found) + "; RFC 6750 §2)",
            location="Authorization",
            requirement=USER_REQ,
        )
    return found[0][1]


async def _userinfo(sim: PscSimulator, call: Call, summary: dict[str, Any], findings: list[Finding]) -> Response:
    request = call.request
    if request.method not in ("GET", "POST"):
        raise _Refusal(
            405,
            "invalid_request",
            f"userinfo accepts GET and POST, not {request.method}",
            location="request line",
            requirement=USER_REQ,
            headers={"Allow": "GET, POST"},
        )
    token = await _bearer(request, findings)
    summary["access_token"] = short_id(token)
    grant, why = sim.realm.token(token)
    if grant is None:
        raise _Refusal(401, "invalid_token", why, location="Authorization", requirement=USER_REQ)
    professional = grant.professional
    summary.update(client_id=grant.client_id, professional=professional.id_nat)
    early, fault = await take_fault(sim, call, summary, status=401, error="invalid_token")
    if early is not None:
        return early
    if fault is not None and fault.kind == "userinfo_other_sub":
        professional = sim.realm.other_professional(professional)
        summary["answered_for"] = professional.id_nat
    claims = professional.userinfo()
    summary.update(sub=claims["sub"], subject_name_id=claims["SubjectNameID"])
    return JSONResponse(claims, headers=NO_STORE)
