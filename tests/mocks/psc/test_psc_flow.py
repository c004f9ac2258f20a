"""The authorization code flow end to end over real HTTP: codes, client authentication, PKCE,
ID token claims and signature, userinfo, and the deliberately bad answers of the control API."""

from __future__ import annotations

import base64
import json
import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from mocks.psc import PscSimulator
from mocks.psc.tokens import OTHER_AUDIENCE, SANDBOX_ISSUER
from tests.mocks.psc.conftest import NOMINAL, REDIRECT, Flow


def _b64(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def _parts(token: str) -> tuple[dict[str, Any], dict[str, Any], bytes, bytes]:
    header, payload, signature = token.split(".")
    return json.loads(_b64(header)), json.loads(_b64(payload)), f"{header}.{payload}".encode(), _b64(signature)


def _signature_ok(sim: PscSimulator, token: str) -> bool:
    """RS256 check with ``cryptography`` alone, from the published JWK (independent of joserfc)."""
    header, _, signed, signature = _parts(token)
    if header.get("alg") != "RS256":
        return False
    jwk = sim.signer.jwks()["keys"][0]
    numbers = rsa.RSAPublicNumbers(int.from_bytes(_b64(jwk["e"]), "big"), int.from_bytes(_b64(jwk["n"]), "big"))
    try:
        numbers.public_key().verify(signature, signed, padding.PKCS1v15(), hashes.SHA256())
    except Exception:
        return False
    return True


def test_full_flow_with_client_secret_basic_and_pkce(flow: Flow) -> None:
    # given a correct authorization request, when the code is exchanged with client_secret_basic
    tokens = flow.tokens()
    # then the ID token is signed by the published key and carries the PSC claims of this login
    assert tokens["token_type"] == "Bearer" and tokens["expires_in"] > 0
    assert _signature_ok(flow.sim, tokens["id_token"])
    header, claims, _, _ = _parts(tokens["id_token"])
    assert header["kid"] == flow.sim.signer.kid
    assert claims["iss"] == flow.sim.issuer and claims["aud"] == "dui-harness-dui"
    assert claims["nonce"] == flow.nonce and claims["acr"] == "eidas1"
    assert claims["preferred_username"] == NOMINAL and claims["sub"].endswith(":" + NOMINAL)
    assert claims["iat"] <= time.time() < claims["exp"]
    # and userinfo answers the professional's PSC claims for the access token
    info = flow.userinfo(tokens["access_token"])
    assert info.status_code == 200 and info.headers["cache-control"] == "no-store"
    assert info.json()["SubjectNameID"] == NOMINAL and info.json()["sub"] == claims["sub"]
    # and the exchanges are recorded with their correlation keys, without findings
    authorize, token = flow.last("authorize"), flow.last("token")
    assert authorize.tags["login"] == token.tags["login"]
    assert token.summary["client_auth"] == "client_secret_basic" and token.summary["pkce"] == "S256"
    assert authorize.findings == [] and token.findings == []


def test_client_secret_post_and_no_pkce(flow: Flow) -> None:
    code = flow.code(code_challenge=None, code_challenge_method=None)
    answer = flow.token(code, auth="post", code_verifier=None)
    assert answer.status_code == 200, answer.text
    assert flow.last("token").summary["client_auth"] == "client_secret_post"


def test_selected_professional_logs_in_without_login_hint(flow: Flow) -> None:
    flow.sim.select("psychologue-ime")
    tokens = flow.tokens(login_hint=None)
    assert flow.userinfo(tokens["access_token"]).json()["SubjectNameID"] == "899900000037"


def test_no_professional_chosen_is_access_denied(flow: Flow) -> None:
    answer = flow.authorize(login_hint=None)
    query = parse_qs(urlsplit(answer.headers["location"]).query)
    assert query["error"] == ["access_denied"] and query["state"] == [flow.state]
    assert "next_professional" in query["error_description"][0]


def test_code_is_single_use_and_replay_revokes_tokens(flow: Flow) -> None:
    code = flow.code()
    first = flow.token(code)
    assert first.status_code == 200
    again = flow.token(code)
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"
    assert "already used" in again.json()["error_description"]
    # the access token of the first exchange is now revoked (RFC 6749 §4.1.2)
    revoked = flow.userinfo(first.json()["access_token"])
    assert revoked.status_code == 401 and revoked.json()["error"] == "invalid_token"
    assert 'error="invalid_token"' in revoked.headers["www-authenticate"]
    assert [f.requirement for f in flow.last("token").findings] == ["PSC-TOKEN-01"]


def test_code_expires(flow: Flow) -> None:
    flow.sim.update_state({"code_lifetime": 0.05})
    code = flow.code()
    time.sleep(0.1)
    answer = flow.token(code)
    assert answer.status_code == 400 and "expired" in answer.json()["error_description"]


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"redirect_uri": "http://127.0.0.1:1/other"}, "redirect_uri"),
        ({"code_verifier": "x" * 50}, "does not match the code_challenge"),
        ({"code_verifier": None}, "code_verifier is missing"),
    ],
)
def test_token_request_must_match_the_authorization(flow: Flow, changes: dict[str, Any], message: str) -> None:
    answer = flow.token(flow.code(), **changes)
    assert answer.status_code == 400 and answer.json()["error"] == "invalid_grant"
    assert message in answer.json()["error_description"]


