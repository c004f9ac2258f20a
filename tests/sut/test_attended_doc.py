"""The outgoing-documents driver part: the trigger API (contract) and the attended instructions."""

from __future__ import annotations

import base64
import io
import threading
from pathlib import Path

import pytest

from harness.core.recorder import Recorder
from harness.sut.attended import AttendedDriver, Operator, OperatorNoAnswer
from harness.sut.http_trigger import HttpTriggerDriver, TriggerApiError
from harness.sut.parts.doc import Historical, Recipient, Visibility
from harness.validators.cda.self_presenting import check_self_presenting
from mocks.dmp import DmpSimulator
from tests.sut.test_openapi_dmp import _qualified, check, pki, running

__all__ = ["pki", "running"]  # the module-scoped PKI, DUI and DMP fixtures of the DMP contract tests

EMERGENCY = (Recipient("899700000111", "URGENTISTE-ESSAI", "Claire", "1999000111", "CH DE TEST"),)


def test_doc_operations_follow_the_contract(running: tuple[HttpTriggerDriver, DmpSimulator, Recorder]) -> None:
    driver, _, recorder = running
    pid = _qualified(driver, "santoni-paul")
    # given a FLUDT with a recipient, hidden from the patient, then it is published and presents itself
    since = recorder.mark()
    fludt = driver.doc_publish(pid, "FLUDT", recipients=EMERGENCY, visibility=Visibility(invisible_to_patient=True))
    check(fludt, "DmpDocument")
    assert fludt["status"] == "published" and fludt["invisible_to_patient"] is True
    assert [e.transaction for e in recorder.exchanges(service="DMP", since=since)] == ["TD0.2", "ITI-41"]
    shown = driver.doc_self_presenting(pid, fludt["document_id"])
    assert check_self_presenting(base64.b64decode(shown["content_base64"]), fludt["document_id"]) == []
    history = driver.doc_publish(pid, "N1", historical=Historical("2019-03-14", author_left_rpps=True))
    check(history, "DmpDocument")
    # an unstructured document has no self-presenting form; an unknown one is not found
    with pytest.raises(TriggerApiError, match="HTTP 422"):
        driver.doc_self_presenting(pid, history["document_id"])
    with pytest.raises(TriggerApiError, match="HTTP 404"):
        driver.doc_self_presenting(pid, "2.25.1")


class Bot(Operator):
    """Does what the document instructions say, in the reference DUI, through its trigger API."""

    def __init__(self, driver: HttpTriggerDriver, person_id: str, exported: Path) -> None:
        super().__init__(out=io.StringIO(), inp=io.StringIO(), timeout=5)
        self.driver, self.person_id, self.exported = driver, person_id, exported
        self.said: list[str] = []

    def say(self, french: str, english: str) -> None:
        self.said.append(french)
        if french.startswith("Produisez"):
            threading.Thread(
                target=self.driver.doc_publish, args=(self.person_id, "FLUDT"), kwargs={"recipients": EMERGENCY}
            ).start()

    def ask(self, french: str, english: str) -> str:
        self.said.append(french)
        if french.startswith("Exportez"):
            return str(self.exported)
        return " ".join(d["document_id"] for d in self.driver.dmp_documents(self.person_id))


def test_the_operator_is_told_every_choice_and_the_file_is_read(
    running: tuple[HttpTriggerDriver, DmpSimulator, Recorder], tmp_path: Path
) -> None:
    driver, _, recorder = running
    pid = _qualified(driver, "lefevre-jeanne")
    exported = tmp_path / "fludt.xsl"
    bot = Bot(driver, pid, exported)
    attended = AttendedDriver(recorder, bot, exchange_timeout=10)
    outcome = attended.doc_publish(
        pid, "FLUDT", recipients=EMERGENCY, visibility=Visibility(invisible_to_legal_representatives=True)
    )
    assert outcome["status"] == "published" and outcome["declared_by_operator"] is True
    assert "URGENTISTE-ESSAI" in bot.said[0] and "INVISIBLE_REPRESENTANTS_LEGAUX" in bot.said[0]
    # the self-presenting file the operator exported is read from the path typed
    exported.write_bytes(base64.b64decode(driver.doc_self_presenting(pid, outcome["document_id"])["content_base64"]))
    shown = attended.doc_self_presenting(pid, outcome["document_id"])
    assert base64.b64decode(shown["content_base64"]) == exported.read_bytes()
    exported.unlink()
    with pytest.raises(OperatorNoAnswer):
        attended.doc_self_presenting(pid, outcome["document_id"])
