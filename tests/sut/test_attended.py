"""Attended mode end to end: an operator (a scripted bot here) drives the reference DUI's
screens while the harness prints instructions and waits for the DUI's INSi calls."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.core.recorder import Recorder
from harness.plugin.verdicts import SKIP, classify
from harness.suites.ins.persons import person
from harness.sut.attended import AttendedDriver, Operator, OperatorNoAnswer
from harness.sut.http_trigger import HttpTriggerDriver
from mocks.insi import InsiSimulator
from reference_dui import ReferenceDui, ReferenceDuiConfig


class OperatorBot(Operator):
    """Does what the instructions say, in the reference DUI, through its trigger API."""

    def __init__(self, dui: HttpTriggerDriver) -> None:
        super().__init__(out=io.StringIO(), inp=io.StringIO(), timeout=5)
        self.dui = dui
        self.person_id = ""
        self.transcript: list[str] = []

    def say(self, french: str, english: str) -> None:
        self.transcript.append(french)
        if french.startswith("Lancez la recherche"):
            threading.Thread(target=self.dui.lookup_ins, args=(self.person_id,), daemon=True).start()

    def ask(self, french: str, english: str) -> str:
        self.transcript.append(french)
        if french.startswith("Créez l'usager"):
            self.person_id = self.dui.create_person(person("adrun-zoe").traits)["person_id"]
            return self.person_id
        identity = self.dui.identity(self.person_id)
        if french.startswith("Quel statut"):
            return str(identity["status"])
        if french.startswith("Saisissez l'INS"):
            ins = identity.get("ins")
            return f"{ins['value']} {ins['oid']}" if ins else ""
        return ""


@pytest.fixture
def world(tmp_path: Path) -> Iterator[tuple[Recorder, HttpTriggerDriver]]:
    recorder = Recorder(tmp_path / "exchanges")
    with InsiSimulator(recorder) as insi:
        dui = ReferenceDui(
            ReferenceDuiConfig(insi_url=insi.url, client_cert=None, client_key=None, ca_cert=None)
        ).start()
        try:
            yield recorder, HttpTriggerDriver(dui.base_url)
        finally:
            dui.stop()


def test_attended_lookup_waits_for_the_insi_call_and_reads_the_screen(
    world: tuple[Recorder, HttpTriggerDriver],
) -> None:
    recorder, dui = world
    bot = OperatorBot(dui)
    driver = AttendedDriver(recorder, bot, exchange_timeout=10)
    # given the operator created the person the harness asked for
    created = driver.create_person(person("adrun-zoe").traits)
    # when the harness asks for the INS search, it waits for the DUI's INSi call
    outcome = driver.lookup_ins(created["person_id"])
    assert outcome["outcome"] == "found" and outcome["cr"] == "00" and outcome["calls"] >= 1
    # then what the operator reads on the screen comes back as the identity
    identity = driver.identity(created["person_id"])
    assert identity["ins"] == {"value": "275126322074974", "oid": "1.2.250.1.213.1.4.8"}
    assert identity["status"] == "RECUP"
    assert any("Lancez la recherche" in line for line in bot.transcript)


def test_no_insi_call_in_time_is_reported_not_invented(world: tuple[Recorder, HttpTriggerDriver]) -> None:
    recorder, _ = world
    # the operator creates the person, then, the time being out, asks to judge what arrived (Enter)
    silent = Operator(out=io.StringIO(), inp=io.StringIO("p-1\n\n"), timeout=1)
    driver = AttendedDriver(recorder, silent, exchange_timeout=0.5)
    created = driver.create_person(person("adrun-zoe").traits)
    outcome = driver.lookup_ins(created["person_id"])
    assert outcome["outcome"] == "error" and outcome["calls"] == 0


def test_operator_silence_is_a_skip_not_a_pass() -> None:
    driver = AttendedDriver(Recorder(), Operator(out=io.StringIO(), inp=io.StringIO(""), timeout=1))
    with pytest.raises(OperatorNoAnswer) as info:
        driver.identity("p-1")
    assert classify(info, skipped=False) == SKIP