@pytest.mark.parametrize(
    "defect", ["bad_signature", "alg_none", "wrong_issuer", "expired", "wrong_audience", "wrong_nonce"]
)
def test_bad_id_tokens_on_demand(flow: Flow, defect: str) -> None:
    # given the control API asked for a bad ID token, when the next code is exchanged
    flow.sim.faults.add(defect)
    tokens = flow.tokens()
    header, claims, _, _ = _parts(tokens["id_token"])
    # then exactly the asked property is broken, and the exchange says so
    assert _signature_ok(flow.sim, tokens["id_token"]) is (defect not in ("bad_signature", "alg_none"))
    assert (header["alg"] == "none") is (defect == "alg_none")
    assert (claims["iss"] == SANDBOX_ISSUER) is (defect == "wrong_issuer")
    assert (claims["exp"] < time.time()) is (defect == "expired")
    assert (claims["aud"] == OTHER_AUDIENCE) is (defect == "wrong_audience")
    assert (claims["nonce"] != flow.nonce) is (defect == "wrong_nonce")
    token = flow.last("token")
    assert token.summary["id_token_defect"] == defect and token.fault_injected == defect
    # and the access token stays good: only the ID token is bad
    assert flow.userinfo(tokens["access_token"]).status_code == 200


def test_forged_state_and_other_userinfo(flow: Flow) -> None:
    flow.sim.faults.add("wrong_state")
    answer = flow.authorize()
    state = parse_qs(urlsplit(answer.headers["location"]).query)["state"][0]
    assert state != flow.state and flow.last("authorize").summary["state_returned"] == "forged"
    flow.sim.faults.add("userinfo_other_sub")
    tokens = flow.tokens()
    info = flow.userinfo(tokens["access_token"]).json()
    assert info["SubjectNameID"] != NOMINAL
    assert flow.last("userinfo").summary["answered_for"] == info["SubjectNameID"]


def test_injected_oauth_error_and_unavailability(flow: Flow) -> None:
    flow.sim.faults.add("oauth_error", "authorize", error="access_denied", error_description="annulé")
    query = parse_qs(urlsplit(flow.authorize().headers["location"]).query)
    assert query["error"] == ["access_denied"] and query["error_description"] == ["annulé"]
    flow.sim.faults.add("http_status", "jwks", status=503)
    assert flow.http.get(flow.sim.issuer + "/protocol/openid-connect/certs", timeout=5).status_code == 503


def test_loopback_redirect_uri_matches_any_port_only_on_loopback(flow: Flow) -> None:
    assert flow.authorize(redirect_uri=REDIRECT.replace("49999", "8080")).status_code == 302
    other = flow.authorize(redirect_uri="http://dui.invalid:49999/harness/v1/psc/callback")
    assert other.status_code == 400 and "not registered" in other.json()["error_description"]
