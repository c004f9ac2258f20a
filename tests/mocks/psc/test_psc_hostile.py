"""Bad or hostile requests get an OAuth 2.0 error JSON with a precise description, never a crash,
and each is recorded with its finding; afterwards the simulator still runs a good flow."""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from harness.core.rules import disagreements
from mocks.common.rules import load_rules
from tests.mocks.psc.conftest import Flow

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def _redirect_error(answer: Any) -> dict[str, list[str]]:
    assert answer.status_code == 302, answer.text
    return parse_qs(urlsplit(answer.headers["location"]).query)


@pytest.mark.parametrize(
    "changes, requirement, text",
    [
        ({"acr_values": None}, "PSC-AUTHZ-02", "acr_values is missing"),
        ({"acr_values": "eidas2"}, "PSC-AUTHZ-02", "requires acr_values=eidas1"),
        ({"state": None}, "PSC-AUTHZ-03", "state is missing"),
        ({"nonce": ""}, "PSC-AUTHZ-04", "nonce is missing"),
        ({"response_type": "token"}, "PSC-AUTHZ-01", "authorization code flow"),
        ({"scope": "profile"}, "PSC-AUTHZ-01", "does not contain 'openid'"),
        ({"code_challenge": "short"}, "PSC-TOKEN-01", "43 to 128 characters"),
        ({"code_challenge_method": "S512"}, "PSC-TOKEN-01", "not supported"),
    ],
)
def test_faulty_authorization_parameters_are_refused_by_redirect(
    flow: Flow, changes: dict[str, Any], requirement: str, text: str
) -> None:
    query = _redirect_error(flow.authorize(**changes))
    assert text in query["error_description"][0]
    assert "code" not in query
    exchange = flow.last("authorize")
    assert requirement in {f.requirement for f in exchange.findings}
    assert exchange.summary["rejected"] is True


@pytest.mark.parametrize(
    "changes, text",
    [
        ({"client_id": None}, "client_id is missing"),
        ({"client_id": "intruder"}, "not registered at this Pro Santé Connect realm"),
        ({"redirect_uri": None}, "redirect_uri is missing"),
        ({"redirect_uri": "https://attacker.invalid/cb"}, "is not registered for client"),
    ],
)
def test_unknown_client_or_redirect_is_never_redirected(flow: Flow, changes: dict[str, Any], text: str) -> None:
    answer = flow.authorize(**changes)
    assert answer.status_code == 400 and "location" not in answer.headers
    assert text in answer.json()["error_description"]
    assert {f.requirement for f in flow.last("authorize").findings} >= {"PSC-AUTHZ-01"}


def test_repeated_and_undecodable_parameters(flow: Flow) -> None:
    query = "&".join(f"{k}={v}" for k, v in flow.params().items())
    repeated = flow.http.get(f"{flow.sim.url}/auth?{query}&state=again", allow_redirects=False, timeout=5)
    assert repeated.status_code == 400 and "more than once" in repeated.json()["error_description"]
    broken = flow.http.get(f"{flow.sim.url}/auth?{query}&x=%ff%fe", allow_redirects=False, timeout=5)
    assert broken.status_code == 400 and "not UTF-8" in broken.json()["error_description"]
    huge = flow.http.get(f"{flow.sim.url}/auth?{query}&x={'a' * 60000}", allow_redirects=False, timeout=5)
    assert huge.status_code == 400 and "(limit 4096)" in huge.json()["error_description"]


def test_weak_state_and_plain_pkce_are_warnings_only(flow: Flow) -> None:
    flow.state = "abc"
    answer = flow.authorize(code_challenge="p" * 43, code_challenge_method="plain")
    assert "code" in _redirect_error(answer)
    severities = {f.rule: f.severity.value for f in flow.last("authorize").findings}
    assert severities == {"psc.authorize.state_short": "warning", "psc.authorize.pkce_plain": "warning"}


def test_authorization_by_post_form_and_wrong_methods(flow: Flow) -> None:
    posted = flow.http.post(flow.sim.url + "/auth", data=flow.params(), allow_redirects=False, timeout=5)
    assert "code" in _redirect_error(posted)
    as_json = flow.http.post(flow.sim.url + "/auth", json=flow.params(), allow_redirects=False, timeout=5)
    assert as_json.status_code == 400 and "application/x-www-form-urlencoded" in as_json.json()["error_description"]
    deleted = flow.http.delete(flow.sim.url + "/auth", timeout=5)
    assert deleted.status_code == 405 and deleted.headers["allow"] == "GET, POST"


def _basic(value: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(value.encode()).decode()}


