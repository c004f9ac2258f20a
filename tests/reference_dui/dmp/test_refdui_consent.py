"""The reference DUI's consent to consult the DMP (SC.DMP/CONF.06) and its automatic TD0.3 (SC.DMP/UX.50),
end to end against the DMP simulator."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from harness.pki import TestPki
from harness.suites.ins.persons import person
from mocks.dmp import DmpSimulator
from mocks.insi import InsiSimulator
from tests.reference_dui.dmp.test_refdui_dmp import Dui, pki, sims

__all__ = ["pki", "sims"]  # the module fixtures shared with test_refdui_dmp

CONSENT = "/persons/{}/dmp/consultation-consent"


@pytest.fixture
def dui(pki: TestPki, sims: tuple[DmpSimulator, InsiSimulator]) -> Iterator[Dui]:
    client = Dui(pki, *sims)
    yield client
    client.close()
    sims[0].reset()


def _consult(dui: Dui, pid: str) -> tuple[dict[str, Any], list[str]]:
    since = dui.dmp.recorder.mark()
    answer = dui.call("POST", f"/persons/{pid}/dmp/retrieve", {"kind": "VSM"}).json()
    return answer, [e.transaction for e in dui.dmp.recorder.exchanges(service="DMP", since=since)]


def test_the_choice_is_traced_and_an_opposition_stops_every_consultation(dui: Dui) -> None:
    # given a qualified person with no recorded choice: not found, and consultation allowed
    pid = dui.qualified("santoni-paul")
    assert dui.call("GET", CONSENT.format(pid)).status_code == 404
    # when the opposition is recorded by a named professional
    recorded = dui.call("PUT", CONSENT.format(pid), {"opposed": True, "author": "Dr ESSAI"}).json()
    # then it is traced with its date and author, and nothing reaches the DMP when consulting
    assert recorded["opposed"] is True and recorded["recorded_by"] == "Dr ESSAI" and "T" in recorded["recorded_at"]
    assert dui.call("GET", CONSENT.format(pid)).json() == recorded
    answer, sent = _consult(dui, pid)
    assert answer["outcome"] == "blocked" and "opposition" in answer["message"] and sent == []
    assert dui.call("POST", "/dmp/web-access", {"mode": "patient", "person_id": pid}).status_code == 409
    # when the non-opposition is recorded (the DUI's user by default), the DMP is consulted
    consent = dui.call("PUT", CONSENT.format(pid), {"opposed": False}).json()
    assert consent["opposed"] is False and consent["recorded_by"]
    answer, sent = _consult(dui, pid)
    assert answer["outcome"] == "ok" and sent[:2] == ["TD0.2", "ITI-18"]
    assert dui.call("POST", "/dmp/web-access", {"mode": "patient", "person_id": pid}).status_code == 200


def test_the_authorisation_is_positioned_by_itself_only_without_opposition(dui: Dui) -> None:
    pid = dui.qualified("bernard-andre")
    ins = person("bernard-andre").ins
    assert ins is not None
    # given: no authorisation positioned for the professional, the DMP adds one on TD0.3
    dui.dmp.update_state({"patients": {ins: "NON_EXISTE"}, "td03_grants": [ins]})
    # when the person objects: no TD0.3
    dui.call("PUT", CONSENT.format(pid), {"opposed": True})
    assert _consult(dui, pid)[1] == []
    # when she does not: TD0.2, TD0.3 (added), then the query
    dui.call("PUT", CONSENT.format(pid), {"opposed": False})
    answer, sent = _consult(dui, pid)
    assert answer["outcome"] == "ok" and sent[:3] == ["TD0.2", "TD0.3", "ITI-18"]
    # and a DMP that refuses the authorisation (INTERDIT) is not consulted
    dui.dmp.update_state({"patients": {ins: "INTERDIT"}})
    answer, sent = _consult(dui, pid)
    assert answer["outcome"] == "blocked" and sent == ["TD0.2"]


@pytest.mark.parametrize(
    ("defect", "expected"),
    [
        ("dmp_consult_despite_opposition", ["TD0.2", "ITI-18"]),
        ("dmp_no_auto_authorisation", None),
        ("dmp_consent_untraced", None),
    ],
)
def test_defects(pki: TestPki, sims: tuple[DmpSimulator, InsiSimulator], defect: str, expected: Any) -> None:
    client = Dui(pki, *sims, defects=(defect,))
    try:
        pid = client.qualified("lefevre-jeanne")
        ins = person("lefevre-jeanne").ins
        assert ins is not None
        recorded = client.call("PUT", CONSENT.format(pid), {"opposed": defect != "dmp_no_auto_authorisation"}).json()
        if defect == "dmp_consent_untraced":
            assert "recorded_at" not in recorded and "recorded_by" not in recorded
            return
        if defect == "dmp_no_auto_authorisation":
            client.dmp.update_state({"patients": {ins: "NON_EXISTE"}, "td03_grants": [ins]})
            answer, sent = _consult(client, pid)
            assert answer["outcome"] == "blocked" and sent == ["TD0.2"]
            return
        assert _consult(client, pid)[1][:2] == expected
    finally:
        client.close()
        sims[0].reset()


def test_input_errors(dui: Dui) -> None:
    pid = dui.qualified("santoni-paul")
    assert dui.call("PUT", CONSENT.format(pid), {"opposed": "yes"}).status_code == 400
    assert dui.call("PUT", CONSENT.format(pid), {"opposed": True, "author": ""}).status_code == 400
    assert dui.call("PUT", CONSENT.format(pid), {"opposed": True, "author": "x" * 201}).status_code == 400
    assert dui.call("GET", CONSENT.format("nobody")).status_code == 404
    assert dui.call("PUT", CONSENT.format("nobody"), {"opposed": True}).status_code == 404
