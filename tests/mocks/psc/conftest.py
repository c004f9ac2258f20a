"""Fixtures of the PSC simulator tests: one plain-HTTP simulator per module and a code-flow helper."""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from harness.core.recorder import Exchange, Recorder
from mocks.common.control_token import authorization_header, run_token
from mocks.psc import DEFAULT_CLIENT, PscSimulator

REDIRECT = "http://127.0.0.1:49999/harness/v1/psc/callback"
NOMINAL = "899900000011"


@dataclass
class Flow:
    """Drives one authorization code flow against the simulator with plain ``requests``."""

    sim: PscSimulator
    http: requests.Session
    state: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    nonce: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    verifier: str = field(default_factory=lambda: secrets.token_urlsafe(48))

    def params(self, **changes: Any) -> dict[str, Any]:
        challenge = base64.urlsafe_b64encode(hashlib.sha256(self.verifier.encode()).digest()).rstrip(b"=").decode()
        params: dict[str, Any] = {
            "response_type": "code",
            "client_id": DEFAULT_CLIENT.client_id,
            "redirect_uri": REDIRECT,
            "scope": "openid scope_all",
            "acr_values": "eidas1",
            "state": self.state,
            "nonce": self.nonce,
            "login_hint": NOMINAL,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
        params.update(changes)
        return {k: v for k, v in params.items() if v is not None}

    def authorize(self, **changes: Any) -> requests.Response:
        return self.http.get(self.sim.url + "/auth", params=self.params(**changes), allow_redirects=False, timeout=5)

    def code(self, **changes: Any) -> str:
        answer = self.authorize(**changes)
        assert answer.status_code == 302, answer.text
        query = parse_qs(urlsplit(answer.headers["location"]).query)
        assert "code" in query, answer.headers["location"]
        return query["code"][0]

    def token(self, code: str, *, auth: str = "basic", **changes: Any) -> requests.Response:
        data: dict[str, Any] = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT,
            "code_verifier": self.verifier,
        }
        kwargs: dict[str, Any] = {}
        if auth == "basic":
            kwargs["auth"] = (DEFAULT_CLIENT.client_id, DEFAULT_CLIENT.client_secret)
        elif auth == "post":
            data.update(client_id=DEFAULT_CLIENT.client_id, client_secret=DEFAULT_CLIENT.client_secret)
        data.update(changes)
        data = {k: v for k, v in data.items() if v is not None}
        return self.http.post(self.sim.issuer + "/protocol/openid-connect/token", data=data, timeout=5, **kwargs)

    def tokens(self, **changes: Any) -> dict[str, Any]:
        answer = self.token(self.code(**changes))
        assert answer.status_code == 200, answer.text
        body: dict[str, Any] = answer.json()
        return body

    def userinfo(self, access_token: str) -> requests.Response:
        return self.http.get(
            self.sim.issuer + "/protocol/openid-connect/userinfo",
            headers={"Authorization": f"Bearer {access_token}"},
            timeout=5,
        )

    def last(self, transaction: str) -> Exchange:
        found = self.sim.recorder.exchanges(service="PSC", transaction=transaction)
        assert found, f"no {transaction} exchange recorded"
        return found[-1]


@pytest.fixture(scope="module")
def psc_sim() -> Iterator[PscSimulator]:
    sim = PscSimulator(Recorder()).start()
    yield sim
    sim.stop()


@pytest.fixture(scope="module")
def http() -> Iterator[requests.Session]:
    session = requests.Session()
    session.trust_env = False  # loopback only, never through a proxy
    session.headers.update(authorization_header(run_token()))  # the run's control token (/_harness)
    yield session
    session.close()


@pytest.fixture
def flow(psc_sim: PscSimulator, http: requests.Session) -> Iterator[Flow]:
    yield Flow(psc_sim, http)
    psc_sim.reset()