@pytest.mark.parametrize(
    "kwargs, status, error, text",
    [
        ({"json": {"grant_type": "authorization_code"}}, 400, "invalid_request", "application/x-www-form-urlencoded"),
        ({"data": "grant_type=authorization_code&code=x", "headers": FORM}, 401, "invalid_client", "no client auth"),
        (
            {"data": "grant_type=authorization_code", "headers": {**FORM, **_basic("dui-harness-dui:wrong")}},
            401,
            "invalid_client",
            "wrong secret",
        ),
        (
            {"data": "grant_type=x", "headers": {**FORM, "Authorization": "Basic !!!"}},
            401,
            "invalid_client",
            "not base64",
        ),
        ({"data": "grant_type=x", "headers": {**FORM, **_basic("no-colon")}}, 401, "invalid_client", "no ':'"),
        (
            {
                "data": "client_secret=dui-harness-test-secret&grant_type=authorization_code",
                "headers": {**FORM, **_basic("dui-harness-dui:dui-harness-test-secret")},
            },
            400,
            "invalid_request",
            "use one method only",
        ),
        (
            {"data": "grant_type=password", "headers": {**FORM, **_basic("dui-harness-dui:dui-harness-test-secret")}},
            400,
            "unsupported_grant_type",
            "refused as unsupported, not judged",
        ),
        (
            {
                "data": "grant_type=authorization_code&code=forged",
                "headers": {**FORM, **_basic("dui-harness-dui:dui-harness-test-secret")},
            },
            400,
            "invalid_grant",
            "unknown authorization code",
        ),
        (
            {"data": "grant_type=authorization_code&grant_type=authorization_code", "headers": FORM},
            400,
            "invalid_request",
            "more than once",
        ),
        ({"data": b"grant_type=\xe9", "headers": FORM}, 400, "invalid_request", "non-ASCII"),
        ({"data": "x" * (70 * 1024), "headers": FORM}, 413, "invalid_request", "exceeds the simulator limit"),
    ],
)
def test_bad_token_requests(flow: Flow, kwargs: dict[str, Any], status: int, error: str, text: str) -> None:
    answer = flow.http.post(flow.sim.issuer + "/protocol/openid-connect/token", timeout=5, **kwargs)
    assert answer.status_code == status, answer.text
    assert answer.json()["error"] == error and text in answer.json()["error_description"]
    if status != 413:  # the oversized body is refused by the recording middleware, before the endpoint
        assert answer.headers["cache-control"] == "no-store"
    if status == 401:
        assert answer.headers["www-authenticate"].startswith("Basic")


def test_token_endpoint_is_post_only(flow: Flow) -> None:
    answer = flow.http.get(flow.sim.issuer + "/protocol/openid-connect/token", timeout=5)
    assert answer.status_code == 405 and answer.json()["error"] == "invalid_request"


@pytest.mark.parametrize(
    "kwargs, status, text",
    [
        ({}, 401, "no access token"),
        ({"headers": {"Authorization": "Token abc"}}, 401, "expects 'Bearer"),
        ({"headers": {"Authorization": "Bearer forged"}}, 401, "unknown access token"),
        ({"headers": {"Authorization": "Bearer a"}, "params": {"access_token": "a"}}, 400, "more than one method"),
    ],
)
def test_bad_userinfo_requests(flow: Flow, kwargs: dict[str, Any], status: int, text: str) -> None:
    answer = flow.http.get(flow.sim.issuer + "/protocol/openid-connect/userinfo", timeout=5, **kwargs)
    assert answer.status_code == status and text in answer.json()["error_description"]
    assert flow.last("userinfo").findings[-1].requirement == "PSC-USER-01"


def test_access_token_in_query_or_body_is_accepted(flow: Flow) -> None:
    token = flow.tokens()["access_token"]
    url = flow.sim.issuer + "/protocol/openid-connect/userinfo"
    assert flow.http.get(url, params={"access_token": token}, timeout=5).status_code == 200
    assert [f.severity.value for f in flow.last("userinfo").findings] == ["warning"]
    assert flow.http.post(url, data={"access_token": token}, timeout=5).status_code == 200


def test_simulator_still_works_after_hostile_input(flow: Flow) -> None:
    assert flow.userinfo(flow.tokens()["access_token"]).status_code == 200


def test_every_token_and_userinfo_finding_belongs_to_a_registered_rule_of_its_requirement(flow: Flow) -> None:
    # given bad token and userinfo requests, and an authorization by a wrong method
    url = flow.sim.issuer + "/protocol/openid-connect"
    secret = {**FORM, **_basic("dui-harness-dui:dui-harness-test-secret")}
    for data, headers in (
        ("grant_type=authorization_code&code=x", FORM),
        ("grant_type=password", secret),
        ("grant_type=authorization_code&code=forged", secret),
        ("grant_type=authorization_code&grant_type=authorization_code", FORM),
    ):
        flow.http.post(url + "/token", data=data, headers=headers, timeout=5)
    for headers in ({}, {"Authorization": "Token abc"}, {"Authorization": "Bearer forged"}):
        flow.http.get(url + "/userinfo", headers=headers, timeout=5)
    flow.http.put(url + "/auth", timeout=5)
    # then each finding the simulator recorded belongs to a registered rule of its requirement
    load_rules()
    findings = [f for e in flow.sim.recorder.exchanges(service="PSC") for f in e.findings]
    assert {f.rule.split(".")[1] for f in findings} >= {"token", "userinfo", "param"}
    assert disagreements(findings, prefix="psc.") == []
