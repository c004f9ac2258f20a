"""The reference DUI's SI-SdO flows against the real SdO simulator, clean and with each defect switch."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from harness.core.recorder import Recorder
from harness.sut.http_trigger import HttpTriggerDriver
from mocks.sdo import SdoSimulator
from mocks.sdo.base import DECISIONS, ESMS_ID
from tests.reference_dui.refdui_stub import DuiFactory

D1 = DECISIONS[0]


@pytest.fixture(scope="module")
def sdo() -> Iterator[SdoSimulator]:
    sim = SdoSimulator(Recorder()).start()
    yield sim
    sim.stop()


def _driver(make_dui: DuiFactory, sdo: SdoSimulator, *defects: str) -> HttpTriggerDriver:
    sdo.reset()
    dui, _api = make_dui(defects=defects)
    driver = HttpTriggerDriver(dui.base_url)
    assert driver.configure_endpoints({"sdo": {"url": sdo.url, "struct_idnat": ESMS_ID}})
    return driver


def test_clean_dui_runs_the_five_flows(make_dui: DuiFactory, sdo: SdoSimulator) -> None:
    since = sdo.recorder.mark()
    driver = _driver(make_dui, sdo)
    held = driver.sdo_sync_decisions()
    assert held is not None
    assert [(d["id_nat_decision"], d["document_sha256"]) for d in held] == [
        (d.id_nat_decision, d.sha256()) for d in DECISIONS
    ]
    assert driver.sdo_fetch_evaluation(D1.id_nat_decision)["found"] is False  # no accord yet
    assert driver.sdo_send_consent(D1.id_nat_decision, "2026-01-05")["http_status"] == 201
    evaluation = driver.sdo_fetch_evaluation(D1.id_nat_decision)
    assert (evaluation["found"], evaluation["document_sha256"]) == (True, D1.sha256("51848-0"))
    assert driver.sdo_send_status(D1.id_nat_decision, "48", "2026-01-05")["sent"] is True
    assert {n["task_id"] for n in driver.sdo_sync_notifications()} == {"notification-1", "notification-2"}
    exchanges = sdo.recorder.exchanges(service="SDO", since=since)
    assert [f for e in exchanges for f in e.findings] == []
    assert [e.tags.get("flux") for e in exchanges] == ["1.1", "1.3", "1.3", "3.1", "2", "3.1", "4", "5.1"]


def test_without_an_sdo_endpoint_the_dui_declares_no_exchange(make_dui: DuiFactory) -> None:
    dui, _api = make_dui()
    assert HttpTriggerDriver(dui.base_url).sdo_sync_decisions() is None


@pytest.mark.parametrize(
    ("defect", "rule"),
    [
        ("sdo_search_all_fields", "sdo.flux1.elements"),
        ("sdo_consent_literal_reference", "sdo.consent.decision"),
        ("sdo_evaluation_by_id_decision", "sdo.flux3.identifier"),
        ("sdo_task_in_progress", "sdo.task.status"),
        ("sdo_notifications_everything", "sdo.flux5.lastupdated"),
    ],
)
def test_each_wire_defect_gives_its_finding(make_dui: DuiFactory, sdo: SdoSimulator, defect: str, rule: str) -> None:
    driver = _driver(make_dui, sdo, defect)
    since = sdo.recorder.mark()
    driver.sdo_sync_decisions()
    driver.sdo_send_consent(D1.id_nat_decision, "2026-01-05")
    driver.sdo_fetch_evaluation(D1.id_nat_decision)
    driver.sdo_send_status(D1.id_nat_decision, "48", "2026-01-05")
    driver.sdo_sync_notifications()
    rules = {f.rule for e in sdo.recorder.exchanges(service="SDO", since=since) for f in e.findings}
    assert rule in rules and {r.split(".")[1] for r in rules} == {rule.split(".")[1]}


def test_a_dropped_document_shows_in_the_digest(make_dui: DuiFactory, sdo: SdoSimulator) -> None:
    held = _driver(make_dui, sdo, "sdo_cda_not_kept").sdo_sync_decisions()
    assert held is not None and held[0]["document_sha256"] != D1.sha256()
