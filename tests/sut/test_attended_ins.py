"""Attended mode for the INS lifecycle: each operation gives a bilingual instruction and reads the screen back."""

from __future__ import annotations

import io
from pathlib import Path

from harness.core.recorder import Recorder
from harness.suites.ins.persons import person
from harness.sut.attended import AttendedDriver, Operator


def _driver(tmp_path: Path, answers: str) -> tuple[AttendedDriver, io.StringIO]:
    out = io.StringIO()
    operator = Operator(out=out, inp=io.StringIO(answers), timeout=1, journal=tmp_path / "journal.jsonl")
    return AttendedDriver(Recorder(), operator, exchange_timeout=0.2, reports=tmp_path), out


def test_refused_strict_change_is_read_from_the_operator(tmp_path: Path) -> None:
    # given an operator who answers that the DUI refused the change
    driver, out = _driver(tmp_path, "o\n")
    answer = driver.update_traits("p-1", {"birth_name": "AUTRE"})
    # then the step reports the refusal, with the instruction in French and English
    assert answer["refused"] is True
    text = out.getvalue()
    assert "Modifiez l'identité p-1 avec un compte ordinaire" in text and "Edit identity p-1" in text


def test_accepted_change_reads_the_identity_back(tmp_path: Path) -> None:
    # given the operator accepting, then the status / INS / traits shown on the screen
    driver, _ = _driver(tmp_path, "n\nVALI\n\n\n")
    answer = driver.update_traits("p-1", {"first_names": ["HUGO"]}, identity_manager=True)
    assert answer["status"] == "VALI" and answer["ins"] is None


def test_verification_reception_and_trace_are_instructions(tmp_path: Path) -> None:
    answers = "KO\nVALI\n\n\n" + "p-2\no\nPROV\n\n\n" + "275126322074974 155027505652046\n" + "\nPROV\n\n\n"
    driver, out = _driver(tmp_path, answers)
    assert driver.verify_ins("p-1")["verification"]["result"] == "KO"
    received = driver.receive_identity(
        "DMP",
        person("adrun-zoe").traits,
        {"value": "275126322074974", "oid": "1.2.250.1.213.1.4.8"},
        "QUAL",
        {"title": "CR"},
    )
    assert received["person_id"] == "p-2" and received["data_integrated"] is False
    assert len(driver.insi_trace()["calls"]) == 2
    assert driver.set_identity_attributes("p-3", doubtful=True)["attributes"]["doubtful"] is True
    text = out.getvalue()
    assert "vérification de l'INS" in text and "depuis le domaine DMP" in text and "douteuse" in text
