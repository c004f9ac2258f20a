"""Token and userinfo endpoints of the PSC simulator (RFC 6749 §4.1.3–4.1.4, §5; OIDC Core §3.1.3, §5.3).

Token: ``POST`` form, client authenticated by ``client_secret_basic`` or ``client_secret_post``
(never both), ``grant_type=authorization_code``, a code used once, before it expires, by the
client it was given to, with the same ``redirect_uri``, and the PKCE ``code_verifier`` when
a challenge was sent. The ID token can be made bad on purpose (faults ``bad_signature``,
``alg_none``, ``wrong_issuer``, ``expired``, ``wrong_audience``, ``wrong_nonce``).

Userinfo: ``GET``/``POST`` with one Bearer token (header, or form body; query accepted with a
warning, RFC 6750 §2.3); the claims of the token's professional in PSC's structure, or those
of another professional under the ``userinfo_other_sub`` fault.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from harness.core.findings import Finding, Severity
from harness.core.rules import rule
from harness.validators.psc_request import parse_parameters
from mocks.common.pipeline import Answer, Call
from mocks.psc.answers import FORM, NO_STORE, answer, oauth_error, read_form
from mocks.psc.realm import Client, CodeGrant, short_id
from mocks.psc.tokens import ID_TOKEN_DEFECTS

if TYPE_CHECKING:
    from mocks.psc.app import PscSimulator

__all__ = ["handle_token", "handle_userinfo"]

TOKEN_REQ, USER_REQ = "PSC-TOKEN-01", "PSC-USER-01"


class _Refusal(Exception):
    def __init__(
        self,
        status: int,
        error: str,
        description: str,
        *,
        location: str = "",
        requirement: str = TOKEN_REQ,
        headers: dict[str, str] | None = None,
        finding: bool = True,
    ) -> None:
        super().__init__(description)
        self.status, self.error, self.description = status, error, description
        self.location, self.requirement, self.headers, self.finding = location, requirement, headers, finding


@rule("psc.token", requirement="PSC-TOKEN-01", summary="token request: client authentication, grant, PKCE verifier")
async def handle_token(sim: PscSimulator, call: Call) -> Answer:
    summary: dict[str, Any] = {"operation": "token"}
    findings: list[Finding] = []
    try:
        response = await _token(sim, call, summary, findings)
    except _Refusal as refusal:
        if refusal.finding:
            findings.append(
                Finding(
                    f"psc.token.{refusal.error}",
                    refusal.requirement,
                    refusal.description,
                    Severity.ERROR,
                    refusal.location,
                )
            )
        summary.update(error=refusal.error, error_description=refusal.description)
        response = oauth_error(refusal.status, refusal.error, refusal.description, refusal.headers)
    return answer(response, summary, findings)


def _basic_credentials(header: str) -> tuple[str, str]:
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise _Refusal(
            401,
            "invalid_client",
            "Authorization: Basic credentials are not base64 of UTF-8",
            location="Authorization",
            headers={"WWW-Authenticate": 'Basic realm="esante-wallet"'},
        ) from None
    client_id, colon, secret = decoded.partition(":")
    if not colon:
        raise _Refusal(
            401,
            "invalid_client",
            "Authorization: Basic credentials have no ':' between id and secret",
            location="Authorization",
            headers={"WWW-Authenticate": 'Basic realm="esante-wallet"'},
        )
    return unquote(client_id), unquote(secret)  # RFC 6749 §2.3.1: form-urlencoded before base64


def _authenticate(sim: PscSimulator, request: Request, params: dict[str, str], summary: dict[str, Any]) -> Client:
    header = request.headers.get("authorization") or ""
    challenge = {"WWW-Authenticate": 'Basic realm="esante-wallet"'}
    if header[:6].lower() == "basic ":
        if "client_secret" in params:
            raise _Refusal(
                400,
                "invalid_request",
                "the client authenticated with both client_secret_basic and "
                "client_secret_post: use one method only (RFC 6749 §2.3)",
                location="client_secret",
            )
        client_id, secret = _basic_credentials(header)
        if params.get("client_id") not in (None, client_id):
            raise _Refusal(
                400,
                "invalid_request",
                f"client_id {params['client_id']!r} of the body differs from the authenticated client {client_id!r}",
                location="token body client_id",
            )
        summary["client_auth"] = "client_secret_basic"
    elif "client_secret" in params:
        client_id, secret = params.get("client_id", ""), params["client_secret"]
        summary["client_auth"] = "client_secret_post"
    else:
        raise _Refusal(
            401,
            "invalid_client",
            "no client authentication: send client_secret_basic (Authorization: "
            "Basic) or client_secret_post (client_id and client_secret in the body)",
            location="Authorization",
            headers=challenge,
        )
    summary["client_id"] = client_id
    client = sim.realm.client(client_id)
    if client is None or not hmac.compare_digest(client.client_secret.encode(), secret.encode()):
        raise _Refusal(
            401,
            "invalid_client",
            f"client authentication failed for client_id {client_id!r} (unknown client or wrong secret)",
            location="client credentials",
            headers=challenge,
        )
    return client


def _check_pkce(grant: CodeGrant, verifier: str | None) -> None:
    if grant.code_challenge is None:
        if verifier is not None:
            raise _Refusal(
                400,
                "invalid_grant",
                "code_verifier sent, but the authorization request had no code_challenge",
                location="token body code_verifier",
            )
        return
    if verifier is None:
        raise _Refusal(
            400,
            "invalid_grant",
            "code_verifier is missing: the authorization request sent a code_challenge (RFC 7636 §4.5)",
            location="token body code_verifier",
        )
    if grant.code_challenge_method == "S256":
        computed = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    else:
        computed = verifier
    if not hmac.compare_digest(computed, grant.code_challenge):
        raise _Refusal(
            400,
            "invalid_grant",
            f"code_verifier does not match the code_challenge ({grant.code_challenge_method}, RFC 7636 §4.6)",
            location="token body code_verifier",
        )


async def _token(sim: PscSimulator, call: Call, summary: dict[str, Any], findings: list[Finding]) -> Response:
    request = call.request
    if request.method != "POST":
        raise _Refusal(
            405,
            "invalid_request",
            f"the token endpoint accepts POST only, not {request.method}",
            location="request line",
            headers={"Allow": "POST"},
        )
    raw, why = await read_form(request, "token request")
    if why is not None:
        raise _Refusal(400, "invalid_request", why, location="Content-Type")
    parsed = parse_parameters(raw, where="token body", requirement=TOKEN_REQ)
    findings += [p.finding for p in parsed.problems]
    if parsed.problems:
        raise _Refusal(400, "invalid_request", parsed.problems[0].finding.message, finding=False)
    params = parsed.values
    client = _authenticate(sim, request, params, summary)
    grant_type = params.get("grant_type")
    summary["grant_type"] = grant_type
    if grant_type is None:
        raise _Refusal(400, "invalid_request", "grant_type is missing", location="token body grant_type")
    if grant_type != "authorization_code":
        raise _Refusal(
            400,
            "unsupported_grant_type",
            f"grant_type {grant_type!r}: this simulator implements the authorization code flow only",
            location="token body grant_type",
        )
    code = params.get("code")
    if not code:
        raise _Refusal(400, "invalid_request", "code is missing", location="token body code")
    summary["login"] = short_id(code)
    grant, why = sim.realm.redeem(code)
    if grant is None:
        raise _Refusal(400, "invalid_grant", why, location="token body code")
    summary["professional"] = grant.professional.id_nat
    if grant.client_id != client.client_id:
        raise _Refusal(
            400,
            "invalid_grant",
            f"the code was issued to client {grant.client_id!r}, not to {client.client_id!r}",
            location="token body code",
        )
    if params.get("redirect_uri") != grant.redirect_uri:
        raise _Refusal(
            400,
            "invalid_grant",
            f"redirect_uri {params.get('redirect_uri')!r} is not the one of the "
            f"authorization request ({grant.redirect_uri!r}; RFC 6749 §4.1.3)",
            location="token body redirect_uri",
        )
    _check_pkce(grant, params.get("code_verifier"))
    summary["pkce"] = grant.code_challenge_method
    early, fault = await _take_fault(sim, call, summary, status=400, error="invalid_grant")
    if early is not None:
        return early
    defect = fault.kind if fault is not None and fault.kind in ID_TOKEN_DEFECTS else None
    return _issue(sim, client, grant, defect, summary)


async def _take_fault(
    sim: PscSimulator, call: Call, summary: dict[str, Any], *, status: int, error: str
) -> tuple[Response | None, Any]:
    """The fault injected for the call's operation: ``(early answer or None, the fault or None)``.

    Common kinds (HTTP status, delay) answer or wait; ``oauth_error`` raises the OAuth error it
    describes; any other kind is returned for the endpoint to apply.
    """
    early = await sim.inject_fault(call)
    fault = call.fault
    if fault is None:
        return None, None
    summary["fault"] = call.fault_text
    if early is not None:
        summary["error"] = f"injected {fault.kind}"
        return early.response(), fault
    if fault.kind == "oauth_error":
        raise _Refusal(
            int(fault.params.get("status", status)),
            str(fault.params.get("error", error)),
            str(fault.params.get("error_description", "refused (injected by dui-harness)")),
            finding=False,
        )
    return None, fault


def _issue(
    sim: PscSimulator, client: Client, grant: CodeGrant, defect: str | None, summary: dict[str, Any]
) -> Response:
    professional = grant.professional
    access = sim.signer.access_token(
        sub=professional.sub,
        client_id=client.client_id,
        scope=grant.scope,
        lifetime=sim.realm.access_token_lifetime,
        session=grant.session,
    )
    sim.realm.store_token(grant, access)
    claims = sim.signer.id_token_claims(
        sub=professional.sub,
        client_id=client.client_id,
        nonce=grant.nonce,
        access_token=access,
        auth_time=grant.auth_time,
        session=grant.session,
        preferred_username=professional.id_nat,
        defect=defect,
    )
    id_token = sim.signer.sign_id_token(claims, defect)
    summary.update(id_token_defect=defect, id_token_claims=claims, access_token=short_id(access), issued=True)
    body = {
        "access_token": access,
        "token_type": "Bearer",
        "expires_in": sim.realm.access_token_lifetime,
        "id_token": id_token,
        "scope": grant.scope,
        "session_state": grant.session,
    }
    return JSONResponse(body, headers=NO_STORE)


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
    early, fault = await _take_fault(sim, call, summary, status=401, error="invalid_token")
    if early is not None:
        return early
    if fault is not None and fault.kind == "userinfo_other_sub":
        professional = sim.realm.other_professional(professional)
        summary["answered_for"] = professional.id_nat
    claims = professional.userinfo()
    summary.update(sub=claims["sub"], subject_name_id=claims["SubjectNameID"])
    return JSONResponse(claims, headers=NO_STORE)
