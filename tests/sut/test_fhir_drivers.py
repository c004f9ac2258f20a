"""The FHIR operations of both drivers: over the trigger API, and attended (a scripted operator)."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator

import pytest

from harness.core.recorder import Recorder
from harness.sut.attended import AttendedDriver, Operator
from harness.sut.http_trigger import HttpTriggerDriver, TriggerApiError
from mocks.fhir import EparcoursSimulator, EprescSimulator
from reference_dui import ReferenceDui, ReferenceDuiConfig
from reference_dui.identity import Traits
from reference_dui.store import StoredIns

RECORD = {"stay": {"id": "S1", "start": "2026-01-05"}}


@pytest.fixture(scope="module")
def world() -> Iterator[tuple[Recorder, HttpTriggerDriver, str]]:
    recorder = Recorder()
    with EparcoursSimulator(recorder) as eparcours, EprescSimulator(recorder) as epresc:
        dui = ReferenceDui(ReferenceDuiConfig()).start()
        try:
            driver = HttpTriggerDriver(dui.base_url)
            driver.configure_endpoints({"eparcours": {"url": eparcours.url}, "epresc": {"url": epresc.url}})
            record = dui.service.store.create(Traits("BERNARD-ESSAI", ("ANDRE",), "M", "1952-07-30", "33063"), "QUAL")
            record.ins = StoredIns("152073306301157", "1.2.250.1.213.1.4.10")
            dui.service.store.save(record)
            yield recorder, driver, record.person_id
        finally:
            dui.stop()


def test_trigger_driver_runs_every_fhir_operation(world: tuple[Recorder, HttpTriggerDriver, str]) -> None:
    _, driver, pid = world
    assert driver.eparcours_export(pid, RECORD)["outcome"] == "accepted"
    assert driver.eparcours_exports(pid)[0]["status"] == "accepted"
    outcome = driver.epresc_retrieve(pid, "EP-TEST-0001")
    assert outcome["outcome"] == "integrated" and driver.epresc_prescriptions(pid)
    line = outcome["lines"][0]["line_id"]
    assert driver.epresc_administer(pid, "EP-TEST-0001", line, "2026-01-06T08:00:00+01:00")["status"] == "transmitted"
    assert len(driver.epresc_administrations(pid)) == 1
    with pytest.raises(TriggerApiError):
        driver.epresc_administer(pid, "EP-TEST-0001", "no-such-line", "2026-01-06T08:00:00+01:00")


class ScriptedOperator(Operator):
    """Performs the instruction in the reference DUI (through its API) and answers the questions."""

    def __init__(self, driver: HttpTriggerDriver, answers: list[str]) -> None:
        super().__init__(out=io.StringIO(), inp=io.StringIO(), timeout=5)
        self.driver, self.answers = driver, answers
        self.said: list[str] = []

    def say(self, french: str, english: str) -> None:
        self.said.append(french)
        pid = french.split("usager ")[1].split()[0].rstrip(",:") if "usager " in french else ""
        if "exportez son dossier" in french:
            threading.Thread(target=self.driver.eparcours_export, args=(pid, RECORD), daemon=True).start()
        elif "lisez le QR code" in french:
            threading.Thread(target=self.driver.epresc_retrieve, args=(pid, "EP-TEST-0001"), daemon=True).start()

    def ask(self, french: str, english: str) -> str:
        self.said.append(french)
        return self.answers.pop(0)


def test_attended_driver_watches_the_fhir_simulators(world: tuple[Recorder, HttpTriggerDriver, str]) -> None:
    recorder, driver, pid = world
    operator = ScriptedOperator(driver, ["o", "integrated", "N02BE01 1 g trois fois par jour", "accepted"])
    attended = AttendedDriver(recorder, operator, exchange_timeout=10)
    exported = attended.eparcours_export(pid, RECORD)
    assert exported["outcome"] == "accepted" and exported["http_status"] == 200
    retrieved = attended.epresc_retrieve(pid, "EP-TEST-0001")
    assert retrieved["outcome"] == "integrated"
    assert retrieved["lines"][0]["medication"]["code"] == "N02BE01"  # read back from the screen
    assert attended.eparcours_exports(pid)[0]["status"] == "accepted"
    assert any("QR code" in line for line in operator.said)
