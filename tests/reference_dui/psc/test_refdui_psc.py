"""The reference DUI's Pro Santé Connect login against the real PSC simulator: the nominal flow,
each check of its relying party, each defect switch, configuration and failures."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from harness.core.recorder import Recorder
from harness.pki import TestPki
from mocks.common.server import TlsSettings
from mocks.psc import PscSimulator
from tests.reference_dui.psc.conftest import NOMINAL, login, psc_entry
from tests.reference_dui.refdui_stub import Api, DuiFactory

#: defect switch -> the simulator fault it lets through (the clean DUI refuses it)
DEFECT_FAULTS = {
    "psc_no_state_check": "wrong_state",
    "psc_no_nonce_check": "wrong_nonce",
    "psc_accept_bad_signature": "bad_signature",
    "psc_accept_wrong_issuer": "wrong_issuer",
    "psc_accept_wrong_audience": "wrong_audience",
    "psc_accept_expired": "expired",
    "psc_no_userinfo_sub_check": "userinfo_other_sub",
}


def test_nominal_login_runs_the_code_flow(api: Api, sim: PscSimulator) -> None:
    # when the harness asks the DUI to log in as a test professional
    outcome = login(api)
    # then the DUI logged in the professional PSC's userinfo names, with its profession and structure
    assert outcome["outcome"] == "logged_in", outcome
    professional = outcome["professional"]
    assert professional["id_nat"] == NOMINAL and professional["professions"] == ["10"]
    assert professional["organization"] == "EHPAD LES TILLEULS (fictif)"
    session = api.call("GET", "/psc/session").json()
    assert session["logged_in"] is True and session["professional"]["id_nat"] == NOMINAL
    # and its requests are the ones PSC expects: eidas1, state, nonce, PKCE S256, client_secret_basic, Bearer
    authorize = sim.recorder.exchanges(service="PSC", transaction="authorize")[-1]
    assert authorize.findings == []
    assert authorize.summary["acr_values"] == "eidas1" and authorize.summary["code_challenge_method"] == "S256"
    assert authorize.summary["redirect_uri"].endswith("/harness/v1/psc/callback")
    token = sim.recorder.exchanges(service="PSC", transaction="token")[-1]
    assert token.summary["client_auth"] == "client_secret_basic" and token.findings == []
    assert sim.recorder.exchanges(service="PSC", transaction="userinfo")[-1].findings == []
    # and logging out closes the session
    assert api.call("DELETE", "/psc/session").status_code == 204
    assert api.call("GET", "/psc/session").json() == {"logged_in": False, "professional": None, "since": None}


def test_professional_chosen_on_the_simulator_wins(api: Api, sim: PscSimulator) -> None:
    # the DUI sends the professional as login_hint; PSC authenticates whoever logs in
    sim.select("kine-liberal")
    assert login(api, "899900000052")["professional"]["id_nat"] == "899900000052"


@pytest.mark.parametrize("fault", sorted(set(DEFECT_FAULTS.values()) | {"alg_none"}))
def test_clean_dui_refuses_every_bad_answer(api: Api, sim: PscSimulator, fault: str) -> None:
    sim.faults.add(fault)
    outcome = login(api)
    assert outcome["outcome"] == "refused" and outcome["professional"] is None, outcome
    assert outcome["error"]
    assert api.call("GET", "/psc/session").json()["logged_in"] is False


@pytest.mark.parametrize("defect", sorted(DEFECT_FAULTS))
def test_each_defect_lets_exactly_its_bad_answer_through(
    psc_dui: Callable[..., Api], sim: PscSimulator, defect: str
) -> None:
    api = psc_dui(defect)
    assert login(api)["outcome"] == "logged_in"  # the defect changes nothing on a correct answer
    # every bad answer is refused except the one this defect lets through
    for fault in sorted({*DEFECT_FAULTS.values(), "alg_none"}):
        sim.faults.add(fault)
        outcome = login(api)
        accepted = fault == DEFECT_FAULTS[defect] or (fault == "alg_none" and defect == "psc_accept_bad_signature")
        assert (outcome["outcome"] == "logged_in") is accepted, (fault, outcome)


def test_defect_no_acr_eidas1_is_refused_by_psc(psc_dui: Callable[..., Api], sim: PscSimulator) -> None:
    outcome = login(psc_dui("psc_no_acr_eidas1"))
    assert outcome["outcome"] == "error" and "acr_values" in outcome["error"]
    authorize = sim.recorder.exchanges(service="PSC", transaction="authorize")[-1]
    assert [f.requirement for f in authorize.findings] == ["PSC-AUTHZ-02"]


def test_psc_refusal_and_unavailability_are_errors(api: Api, sim: PscSimulator) -> None:
    sim.faults.add("oauth_error", "authorize", error="access_denied", error_description="carte retirée")
    outcome = login(api)
    assert outcome["outcome"] == "error" and "access_denied" in outcome["error"]
    sim.faults.add("http_status", "token", status=503)
    assert "HTTP 503" in login(api)["error"]
    assert api.call("GET", "/psc/session").json()["logged_in"] is False


def test_keys_unavailable_means_no_login(psc_dui: Callable[..., Api], sim: PscSimulator) -> None:
    sim.faults.add("http_status", "jwks", status=503)
    outcome = login(psc_dui())
    assert outcome["outcome"] == "error" and "JWKS" in outcome["error"]


def test_discovery_of_another_issuer_is_refused(make_dui: DuiFactory, sim: PscSimulator) -> None:
    _dui, api = make_dui()
    entry = psc_entry(sim, issuer=sim.issuer + "-other", discovery=sim.discovery_url)
    assert api.call("PUT", "/config/endpoints", json={"psc": entry}).status_code == 204
    outcome = login(api)
    assert outcome["outcome"] == "refused" and "discovery document of issuer" in outcome["error"]


def test_unreachable_psc_is_an_error(make_dui: DuiFactory) -> None:
    _dui, api = make_dui()
    entry = {"issuer": "http://127.0.0.1:9/auth/realms/esante-wallet", "client_id": "a", "client_secret": "b"}
    assert api.call("PUT", "/config/endpoints", json={"psc": entry}).status_code == 204
    outcome = login(api)
    assert outcome["outcome"] == "error" and "unreachable" in outcome["error"]


def test_callback_without_a_login_in_progress_is_refused(api: Api) -> None:
    answer = api.call("GET", "/psc/callback", params={"state": "forged", "code": "x"}).json()
    assert answer["outcome"] == "refused" and "matches no login" in answer["error"]


@pytest.mark.parametrize(
    "entry, message",
    [
        ({"issuer": "ftp://x", "client_id": "a", "client_secret": "b"}, "psc.issuer"),
        ({"issuer": "https://psc.test/auth", "client_id": "a"}, "psc.client_secret"),
        ({"issuer": "https://psc.test/auth", "client_id": "a", "client_secret": "b", "ca": "/nowhere.pem"}, "psc.ca"),
        ("https://psc.test", "psc must be an object"),
    ],
)
def test_bad_configuration_is_refused(api: Api, entry: object, message: str) -> None:
    answer = api.call("PUT", "/config/endpoints", json={"psc": entry})
    assert answer.status_code == 400 and message in answer.json()["error"]


@pytest.mark.parametrize(
    "body, status, message",
    [
        ({}, 400, "professional"),
        ({"professional": "  "}, 400, "professional"),
        ([NOMINAL], 400, "professional"),
    ],
)
def test_bad_login_requests(api: Api, body: object, status: int, message: str) -> None:
    answer = api.call("POST", "/psc/login", json=body)
    assert answer.status_code == status and message in answer.json()["error"]
    assert api.call("POST", "/psc/login", data=b"{", headers={"Content-Type": "application/json"}).status_code == 400


def test_login_without_configuration(make_dui: DuiFactory) -> None:
    _dui, api = make_dui()
    answer = api.call("POST", "/psc/login", json={"professional": NOMINAL})
    assert answer.status_code == 409 and "not configured" in answer.json()["error"]


def test_reset_closes_the_session(api: Api) -> None:
    assert login(api)["outcome"] == "logged_in"
    assert api.call("POST", "/reset").status_code == 204
    assert api.call("GET", "/psc/session").json()["logged_in"] is False


def test_login_over_tls_with_the_test_ca(make_dui: DuiFactory, pki: TestPki) -> None:
    with PscSimulator(Recorder(), tls=TlsSettings(pki.server_cert, pki.server_key)) as tls_sim:
        assert isinstance(tls_sim, PscSimulator)
        _dui, api = make_dui()
        entry = psc_entry(tls_sim, ca=str(pki.ca_cert))
        assert api.call("PUT", "/config/endpoints", json={"psc": entry}).status_code == 204
        assert login(api)["outcome"] == "logged_in"
        # without the test CA the DUI cannot trust PSC's certificate: no login
        assert api.call("PUT", "/config/endpoints", json={"psc": psc_entry(tls_sim)}).status_code == 204
        outcome = login(api)
        assert outcome["outcome"] == "error" and "SSLError" in outcome["error"]
