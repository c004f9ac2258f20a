"""The DMP simulator's held answers (background sending, SC.DMP/ALI/PROG.05) and its TD0.9 contextual entry."""

from __future__ import annotations

import base64
import threading
from pathlib import Path
from urllib.parse import quote

import requests
from lxml import etree

from harness.core.findings import Severity
from harness.pki import TestPki
from mocks.dmp import DmpSimulator, webps
from mocks.dmp.hold import Holds
from reference_dui.dmp.vihf import build_assertion

from .conftest import INS, OID

RESOURCE_ID = "urn:oasis:names:tc:xacml:2.0:resource:resource-id"


def test_a_held_request_waits_for_the_release() -> None:
    holds = Holds()
    with holds.holding("ITI-41", bound=30) as gate:
        assert holds.gate("ITI-41") is gate and holds.gate("TD0.2") is None
        worker = threading.Thread(target=gate.pass_through)
        worker.start()
        assert gate.arrived.wait(10)
        gate.release()
        worker.join(10)
    assert not gate.timed_out
    assert holds.gate("ITI-41") is None


def test_a_gate_that_gives_up_says_so_and_lets_the_next_pass() -> None:
    holds = Holds()
    with holds.holding("ITI-41", bound=0.01) as gate:
        gate.pass_through()  # nobody releases it: bounded
        assert gate.timed_out
        gate.pass_through()  # opened once given up
    assert gate.released.is_set()


def _form(mode: str, assertion: etree._Element | None) -> bytes:
    token = base64.b64encode(etree.tostring(assertion)).decode() if assertion is not None else "!!"
    return f"mode={mode}&vihf={quote(token, safe='')}".encode()


def _vihf(pki: TestPki, *, patient: bool) -> etree._Element:
    cert, key = pki.client("signing-vihf")
    return build_assertion(
        INS,
        OID,
        lps_name="t",
        lps_version="1",
        signing=(Path(cert), Path(key)),
        without=() if patient else (RESOURCE_ID,),
    )


def _errors(access: webps.WebAccess) -> list[str]:
    return [f.rule for f in access.findings if f.severity is Severity.ERROR]


FORM = "application/x-www-form-urlencoded"


def test_td09_dashboard_and_patient_access_are_read(pki: TestPki) -> None:
    dashboard = webps.read_form(_form("TABLEAU_DE_BORD", _vihf(pki, patient=False)), FORM, pki.ca_cert, 10_000)
    assert _errors(dashboard) == [] and dashboard.mode == "TABLEAU_DE_BORD"
    patient = webps.read_form(_form("DOSSIER_PATIENT", _vihf(pki, patient=True)), FORM, pki.ca_cert, 10_000)
    assert _errors(patient) == [] and patient.vihf is not None and patient.vihf.ins == INS
    assert webps.answer(patient).status == 200


def test_td09_patient_access_needs_the_ins(pki: TestPki) -> None:
    access = webps.read_form(_form("DOSSIER_PATIENT", _vihf(pki, patient=False)), FORM, pki.ca_cert, 10_000)
    assert "dmp.webps.patient" in _errors(access)
    assert webps.answer(access).status == 403


def test_td09_malformed_forms_get_a_finding_not_a_crash(pki: TestPki) -> None:
    assert _errors(webps.read_form(b"{}", "application/json", pki.ca_cert, 10_000)) == ["dmp.webps.form"]
    assert "dmp.webps.form" in _errors(webps.read_form(_form("AUTRE", None), FORM, pki.ca_cert, 10_000))
    bomb = b'<!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>'
    body = f"mode=TABLEAU_DE_BORD&vihf={base64.b64encode(bomb).decode()}".encode()
    access = webps.read_form(body, FORM, pki.ca_cert, 10_000)
    assert _errors(access) == ["dmp.webps.form"] and access.vihf is None
    assert webps.answer(access).status == 400


def test_td09_is_served_and_recorded_by_the_simulator(dmp_sim: DmpSimulator, pki: TestPki) -> None:
    since = dmp_sim.recorder.mark()
    with requests.Session() as browser:  # a browser: no client certificate
        browser.trust_env = False
        answer = browser.post(
            dmp_sim.url + webps.PATH,
            data=_form("DOSSIER_PATIENT", _vihf(pki, patient=True)),
            headers={"Content-Type": FORM},
            verify=str(pki.ca_cert),
            timeout=30,
        )
    assert answer.status_code == 200 and INS in answer.text
    found = dmp_sim.recorder.wait_for(service="DMP", transaction="TD0.9", since=since, timeout=5)
    assert found and found[-1].summary["mode"] == "DOSSIER_PATIENT" and found[-1].tags["ins"] == INS
