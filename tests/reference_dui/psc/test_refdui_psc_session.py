"""The reference DUI's PSC session beyond the web login, against the real simulator: refresh with
rotation, logout at PSC, the native-app and CIBA modes, account linking, and each defect switch."""

from __future__ import annotations

from collections.abc import Callable

from mocks.psc import PscSimulator
from tests.reference_dui.psc.conftest import NOMINAL, login
from tests.reference_dui.refdui_stub import Api

OTHER = "899900000029"


def test_refresh_uses_the_rotated_token_each_time(api: Api, sim: PscSimulator) -> None:
    assert login(api)["outcome"] == "logged_in"
    since = sim.recorder.mark()
    for _ in range(2):
        assert api.call("POST", "/psc/session/refresh").json()["refreshed"] is True
    refreshes = sim.recorder.exchanges(service="PSC", transaction="token", since=since)
    assert [e.summary["grant_type"] for e in refreshes] == ["refresh_token", "refresh_token"]
    assert refreshes[1].summary["refresh_token"] == refreshes[0].summary["new_refresh_token"]
    assert not any(e.findings for e in refreshes)


def test_refresh_reuse_defect_replays_and_loses_the_session(psc_dui: Callable[..., Api], sim: PscSimulator) -> None:
    api = psc_dui("psc_refresh_reuse")
    login(api)
    assert api.call("POST", "/psc/session/refresh").json()["refreshed"] is True
    second = api.call("POST", "/psc/session/refresh").json()
    assert second["refreshed"] is False
    last = sim.recorder.exchanges(service="PSC", transaction="token")[-1]
    assert last.summary["replay"] is True and [f.requirement for f in last.findings] == ["PSC-REFRESH-01"]


def test_logout_ends_the_psc_session(api: Api, sim: PscSimulator) -> None:
    login(api)
    assert api.call("DELETE", "/psc/session").status_code == 204
    ended = sim.recorder.exchanges(service="PSC", transaction="logout")[-1]
    assert ended.summary["session_ended"] is True and ended.summary["id_token_hint"] is True
    assert ended.response is not None and ended.response.start_line.split()[1] == "302" and not ended.findings


def test_no_end_session_defect_logs_out_locally_only(psc_dui: Callable[..., Api], sim: PscSimulator) -> None:
    api = psc_dui("psc_no_end_session")
    login(api)
    since = sim.recorder.mark()
    api.call("DELETE", "/psc/session")
    assert not sim.recorder.exchanges(service="PSC", transaction="logout", since=since)
    assert api.call("GET", "/psc/session").json()["logged_in"] is False


def test_native_mode_uses_a_loopback_listener_and_pkce(api: Api, sim: PscSimulator) -> None:
    outcome = api.call("POST", "/psc/login", json={"professional": NOMINAL, "mode": "native"}).json()
    assert outcome["outcome"] == "logged_in", outcome
    authorize = sim.recorder.exchanges(service="PSC", transaction="authorize")[-1]
    assert authorize.summary["redirect_uri"].startswith("http://127.0.0.1:")
    assert authorize.summary["code_challenge_method"] == "S256"


def test_native_no_pkce_defect(psc_dui: Callable[..., Api], sim: PscSimulator) -> None:
    api = psc_dui("psc_native_no_pkce")
    outcome = api.call("POST", "/psc/login", json={"professional": NOMINAL, "mode": "native"}).json()
    assert outcome["outcome"] == "logged_in", outcome
    assert sim.recorder.exchanges(service="PSC", transaction="authorize")[-1].summary["pkce"] is False


def test_ciba_mode_waits_for_the_professional(api: Api, sim: PscSimulator) -> None:
    since = sim.recorder.mark()
    outcome = api.call("POST", "/psc/login", json={"professional": NOMINAL, "mode": "ciba"}).json()
    assert outcome["outcome"] == "logged_in" and outcome["professional"]["id_nat"] == NOMINAL
    polls = sim.recorder.exchanges(service="PSC", transaction="token", since=since)
    assert [e.summary.get("error") for e in polls] == ["authorization_pending", None]
    assert not any(e.findings for e in sim.recorder.exchanges(service="PSC", since=since))


def test_ciba_denied_is_no_login(api: Api, sim: PscSimulator) -> None:
    sim.update_state({"ciba_consent": "deny", "ciba_polls_before_consent": 0})
    outcome = api.call("POST", "/psc/login", json={"professional": NOMINAL, "mode": "ciba"}).json()
    assert outcome["outcome"] == "error" and "access_denied" in outcome["error"]


def test_account_linking_around_the_rpps(api: Api, psc_dui: Callable[..., Api]) -> None:
    local = api.call("POST", "/psc/local-accounts", json={"login": "c.martin", "professional": NOMINAL}).json()
    assert login(api)["account"] == local["account"]
    assert api.call("POST", "/psc/local-login", json={"login": "c.martin"}).json() == local
    assert login(api, OTHER)["account"] != local["account"]
    unlinked = psc_dui("psc_no_account_linking")
    mine = unlinked.call("POST", "/psc/local-accounts", json={"login": "c.martin", "professional": NOMINAL}).json()
    assert login(unlinked)["account"] != mine["account"]
