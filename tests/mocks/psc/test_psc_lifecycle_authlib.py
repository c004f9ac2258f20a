"""Interoperability, token lifecycle: Authlib's ``OAuth2Session`` refreshes (rotation), revokes
(RFC 7009), introspects (RFC 7662) and authenticates with ``private_key_jwt`` (RFC 7523) against the
PSC simulator, with nothing from the harness on the client side."""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from authlib.integrations.requests_client import OAuth2Session
from authlib.oauth2.rfc7523 import PrivateKeyJWT
from joserfc import jwt
from joserfc.jwk import RSAKey

from mocks.psc import DEFAULT_CLIENT, PscSimulator
from mocks.psc.client_auth import ASSERTION_TYPE
from tests.mocks.psc.conftest import NOMINAL, REDIRECT


@pytest.fixture
def sim(psc_sim: PscSimulator) -> Iterator[PscSimulator]:
    yield psc_sim
    psc_sim.reset()


def _session(sim: PscSimulator, **kwargs: Any) -> tuple[OAuth2Session, dict[str, Any]]:
    kwargs.setdefault("client_secret", DEFAULT_CLIENT.client_secret)
    session = OAuth2Session(
        DEFAULT_CLIENT.client_id,
        scope="openid scope_all",
        redirect_uri=REDIRECT,
        code_challenge_method="S256",
        **kwargs,
    )
    session.trust_env = False
    doc: dict[str, Any] = session.get(sim.discovery_url, timeout=5, withhold_token=True).json()
    return session, doc


def _login(session: OAuth2Session, doc: dict[str, Any], **extra: Any) -> dict[str, Any]:
    verifier = secrets.token_urlsafe(48)
    url, _ = session.create_authorization_url(
        doc["authorization_endpoint"],
        nonce=secrets.token_urlsafe(16),
        code_verifier=verifier,
        acr_values="eidas1",
        login_hint=NOMINAL,
    )
    answer = session.get(url, allow_redirects=False, timeout=5, withhold_token=True)
    assert answer.status_code == 302, answer.text
    token: dict[str, Any] = session.fetch_token(
        doc["token_endpoint"], authorization_response=answer.headers["location"], code_verifier=verifier, timeout=5
    )
    return token


def test_refresh_rotates_and_a_replay_revokes_the_family(sim: PscSimulator) -> None:
    session, doc = _session(sim)
    first = _login(session, doc)
    # when Authlib refreshes, it gets a new access token and a new (rotated) refresh token
    second = session.refresh_token(doc["token_endpoint"], refresh_token=first["refresh_token"], timeout=5)
    assert second["refresh_token"] != first["refresh_token"] and second["access_token"] != first["access_token"]
    assert sim.introspect(second["access_token"])["active"] is True
    # when the first refresh token is presented again, it is refused and the whole family dies
    replay = session.post(
        doc["token_endpoint"],
        data={"grant_type": "refresh_token", "refresh_token": first["refresh_token"]},
        auth=(DEFAULT_CLIENT.client_id, DEFAULT_CLIENT.client_secret),
        timeout=5,
        withhold_token=True,
    )
    assert replay.status_code == 400 and replay.json()["error"] == "invalid_grant"
    assert sim.introspect(second["access_token"]) == {"active": False}
    assert sim.introspect(second["refresh_token"]) == {"active": False}
    grant, why = sim.realm.token(second["access_token"])  # the accessor other simulators call
    assert grant is None and "rotated refresh token" in why
    refused = sim.recorder.exchanges(service="PSC", transaction="token")[-1]
    assert refused.summary["replay"] is True
    assert [f.requirement for f in refused.findings] == ["PSC-REFRESH-01"]


def test_revocation_and_introspection_endpoints(sim: PscSimulator) -> None:
    session, doc = _session(sim)
    token = _login(session, doc)
    # when a resource server (another registered client of the realm) introspects the access token
    seen = session.introspect_token(doc["introspection_endpoint"], token=token["access_token"], timeout=5).json()
    assert seen["active"] is True and seen["username"] == NOMINAL and seen["client_id"] == DEFAULT_CLIENT.client_id
    # when the DUI revokes its refresh token, its access token dies with it (RFC 7009 §2.1)
    answer = session.revoke_token(
        doc["revocation_endpoint"], token=token["refresh_token"], token_type_hint="refresh_token", timeout=5
    )
    assert answer.status_code == 200
    seen = session.introspect_token(doc["introspection_endpoint"], token=token["access_token"], timeout=5).json()
    assert seen == {"active": False}
    # an unknown token is no error (RFC 7009 §2.2)
    assert session.revoke_token(doc["revocation_endpoint"], token="unknown", timeout=5).status_code == 200


def test_private_key_jwt_client_authentication(sim: PscSimulator) -> None:
    # given the DUI's public key registered in its client's JWKS
    key = RSAKey.generate_key(2048, parameters={"kid": "dui-key-1"}, private=True)
    registered = {**DEFAULT_CLIENT.public(), "client_secret": DEFAULT_CLIENT.client_secret}
    sim.update_state({"clients": [{**registered, "jwks": {"keys": [key.as_dict(private=False)]}}]})
    # when Authlib authenticates with a JWT signed by that key (aud: the token endpoint)
    session, doc = _session(sim, client_secret=key.as_pem(private=True), token_endpoint_auth_method=PrivateKeyJWT())
    token = _login(session, doc)
    # then the tokens are issued and the exchange says how the client authenticated
    assert token["token_type"] == "Bearer"
    exchange = sim.recorder.exchanges(service="PSC", transaction="token")[-1]
    assert exchange.summary["client_auth"] == "private_key_jwt" and not exchange.findings
    # and the same assertion (same jti) cannot be used twice
    assertion = jwt.encode(
        {"alg": "RS256", "kid": "dui-key-1"},
        {
            "iss": DEFAULT_CLIENT.client_id,
            "sub": DEFAULT_CLIENT.client_id,
            "aud": doc["revocation_endpoint"],
            "exp": int(time.time()) + 60,
            "jti": "once",
        },
        key,
    )
    form = {"token": "x", "client_assertion_type": ASSERTION_TYPE, "client_assertion": assertion}
    with requests.Session() as plain:
        plain.trust_env = False
        first = plain.post(doc["revocation_endpoint"], data=form, timeout=5)
        again = plain.post(doc["revocation_endpoint"], data=form, timeout=5)
    assert first.status_code == 200, first.text
    assert again.status_code == 401 and "replayed" in again.json()["error_description"]


def test_private_key_jwt_signed_by_an_unregistered_key_is_refused(sim: PscSimulator) -> None:
    registered_key = RSAKey.generate_key(2048, parameters={"kid": "k1"}, private=True)
    other_key = RSAKey.generate_key(2048, parameters={"kid": "k1"}, private=True)
    registered = {**DEFAULT_CLIENT.public(), "client_secret": DEFAULT_CLIENT.client_secret}
    sim.update_state({"clients": [{**registered, "jwks": {"keys": [registered_key.as_dict(private=False)]}}]})
    session, doc = _session(
        sim, client_secret=other_key.as_pem(private=True), token_endpoint_auth_method=PrivateKeyJWT()
    )
    with pytest.raises(Exception) as refused:
        _login(session, doc)
    assert "invalid_client" in str(refused.value)
