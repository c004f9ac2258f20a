"""Token and userinfo endpoints of the PSC simulator (RFC 6749 §4.1.3–4.1.4, §5; OIDC Core §3.1.3, §5.3).

Token: ``POST`` form, client authenticated by one method of :mod:`mocks.psc.client_auth`
(``client_secret_basic``, ``client_secret_post``, ``private_key_jwt``), and one of three grants:

* ``authorization_code``: a code used once, before it expires, by the client it was given to,
  with the same ``redirect_uri``, and the PKCE ``code_verifier`` when a challenge was sent;
* ``refresh_token`` (RFC 6749 §6): rotation, expiry, family revocation on replay
  (:meth:`mocks.psc.realm.Realm.use_refresh`);
* ``urn:openid:params:grant-type:ciba`` (CIBA Core §10.1, poll mode): :mod:`mocks.psc.ciba`.

Any other grant type is refused as unsupported, with no finding against the DUI. The ID token
can be made bad on purpose (faults ``bad_signature``, ``alg_none``, ``wrong_issuer``,
``expired``, ``wrong_audience``, ``wrong_nonce``). Userinfo lives in :mod:`mocks.psc.userinfo`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import TYPE_CHECKING, Any

from starlette.responses import JSONResponse, Response

from harness.core.findings import Finding, Severity
from harness.core.rules import rule
from harness.validators.psc_request import parse_parameters
from mocks.common.pipeline import Answer, Call
from mocks.psc.answers import NO_STORE, Refusal, answer, oauth_error, read_form
from mocks.psc.client_auth import authenticate
from mocks.psc.realm import Client, CodeGrant, RefreshGrant, short_id
from mocks.psc.tokens import ID_TOKEN_DEFECTS

if TYPE_CHECKING:
    from mocks.psc.app import PscSimulator

__all__ = ["CIBA_GRANT", "handle_token", "issue_tokens", "take_fault"]

TOKEN_REQ = "PSC-TOKEN-01"


_Refusal = Refusal
CIBA_GRANT = "urn:openid:params:grant-type:ciba"
#: the rule family of a refusal's findings, by requirement (the token endpoint serves three grants)
RULE_OF = {"PSC-REFRESH-01": "psc.refresh", "PSC-CIBA-01": "psc.ciba"}


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
                    f"{RULE_OF.get(refusal.requirement, 'psc.token')}.{refusal.error}",
                    refusal.requirement,
                    refusal.description,
                    Severity.ERROR,
                    refusal.location,
                )
            )
        summary.update(error=refusal.error, error_description=refusal.description)
        response = oauth_error(refusal.status, refusal.error, refusal.description, refusal.headers)
    return answer(response, summary, findings)


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
    endpoint = sim.metadata()["token_endpoint"]
    client = authenticate(sim, request, params, summary, endpoint=endpoint)
    grant_type = params.get("grant_type")
    summary["grant_type"] = grant_type
    if grant_type is None:
        raise _Refusal(400, "invalid_request", "grant_type is missing", location="token body grant_type")
    if grant_type == "refresh_token":
        return await _refresh(sim, call, client, params, summary)
    if grant_type == CIBA_GRANT:
        from mocks.psc.ciba import poll  # the CIBA module needs issue_tokens: imported when used

        return poll(sim, client, params, summary)
    if grant_type != "authorization_code":
        raise _Refusal(
            400,
            "unsupported_grant_type",
            f"grant_type {grant_type!r} is not offered by this Pro Santé Connect realm "
            "(authorization_code, refresh_token, CIBA): refused as unsupported, not judged",
            location="token body grant_type",
            finding=False,
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
    summary["redirect_uri"] = grant.redirect_uri
    early, fault = await take_fault(sim, call, summary, status=400, error="invalid_grant")
    if early is not None:
        return early
    defect = fault.kind if fault is not None and fault.kind in ID_TOKEN_DEFECTS else None
    return issue_tokens(sim, client, grant, defect, summary, nonce=grant.nonce)


@rule("psc.refresh", requirement="PSC-REFRESH-01", summary="refresh: the latest refresh token, by its own client")
async def _refresh(
    sim: PscSimulator, call: Call, client: Client, params: dict[str, str], summary: dict[str, Any]
) -> Response:
    """RFC 6749 §6 with rotation: the old refresh token is spent, a new one is issued in its family."""
    token = params.get("refresh_token")
    if not token:
        raise _Refusal(
            400, "invalid_request", "refresh_token is missing", location="token body", requirement="PSC-REFRESH-01"
        )
    summary["refresh_token"] = short_id(token)
    grant, why = sim.realm.use_refresh(token, client.client_id)
    if grant is None:
        # the DUI's fault: a rotated token presented again, or another client's; an expired or revoked
        # one (after logout, after a replay already judged) is an ordinary answer the DUI must handle
        fault = "already used" in why or "issued to client" in why
        summary["replay"] = "already used" in why
        raise _Refusal(
            400,
            "invalid_grant",
            why,
            location="token body refresh_token",
            requirement="PSC-REFRESH-01",
            finding=fault,
        )
    summary.update(professional=grant.professional.id_nat, family=grant.family, session=grant.session)
    asked = params.get("scope")
    if asked and not set(asked.split()) <= set(grant.scope.split()):
        raise _Refusal(
            400,
            "invalid_scope",
            f"scope {asked!r} exceeds the one originally granted ({grant.scope!r}; RFC 6749 §6)",
            location="token body scope",
            requirement="PSC-REFRESH-01",
        )
    early, _ = await take_fault(sim, call, summary, status=400, error="invalid_grant")
    if early is not None:
        return early
    return issue_tokens(sim, client, grant, None, summary, nonce=None)


async def take_fault(
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


def issue_tokens(
    sim: PscSimulator,
    client: Client,
    grant: CodeGrant | RefreshGrant | Any,
    defect: str | None,
    summary: dict[str, Any],
    *,
    nonce: str | None,
) -> Response:
    """The token response of ``grant``: access token, refresh token (a new one in the family), ID token."""
    professional = grant.professional
    access = sim.signer.access_token(
        sub=professional.sub,
        client_id=client.client_id,
        scope=grant.scope,
        lifetime=sim.realm.access_token_lifetime,
        session=grant.session,
    )
    sim.realm.store_token(grant, access)
    refresh = sim.realm.issue_refresh(grant)
    claims = sim.signer.id_token_claims(
        sub=professional.sub,
        client_id=client.client_id,
        nonce=nonce,
        access_token=access,
        auth_time=grant.auth_time,
        session=grant.session,
        preferred_username=professional.id_nat,
        defect=defect,
    )
    id_token = sim.signer.sign_id_token(claims, defect)
    summary.update(
        id_token_defect=defect,
        id_token_claims=claims,
        access_token=short_id(access),
        new_refresh_token=short_id(refresh.refresh_token),
        family=grant.family,
        session=grant.session,
        issued=True,
    )
    body = {
        "access_token": access,
        "token_type": "Bearer",
        "expires_in": sim.realm.access_token_lifetime,
        "refresh_token": refresh.refresh_token,
        "refresh_expires_in": sim.realm.refresh_token_lifetime,
        "id_token": id_token,
        "scope": grant.scope,
        "session_state": grant.session,
    }
    return JSONResponse(body, headers=NO_STORE)
