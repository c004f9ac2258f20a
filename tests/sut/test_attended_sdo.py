"""Attended mode for the SI-SdO flows: a scripted operator acts in the reference DUI, the harness reads the wire."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.core.recorder import Recorder
from harness.sut.attended import AttendedDriver, Operator
from harness.sut.http_trigger import HttpTriggerDriver
from mocks.sdo import SdoSimulator
from mocks.sdo.base import DECISIONS, ESMS_ID
from reference_dui import ReferenceDui, ReferenceDuiConfig

D1 = DECISIONS[0]


class SdoBot(Operator):
    """Does what the instructions say in the reference DUI (through its trigger API), reads its screens."""

    def __init__(self, dui: HttpTriggerDriver) -> None:
        super().__init__(out=io.StringIO(), inp=io.StringIO(), timeout=5)
        self.dui = dui
        self.transcript: list[str] = []

    def say(self, french: str, english: str) -> None:
        self.transcript.append(french)
        if "l'accord" in french:
            action = threading.Thread(target=self.dui.sdo_send_consent, args=(D1.id_nat_decision, "2026-01-05"))
        elif "l'évaluation" in french:
            action = threading.Thread(target=self.dui.sdo_fetch_evaluation, args=(D1.id_nat_decision,))
        else:
            action = threading.Thread(target=self.dui.sdo_send_status, args=(D1.id_nat_decision, "48", "2026-01-05"))
        action.start()

    def ask(self, french: str, english: str) -> str:
        self.transcript.append(french)
        if "décisions d'orientation" in french:
            held = self.dui.sdo_sync_decisions() or []
            return " | ".join(f"{d['id_nat_decision']}; {d['id_decision']}" for d in held)
        held = self.dui.sdo_sync_notifications()
        return " | ".join(f"{n['id_nat_decision']}; {n['id_nat_struct']}; {n['status']}" for n in held)


@pytest.fixture
def world(tmp_path: Path) -> Iterator[tuple[Recorder, HttpTriggerDriver]]:
    recorder = Recorder(tmp_path / "exchanges")
    with SdoSimulator(recorder) as sdo:
        dui = ReferenceDui(ReferenceDuiConfig(insi_url=None)).start()
        try:
            driver = HttpTriggerDriver(dui.base_url)
            assert driver.configure_endpoints({"sdo": {"url": sdo.url, "struct_idnat": ESMS_ID}})
            yield recorder, driver
        finally:
            dui.stop()


def test_attended_sdo_flows_are_read_from_the_wire_and_the_screen(world: tuple[Recorder, HttpTriggerDriver]) -> None:
    recorder, dui = world
    driver = AttendedDriver(recorder, SdoBot(dui), exchange_timeout=10)
    held = driver.sdo_sync_decisions()
    assert held is not None
    assert [(d["id_nat_decision"], d["document_sha256"]) for d in held] == [
        (d.id_nat_decision, d.sha256()) for d in DECISIONS
    ]
    assert driver.sdo_send_consent(D1.id_nat_decision, "2026-01-05")["http_status"] == 201
    assert driver.sdo_fetch_evaluation(D1.id_nat_decision)["document_reference"] == D1.evaluation_id
    assert driver.sdo_send_status(D1.id_nat_decision, "48", "2026-01-05")["sent"] is True
    assert {n["status"] for n in driver.sdo_sync_notifications()} == {"48"}


def test_an_operator_without_sdo_declares_no_exchange(tmp_path: Path) -> None:
    operator = Operator(out=io.StringIO(), inp=io.StringIO("non\n"), timeout=1)
    assert AttendedDriver(Recorder(), operator, exchange_timeout=0.2).sdo_sync_decisions() is None
