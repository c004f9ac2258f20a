"""CIBA of the PSC simulator (OpenID Connect Client-Initiated Backchannel Authentication Core 1.0,
poll mode): the DUI asks PSC to authenticate a professional on their own device (e-CPS), then
polls the token endpoint until the simulated professional has consented.

``POST {issuer}/protocol/openid-connect/ext/ciba/auth`` (Keycloak's path): client authenticated,
``scope`` with ``openid``, exactly one hint (``login_hint`` = idNat, or ``id_token_hint``),
optional ``binding_message``, ``acr_values``, ``requested_expiry`` → ``{auth_req_id, expires_in,
interval}`` (§7.3). The token endpoint's ``grant_type=urn:openid:params:grant-type:ciba`` answers
``authorization_pending`` until the professional decides, ``slow_down`` (and +5 s of interval,
§11) to a client polling faster than ``interval``, ``access_denied`` when they refuse,
``expired_token`` after ``expires_in``, then the tokens once (§10.1.1, §11).

The professional's decision is simulated (control API state): ``ciba_consent`` ``approve``
(default), ``deny`` or ``ignore``, taken after ``ciba_polls_before_consent`` polls (default 1);
``ciba_interval`` (default 1 s), ``ciba_lifetime`` (default 120 s).

The 1 s default is also the shortest interval the simulator may announce: CIBA Core §7.3 makes
``interval`` "a JSON number with a positive integer value" (Keycloak, behind PSC, sends an integer),
so a DUI may read it as an integer — a fractional one would be read as 0 or refused, and a conformant
DUI then polling too fast would be judged on the simulator's own fault. A CIBA login therefore costs
one second per poll: the bench's two CIBA scenarios take ~3 s (an approval after one pending poll, a
refusal at the first poll), which only fewer polls could shorten, each poll being part of what is judged.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from starlette.responses import JSONResponse, Response

from harness.core.findings import Finding, Severity
from harness.core.rules import rule
from harness.validators.psc_request import parse_parameters
from mocks.common.pipeline import Answer, Call
from mocks.psc.answers import NO_STORE, Refusal, answer, oauth_error, read_form
from mocks.psc.client_auth import authenticate
from mocks.psc.professionals import Professional
from mocks.psc.realm import Client, short_id
from mocks.psc.token_endpoint import issue_tokens, take_fault

if TYPE_CHECKING:
    from mocks.psc.app import PscSimulator

__all__ = ["CONSENTS", "CibaRequest", "handle_backchannel", "poll"]

REQ = "PSC-CIBA-01"
CONSENTS = ("approve", "deny", "ignore")
#: the tolerance on the polling interval (network and scheduling jitter)
JITTER = 0.05


@dataclass
class CibaRequest:
    """One backchannel authentication request, until its tokens are delivered once."""

    auth_req_id: str
    client_id: str
    professional: Professional
    scope: str
    binding_message: str
    expires: float
    interval: int
    session: str = field(default_factory=lambda: secrets.token_hex(8))
    family: str = field(default_factory=lambda: secrets.token_hex(8))
    auth_time: int = field(default_factory=lambda: int(time.time()))
    last_poll: float = field(default_factory=time.time)
    polls: int = 0
    done: bool = False


@rule("psc.ciba", requirement="PSC-CIBA-01", summary="CIBA: authentication request and polling (poll mode)")
async def handle_backchannel(sim: PscSimulator, call: Call) -> Answer:
    summary: dict[str, Any] = {"operation": "ciba_auth"}
    findings: list[Finding] = []
    try:
        response = await _backchannel(sim, call, summary, findings)
    except Refusal as refusal:
        if refusal.finding:
            findings.append(
                Finding(f"psc.ciba.{refusal.error}", REQ, refusal.description, Severity.ERROR, refusal.location)
            )
        summary.update(error=refusal.error, error_description=refusal.description)
        response = oauth_error(refusal.status, refusal.error, refusal.description, refusal.headers)
    return answer(response, summary, findings)


def _refuse(error: str, why: str, location: str, *, finding: bool = True, status: int = 400) -> Refusal:
    return Refusal(status, error, why, location=location, requirement=REQ, finding=finding)


async def _backchannel(sim: PscSimulator, call: Call, summary: dict[str, Any], findings: list[Finding]) -> Response:
    request = call.request
    if request.method != "POST":
        raise Refusal(
            405, "invalid_request", "the CIBA endpoint accepts POST only", requirement=REQ, headers={"Allow": "POST"}
        )
    raw, why = await read_form(request, "backchannel authentication request")
    if why is not None:
        raise _refuse("invalid_request", why, "Content-Type")
    parsed = parse_parameters(raw, where="ciba body", requirement=REQ)
    if parsed.problems:
        raise _refuse("invalid_request", parsed.problems[0].finding.message, "ciba body")
    params = parsed.values
    endpoint = sim.metadata()["backchannel_authentication_endpoint"]
    client = authenticate(sim, request, params, summary, endpoint=endpoint, requirement=REQ)
    summary.update({k: params.get(k) for k in ("scope", "acr_values", "binding_message", "login_hint")})
    if "openid" not in (params.get("scope") or "").split():
        raise _refuse("invalid_scope", "scope must contain openid (CIBA Core §7.1)", "ciba body scope")
    hints = [h for h in ("login_hint", "login_hint_token", "id_token_hint") if params.get(h)]
    if len(hints) != 1:
        raise _refuse(
            "invalid_request",
            f"exactly one of login_hint, login_hint_token, id_token_hint is required (CIBA Core §7.1), got {hints}",
            "ciba body",
        )
    if hints[0] == "login_hint_token":
        raise _refuse(
            "invalid_request",
            "login_hint_token is not offered by this realm: send login_hint=<idNat>",
            "ciba body login_hint_token",
            finding=False,
        )
    professional = _hinted(sim, hints[0], params[hints[0]])
    if professional is None:
        raise _refuse(
            "unknown_user_id",
            f"{hints[0]} names no test professional of the simulator (see GET /_harness/state)",
            f"ciba body {hints[0]}",
            finding=False,
        )
    lifetime = float(sim.realm.ciba_lifetime)
    requested = params.get("requested_expiry")
    if requested is not None:
        if not requested.isdigit() or int(requested) == 0:
            raise _refuse("invalid_request", "requested_expiry must be a positive integer", "ciba body")
        lifetime = min(lifetime, float(requested))
    early, _ = await take_fault(sim, call, summary, status=400, error="access_denied")
    if early is not None:
        return early
    found = CibaRequest(
        secrets.token_urlsafe(32),
        client.client_id,
        professional,
        params["scope"],
        params.get("binding_message", ""),
        time.time() + lifetime,
        sim.realm.ciba_interval,
    )
    with sim.realm.lock:
        sim.realm.ciba[found.auth_req_id] = found
    summary.update(professional=professional.id_nat, auth_req_id=short_id(found.auth_req_id), interval=found.interval)
    body = {"auth_req_id": found.auth_req_id, "expires_in": int(lifetime), "interval": found.interval}
    return JSONResponse(body, headers=NO_STORE)


def _hinted(sim: PscSimulator, kind: str, value: str) -> Professional | None:
    if kind == "login_hint":
        return sim.realm.professionals.find(value)
    try:
        claims = sim.signer.verify(value)
    except ValueError:
        return None
    return next((p for p in sim.realm.professionals if p.sub == claims.get("sub")), None)


def poll(sim: PscSimulator, client: Client, params: dict[str, str], summary: dict[str, Any]) -> Response:
    """The token endpoint's CIBA grant (§10.1, §11): pending, slow_down, denied, expired, or the tokens."""
    auth_req_id = params.get("auth_req_id")
    if not auth_req_id:
        raise _refuse("invalid_request", "auth_req_id is missing (CIBA Core §10.1)", "token body auth_req_id")
    summary["auth_req_id"] = short_id(auth_req_id)
    realm = sim.realm
    now = time.time()
    with realm.lock:
        found: CibaRequest | None = realm.ciba.get(auth_req_id)
        if found is None or found.done:
            raise _refuse(
                "invalid_grant", "unknown or already redeemed auth_req_id", "token body auth_req_id", finding=False
            )
        if found.client_id != client.client_id:
            raise _refuse(
                "invalid_grant", f"auth_req_id was issued to client {found.client_id!r}", "token body auth_req_id"
            )
        summary["professional"] = found.professional.id_nat
        if now > found.expires:
            raise _refuse("expired_token", "the authentication request expired", "token body", finding=False)
        waited = now - found.last_poll
        found.last_poll = now
        if waited + JITTER < found.interval:
            found.interval += 5
            summary.update(too_fast=round(waited, 3), interval=found.interval)
            raise _refuse(
                "slow_down",
                f"polled {waited:.2f} s after the previous request, the interval is {found.interval - 5} s: "
                f"the client MUST wait it (CIBA Core §7.3); interval now {found.interval} s (§11)",
                "token endpoint (poll timing)",
            )
        found.polls += 1
        summary["polls"] = found.polls
        decided = found.polls > realm.ciba_polls_before_consent
        consent = realm.ciba_consent if decided else "pending"
        summary["consent"] = consent
        if consent in ("pending", "ignore"):
            raise _refuse(
                "authorization_pending", "the professional has not answered yet", "token endpoint", finding=False
            )
        if consent == "deny":
            found.done = True
            raise _refuse(
                "access_denied", "the professional refused the authentication", "token endpoint", finding=False
            )
        found.done = True
    return issue_tokens(sim, client, found, None, summary, nonce=None)
