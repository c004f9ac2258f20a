"""Client authentication at the PSC simulator's back-channel endpoints (token, revocation,
introspection, CIBA): ``client_secret_basic``, ``client_secret_post`` (RFC 6749 §2.3.1) and
``private_key_jwt`` (OIDC Core §9, RFC 7523 §2.2/§3: a JWT signed with a key of the client's
registered JWKS, ``iss`` = ``sub`` = client_id, ``aud`` the endpoint or the issuer, ``exp``, a
``jti`` used once). One method per request.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from joserfc import jwt
from joserfc.jwk import KeySet
from starlette.requests import Request

from mocks.psc.answers import Refusal
from mocks.psc.realm import Client

if TYPE_CHECKING:
    from mocks.psc.app import PscSimulator

__all__ = ["ASSERTION_TYPE", "AUTH_METHODS", "authenticate"]

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
AUTH_METHODS = ("client_secret_basic", "client_secret_post", "private_key_jwt")
ASSERTION_ALGS = ["RS256", "PS256", "ES256"]
CHALLENGE = {"WWW-Authenticate": 'Basic realm="esante-wallet"'}


def _basic_credentials(header: str, requirement: str) -> tuple[str, str]:
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise Refusal(
            401,
            "invalid_client",
            "Authorization: Basic credentials are not base64 of UTF-8",
            location="Authorization",
            headers=CHALLENGE,
            requirement=requirement,
        ) from None
    client_id, colon, secret = decoded.partition(":")
    if not colon:
        raise Refusal(
            401,
            "invalid_client",
            "Authorization: Basic credentials have no ':' between id and secret",
            location="Authorization",
            headers=CHALLENGE,
            requirement=requirement,
        )
    return unquote(client_id), unquote(secret)  # RFC 6749 §2.3.1: form-urlencoded before base64


def _methods(request: Request, params: dict[str, str]) -> list[str]:
    header = request.headers.get("authorization") or ""
    found = []
    if header[:6].lower() == "basic ":
        found.append("client_secret_basic")
    if "client_secret" in params:
        found.append("client_secret_post")
    if "client_assertion" in params or "client_assertion_type" in params:
        found.append("private_key_jwt")
    return found


def authenticate(
    sim: PscSimulator,
    request: Request,
    params: dict[str, str],
    summary: dict[str, Any],
    *,
    endpoint: str,
    requirement: str = "PSC-TOKEN-01",
) -> Client:
    """The client authenticated by the request, or a :class:`Refusal` (``invalid_client``, 401)."""
    methods = _methods(request, params)
    if len(methods) > 1:
        raise Refusal(
            400,
            "invalid_request",
            f"the client authenticated with {' and '.join(methods)}: use one method only (RFC 6749 §2.3)",
            location="client authentication",
            requirement=requirement,
        )
    if not methods:
        raise Refusal(
            401,
            "invalid_client",
            "no client authentication: send client_secret_basic (Authorization: Basic), client_secret_post "
            "(client_id and client_secret in the body) or private_key_jwt (client_assertion)",
            location="Authorization",
            headers=CHALLENGE,
            requirement=requirement,
        )
    method = methods[0]
    summary["client_auth"] = method
    if method == "private_key_jwt":
        return _assertion(sim, params, summary, endpoint, requirement)
    if method == "client_secret_basic":
        client_id, secret = _basic_credentials(request.headers.get("authorization") or "", requirement)
        if params.get("client_id") not in (None, client_id):
            raise Refusal(
                400,
                "invalid_request",
                f"client_id {params['client_id']!r} of the body differs from the authenticated client {client_id!r}",
                location="body client_id",
                requirement=requirement,
            )
    else:
        client_id, secret = params.get("client_id", ""), params["client_secret"]
    summary["client_id"] = client_id
    client = sim.realm.client(client_id)
    if client is None or not hmac.compare_digest(client.client_secret.encode(), secret.encode()):
        raise Refusal(
            401,
            "invalid_client",
            f"client authentication failed for client_id {client_id!r} (unknown client or wrong secret)",
            location="client credentials",
            headers=CHALLENGE,
            requirement=requirement,
        )
    return client


def _assertion(
    sim: PscSimulator, params: dict[str, str], summary: dict[str, Any], endpoint: str, requirement: str
) -> Client:
    """private_key_jwt: RFC 7523 §3 checks, in order."""

    def refuse(why: str, location: str = "body client_assertion") -> Refusal:
        return Refusal(401, "invalid_client", why, location=location, headers=CHALLENGE, requirement=requirement)

    if params.get("client_assertion_type") != ASSERTION_TYPE:
        raise refuse(f"client_assertion_type must be {ASSERTION_TYPE} (RFC 7523 §2.2)", "body client_assertion_type")
    assertion = params.get("client_assertion") or ""
    client_id = params.get("client_id") or _claimed_issuer(assertion)
    summary["client_id"] = client_id
    client = sim.realm.client(client_id)
    if client is None or not client.jwks:
        raise refuse(f"client {client_id!r} has no registered JWKS: private_key_jwt is not possible for it")
    try:
        token = jwt.decode(assertion, KeySet.import_key_set(client.jwks), algorithms=ASSERTION_ALGS)  # type: ignore[arg-type]
    except Exception as exc:  # joserfc: bad signature, unknown kid, malformed JWT…
        why = f"client_assertion not verified with the client's registered keys ({type(exc).__name__})"
        raise refuse(why) from None
    claims = token.claims
    if claims.get("iss") != client.client_id or claims.get("sub") != client.client_id:
        raise refuse("client_assertion iss and sub must both be the client_id (RFC 7523 §3 items 1–2)")
    audience = claims.get("aud")
    audiences = audience if isinstance(audience, list) else [audience]
    if not {endpoint, sim.issuer, sim.metadata()["token_endpoint"]} & set(audiences):
        raise refuse(f"client_assertion aud {audience!r} names neither this endpoint nor the issuer (RFC 7523 §3)")
    exp, jti = claims.get("exp"), claims.get("jti")
    if not isinstance(exp, int | float) or exp < time.time() - 30:
        raise refuse("client_assertion has no exp or is expired (RFC 7523 §3 item 4)")
    if not isinstance(jti, str) or not jti:
        raise refuse("client_assertion has no jti: it could be replayed (RFC 7523 §3 item 7)")
    with sim.realm.lock:
        if jti in sim.realm.assertion_ids:
            raise refuse("client_assertion replayed: its jti was already used (RFC 7523 §3 item 7)")
        sim.realm.assertion_ids.add(jti)
    return client


def _claimed_issuer(assertion: str) -> str:
    """The ``iss`` the assertion claims, read unverified only to find whose keys verify it."""
    try:
        payload = assertion.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError):
        return ""
    return str(claims.get("iss", "")) if isinstance(claims, dict) else ""
