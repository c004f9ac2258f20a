"""The PSC operations of the drivers: the HTTP trigger driver's contract checks, and the attended
driver, where an operator (a scripted bot here) logs in through the reference DUI."""

from __future__ import annotations

import io
import threading
from typing import Any

import pytest
import responses

from harness.core.recorder import Recorder
from harness.sut.attended import AttendedDriver, Operator
from harness.sut.http_trigger import HttpTriggerDriver, TriggerApiError
from mocks.psc import PscSimulator
from reference_dui import ReferenceDui, ReferenceDuiConfig

BASE = "http://127.0.0.1:8800/harness/v1"


@responses.activate
def test_http_driver_psc_operations() -> None:
    responses.post(f"{BASE}/psc/login", json={"outcome": "logged_in", "professional": {"id_nat": "899900000011"}})
    responses.get(f"{BASE}/psc/session", json={"logged_in": False, "professional": None})
    responses.delete(f"{BASE}/psc/session", status=204)
    driver = HttpTriggerDriver(BASE)
    assert driver.psc_login("899900000011")["outcome"] == "logged_in"
    assert responses.calls[0].request.body == b'{"professional": "899900000011"}'
    assert driver.psc_session()["logged_in"] is False
    driver.psc_logout()
    assert responses.calls[2].request.method == "DELETE"


@responses.activate
@pytest.mark.parametrize(
    "path, method, body, call",
    [
        ("/psc/login", "POST", {"logged_in": True}, lambda d: d.psc_login("x")),
        ("/psc/session", "GET", {"outcome": "logged_in"}, lambda d: d.psc_session()),
    ],
)
def test_http_driver_psc_contract_breaches(path: str, method: str, body: dict[str, Any], call: Any) -> None:
    responses.add(method, f"{BASE}{path}", json=body)
    with pytest.raises(TriggerApiError, match="breaks the trigger API contract"):
        call(HttpTriggerDriver(BASE))


class LoginBot(Operator):
    """Logs in through the reference DUI when told to, and reads back what the DUI shows."""

    def __init__(self, dui: HttpTriggerDriver) -> None:
        super().__init__(out=io.StringIO(), inp=io.StringIO(), timeout=5)
        self.dui = dui
        self.shown: dict[str, Any] = {}

    def say(self, french: str, english: str) -> None:
        if french.startswith("Connectez-vous"):
            professional = french.split("professionnel ")[1].split()[0]
            worker = threading.Thread(target=lambda: self.shown.update(self.dui.psc_login(professional)))
            worker.start()
            worker.join(10)

    def ask(self, french: str, english: str) -> str:
        if french.startswith("La DUI vous a-t-elle connecté") or french.startswith("Quel professionnel"):
            session = self.dui.psc_session()
            return str((session.get("professional") or {}).get("id_nat") or "")
        if french.startswith("Déconnectez-vous"):
            self.dui.psc_logout()
        return ""


def test_attended_login_is_observed_on_the_simulator() -> None:
    recorder = Recorder()
    with PscSimulator(recorder) as psc:
        assert isinstance(psc, PscSimulator)
        dui = ReferenceDui(ReferenceDuiConfig()).start()
        try:
            http = HttpTriggerDriver(dui.base_url)
            http.configure_endpoints({"psc": {"url": psc.url, **psc.endpoint_details()}})
            driver = AttendedDriver(recorder, LoginBot(http), exchange_timeout=5)
            psc.select("899900000037")
            outcome = driver.psc_login("899900000037")
            assert outcome == {
                "outcome": "logged_in",
                "professional": {"id_nat": "899900000037"},
                "declared_by_operator": True,
            }
            assert driver.psc_session()["logged_in"] is True
            driver.psc_logout()
            assert driver.psc_session()["logged_in"] is False
            assert recorder.exchanges(service="PSC", transaction="userinfo")
        finally:
            dui.stop()


@responses.activate
def test_http_driver_psc_session_and_account_operations() -> None:
    responses.get(f"{BASE}/psc/capabilities", json={"modes": ["web", "ciba"], "other_authentication": True})
    responses.post(f"{BASE}/psc/login", json={"outcome": "logged_in", "account": "a-1"})
    responses.post(f"{BASE}/psc/session/refresh", json={"refreshed": True, "expires_in": 300, "error": None})
    responses.post(f"{BASE}/psc/local-accounts", json={"account": "a-1"})
    responses.post(f"{BASE}/psc/local-login", json={"account": "a-1"})
    driver = HttpTriggerDriver(BASE)
    assert driver.psc_capabilities()["modes"] == ["web", "ciba"]
    assert driver.psc_login("899900000011", "ciba")["account"] == "a-1"
    assert responses.calls[1].request.body == b'{"professional": "899900000011", "mode": "ciba"}'
    assert driver.psc_refresh()["refreshed"] is True
    assert driver.psc_local_account("c.martin", "899900000011") == {"account": "a-1"}
    assert driver.psc_local_login("c.martin") == {"account": "a-1"}


@responses.activate
def test_http_driver_psc_operations_a_dui_does_not_offer() -> None:
    # a DUI without these operations: web mode only, no other login, no refresh (not judged, no error)
    responses.get(f"{BASE}/psc/capabilities", status=404)
    responses.post(f"{BASE}/psc/session/refresh", status=501)
    driver = HttpTriggerDriver(BASE)
    assert driver.psc_capabilities() == {"modes": ["web"], "other_authentication": False, "declared": False}
    assert driver.psc_refresh()["refreshed"] is False
