"""The PSC simulator's other modes, with plain ``requests``: CIBA (poll mode, simulated consent),
RP-initiated logout, ``response_mode=form_post``, and what it refuses as unsupported without a finding."""

from __future__ import annotations

import time
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest

from mocks.psc import DEFAULT_CLIENT
from tests.mocks.psc.conftest import NOMINAL, REDIRECT, Flow

AUTH = (DEFAULT_CLIENT.client_id, DEFAULT_CLIENT.client_secret)
CIBA = "urn:openid:params:grant-type:ciba"


def _ciba_request(flow: Flow, **changes: str) -> dict[str, object]:
    data = {"scope": "openid scope_all", "login_hint": NOMINAL, "binding_message": "DUI-1234", "acr_values": "eidas1"}
    data.update(changes)
    answer = flow.http.post(flow.sim.metadata()["backchannel_authentication_endpoint"], data=data, auth=AUTH, timeout=5)
    assert answer.status_code == 200, answer.text
    body: dict[str, object] = answer.json()
    return body


def _poll(flow: Flow, auth_req_id: object) -> dict[str, object]:
    answer = flow.http.post(
        flow.sim.metadata()["token_endpoint"],
        data={"grant_type": CIBA, "auth_req_id": auth_req_id},
        auth=AUTH,
        timeout=5,
    )
    body: dict[str, object] = answer.json()
    return body


def test_ciba_poll_until_the_professional_consents(flow: Flow) -> None:
    flow.sim.update_state({"ciba_interval": 1, "ciba_polls_before_consent": 1})
    started = _ciba_request(flow)
    assert started["interval"] == 1 and started["expires_in"] == 120
    time.sleep(1.05)
    assert _poll(flow, started["auth_req_id"])["error"] == "authorization_pending"
    time.sleep(1.05)
    tokens = _poll(flow, started["auth_req_id"])
    assert tokens["token_type"] == "Bearer" and "refresh_token" in tokens and "id_token" in tokens
    assert flow.sim.introspect(str(tokens["access_token"]))["username"] == NOMINAL
    assert not any(e.findings for e in flow.sim.recorder.exchanges(service="PSC"))


def test_ciba_polling_too_fast_is_slowed_down_and_a_finding(flow: Flow) -> None:
    started = _ciba_request(flow)
    answer = _poll(flow, started["auth_req_id"])  # at once, before the interval
    assert answer["error"] == "slow_down"
    exchange = flow.last("token")
    assert [f.requirement for f in exchange.findings] == ["PSC-CIBA-01"]
    assert exchange.summary["interval"] == 6


def test_ciba_denied_by_the_professional(flow: Flow) -> None:
    flow.sim.update_state({"ciba_consent": "deny", "ciba_polls_before_consent": 0})
    started = _ciba_request(flow)
    time.sleep(1.05)
    assert _poll(flow, started["auth_req_id"])["error"] == "access_denied"
    assert not flow.last("token").findings


def test_ciba_request_without_openid_is_a_finding(flow: Flow) -> None:
    answer = flow.http.post(
        flow.sim.metadata()["backchannel_authentication_endpoint"],
        data={"scope": "scope_all", "login_hint": NOMINAL},
        auth=AUTH,
        timeout=5,
    )
    assert answer.status_code == 400 and answer.json()["error"] == "invalid_scope"
    assert [f.requirement for f in flow.last("ciba_auth").findings] == ["PSC-CIBA-01"]


def test_logout_with_id_token_hint_ends_the_session(flow: Flow) -> None:
    tokens = flow.tokens()
    after = "http://127.0.0.1:51234/harness/v1/psc/logged-out"
    answer = flow.http.get(
        flow.sim.metadata()["end_session_endpoint"],
        params={"id_token_hint": tokens["id_token"], "post_logout_redirect_uri": after, "state": "s1"},
        allow_redirects=False,
        timeout=5,
    )
    assert answer.status_code == 302 and answer.headers["location"] == after + "?state=s1"
    summary = flow.last("logout").summary
    assert summary["session_ended"] is True and summary["revoked"] == 2
    assert flow.userinfo(tokens["access_token"]).status_code == 401
    refreshed = flow.http.post(
        flow.sim.metadata()["token_endpoint"],
        data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
        auth=AUTH,
        timeout=5,
    )
    assert refreshed.json()["error"] == "invalid_grant" and not flow.last("token").findings


@pytest.mark.parametrize(
    "params, status, ended",
    [
        ({}, 200, False),  # no id_token_hint: PSC asks the professional to confirm, the session stays
        ({"post_logout_redirect_uri": "https://evil.example/out"}, 400, False),
    ],
)
def test_logout_without_hint_or_to_an_unregistered_uri(
    flow: Flow, params: dict[str, str], status: int, ended: bool
) -> None:
    tokens = flow.tokens()
    hint = {"id_token_hint": tokens["id_token"]} if "post_logout_redirect_uri" in params else {}
    answer = flow.http.get(
        flow.sim.metadata()["end_session_endpoint"], params={**params, **hint}, allow_redirects=False, timeout=5
    )
    assert answer.status_code == status
    assert flow.last("logout").summary.get("session_ended", False) is ended
    assert flow.userinfo(tokens["access_token"]).status_code == 200


class _Form(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.action = ""
        self.fields: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "form":
            self.action = values.get("action") or ""
        elif tag == "input":
            self.fields[values.get("name") or ""] = values.get("value") or ""


def test_form_post_response_mode(flow: Flow) -> None:
    answer = flow.authorize(response_mode="form_post")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/html")
    form = _Form()
    form.feed(answer.text)
    assert form.action == REDIRECT and form.fields["state"] == flow.state
    assert flow.token(form.fields["code"]).status_code == 200


def test_an_unsupported_response_mode_is_refused_without_a_finding(flow: Flow) -> None:
    answer = flow.authorize(response_mode="fragment")
    query = parse_qs(urlsplit(answer.headers["location"]).query)
    assert query["error"] == ["invalid_request"] and "unsupported" in query["error_description"][0]
    assert not flow.last("authorize").findings


def test_an_unsupported_grant_type_is_refused_without_a_finding(flow: Flow) -> None:
    answer = flow.http.post(
        flow.sim.metadata()["token_endpoint"], data={"grant_type": "client_credentials"}, auth=AUTH, timeout=5
    )
    assert answer.json()["error"] == "unsupported_grant_type"
    assert not flow.last("token").findings


def test_reset_keeps_the_realm_object_that_other_simulators_hold(flow: Flow) -> None:
    held = flow.sim.realm
    tokens = flow.tokens()
    flow.sim.reset()
    assert flow.sim.realm is held
    assert held.token(tokens["access_token"]) == (None, "unknown access token")
