"""Attended mode for MSSanté: a scripted operator sends and fetches mail in the reference DUI while the
harness watches the simulated operator."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from harness.core.recorder import Recorder
from harness.suites.ins.persons import person
from harness.suites.mss.documents import MssPerson, cda_for
from harness.suites.mss.messages import document_message
from harness.sut.attended import AttendedDriver, Operator
from harness.sut.driver import IdentityDocument
from harness.sut.http_trigger import HttpTriggerDriver
from mocks.insi import InsiSimulator
from mocks.mssante import MssSimulator
from reference_dui import ReferenceDui, ReferenceDuiConfig

DOCTOR = "jean.medecin-essai@chu-essai.mssante.fr"


class MailBot(Operator):
    """Does in the reference DUI what the MSSanté instructions say, through its trigger API."""

    def __init__(self, dui: HttpTriggerDriver, person_id: str) -> None:
        super().__init__(out=io.StringIO(), inp=io.StringIO(), timeout=5)
        self.dui = dui
        self.person_id = person_id
        self.transcript: list[str] = []

    def say(self, french: str, english: str) -> None:
        self.transcript.append(french)
        if french.startswith("Envoyez par MSSanté"):
            kwargs: dict[str, Any] = {
                "acknowledgement": "accusé" in french,
                "visible_to_patient": "NON VISIBLE" not in french,
            }
            kind = "patient" if "Mon espace santé" in french else "professional"
            args = (self.person_id, kind)
            if kind == "professional":
                kwargs["address"] = DOCTOR
            threading.Thread(target=self.dui.mss_send, args=args, kwargs=kwargs, daemon=True).start()
        elif french.startswith("Relevez"):
            threading.Thread(target=self.dui.mss_fetch, daemon=True).start()

    def ask(self, french: str, english: str) -> str:
        self.transcript.append(french)
        if french.startswith("Appuyez"):
            return ""
        return " ".join(d["document_id"] for d in self.dui.mss_documents(self.person_id))


@pytest.fixture(scope="module")
def setting() -> Iterator[tuple[AttendedDriver, MssSimulator, HttpTriggerDriver, str]]:
    recorder = Recorder()
    with InsiSimulator(recorder) as insi, MssSimulator(recorder) as mss:
        assert isinstance(mss, MssSimulator)
        dui = ReferenceDui(ReferenceDuiConfig()).start()
        trigger = HttpTriggerDriver(dui.base_url)
        try:
            trigger.configure_endpoints(
                {"insi": {"url": insi.url}, "mssante": {"url": mss.url, **mss.endpoint_details()}}
            )
            person_id = trigger.create_person(person("adrun-zoe").traits)["person_id"]
            trigger.check_identity_document(person_id, IdentityDocument())
            trigger.lookup_ins(person_id)
            driver = AttendedDriver(recorder, MailBot(trigger, person_id), exchange_timeout=5)
            driver.settle_quiet = 0.2
            yield driver, mss, trigger, person_id
        finally:
            trigger.close()
            dui.stop()


def test_operator_sends_and_the_harness_sees_the_message(
    setting: tuple[AttendedDriver, MssSimulator, HttpTriggerDriver, str],
) -> None:
    driver, _, _, person_id = setting
    outcome = driver.mss_send(person_id, "professional", address=DOCTOR, acknowledgement=True)
    assert outcome["status"] == "sent" and outcome["recipients"] == [DOCTOR] and outcome["message_id"]
    hidden = driver.mss_send(person_id, "patient", visible_to_patient=False)
    assert hidden["status"] == "not_sent"


def test_operator_fetches_and_types_the_documents_back(
    setting: tuple[AttendedDriver, MssSimulator, HttpTriggerDriver, str],
) -> None:
    driver, mss, _, person_id = setting
    t = person("adrun-zoe").traits
    zoe = MssPerson("adrun-zoe", t, "275126322074974", "1.2.250.1.213.1.4.8")
    harness, dui = mss.directory.with_role("harness").address, mss.directory.with_role("dui").address
    built = document_message(harness, dui, [cda_for("cr-bio", zoe)], acknowledgement=True)
    mss.deliver(built.raw, sender=harness, recipient=dui)
    fetched = driver.mss_fetch()
    assert [m["message_id"] for m in fetched["messages"]] == [built.message_id]
    assert len(driver.mss_documents(person_id)) == 1
    (ack,) = driver.mss_acknowledgements()
    assert ack["original_message_id"] == built.message_id and ack["error_code"] is None
