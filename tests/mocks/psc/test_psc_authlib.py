"""Interoperability: an independent OpenID Connect client (Authlib's ``OAuth2Session`` and its
``CodeIDToken`` rules) runs the whole code flow against the PSC simulator, and rejects each
deliberately bad answer the control API prepares, for the reason the simulator announced."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Any

import pytest
from authlib.integrations.requests_client import OAuth2Session
from authlib.oauth2.rfc6749.errors import MismatchingStateException
from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from mocks.psc import DEFAULT_CLIENT, PscSimulator
from tests.mocks.psc.conftest import NOMINAL, REDIRECT


class AuthlibRelyingParty:
    """A relying party written only with Authlib + joserfc, as a third-party DUI would."""

    def __init__(self, sim: PscSimulator, auth_method: str = "client_secret_basic") -> None:
        self.session = OAuth2Session(
            DEFAULT_CLIENT.client_id,
            DEFAULT_CLIENT.client_secret,
            scope="openid scope_all",
            redirect_uri=REDIRECT,
            code_challenge_method="S256",
            token_endpoint_auth_method=auth_method,
        )
        self.session.trust_env = False
        self.doc: dict[str, Any] = self.session.get(sim.discovery_url, timeout=5, withhold_token=True).json()
        self.nonce = secrets.token_urlsafe(24)
        self.verifier = secrets.token_urlsafe(48)

    def login(self, *, state: str | None = None) -> dict[str, Any]:
        """Authorization request, the redirect read without a browser, then the token request."""
        url, sent_state = self.session.create_authorization_url(
            self.doc["authorization_endpoint"],
            nonce=self.nonce,
            code_verifier=self.verifier,
            acr_values="eidas1",
            login_hint=NOMINAL,
        )
        answer = self.session.get(url, allow_redirects=False, timeout=5, withhold_token=True)
        assert answer.status_code == 302, answer.text
        token: dict[str, Any] = self.session.fetch_token(
            self.doc["token_endpoint"],
            authorization_response=answer.headers["location"],
            code_verifier=self.verifier,
            state=state or sent_state,
            timeout=5,
        )
        return token

    def validate(self, token: dict[str, Any]) -> CodeIDToken:
        keys = KeySet.import_key_set(self.session.get(self.doc["jwks_uri"], timeout=5, withhold_token=True).json())
        decoded = jwt.decode(token["id_token"], keys, algorithms=self.doc["id_token_signing_alg_values_supported"])
        claims = CodeIDToken(
            decoded.claims,
            decoded.header,
            options={
                "iss": {"essential": True, "value": self.doc["issuer"]},
                "aud": {"essential": True, "value": DEFAULT_CLIENT.client_id},
            },
            params={"nonce": self.nonce, "client_id": DEFAULT_CLIENT.client_id, "access_token": token["access_token"]},
        )
        claims.validate()
        return claims


@pytest.fixture
def sim(psc_sim: PscSimulator) -> Iterator[PscSimulator]:
    yield psc_sim
    psc_sim.reset()


@pytest.mark.parametrize("auth_method", ["client_secret_basic", "client_secret_post"])
def test_authlib_client_logs_in_and_reads_userinfo(sim: PscSimulator, auth_method: str) -> None:
    # given Authlib's OAuth2Session configured with PSC's discovery document
    rp = AuthlibRelyingParty(sim, auth_method)
    # when it runs the code flow (PKCE S256, acr eidas1) and validates the ID token with the JWKS
    token = rp.login()
    claims = rp.validate(token)
    # then the ID token is valid for Authlib (signature, iss, aud, exp, nonce, at_hash, azp)
    assert claims["acr"] == "eidas1" and claims["preferred_username"] == NOMINAL
    # and the userinfo claims, read with the Bearer token, belong to the same subject
    info = rp.session.get(rp.doc["userinfo_endpoint"], timeout=5).json()
    assert info["sub"] == claims["sub"] and info["SubjectNameID"] == NOMINAL
    assert info["SubjectRefPro"]["exercices"][0]["codeProfession"] == "10"
    assert sim.recorder.exchanges(service="PSC", transaction="token")[-1].summary["client_auth"] == auth_method


@pytest.mark.parametrize(
    "defect, error",
    [
        ("bad_signature", "bad_signature"),
        ("alg_none", "unsupported_algorithm"),
        ("wrong_issuer", "invalid_claim"),
        ("expired", "expired_token"),
        ("wrong_audience", "invalid_claim"),
        ("wrong_nonce", "invalid_claim"),
    ],
)
def test_authlib_client_rejects_each_bad_id_token(sim: PscSimulator, defect: str, error: str) -> None:
    # given the simulator prepares a bad ID token, when Authlib validates it, then it refuses it
    sim.faults.add(defect)
    rp = AuthlibRelyingParty(sim)
    token = rp.login()
    with pytest.raises(JoseError) as refused:
        rp.validate(token)
    assert refused.value.error == error


def test_authlib_client_rejects_a_forged_state(sim: PscSimulator) -> None:
    sim.faults.add("wrong_state")
    rp = AuthlibRelyingParty(sim)
    with pytest.raises(MismatchingStateException):
        rp.login()
    assert sim.recorder.exchanges(service="PSC", transaction="authorize")[-1].summary["state_returned"] == "forged"
