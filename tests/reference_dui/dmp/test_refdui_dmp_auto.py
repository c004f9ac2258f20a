"""The reference DUI as a user drives it, against the DMP simulator: a validated document sent by itself,
resent by itself after an outage, and the contextual access to the DMP's web PS (TD0.9)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from harness.core.recorder import Recorder
from harness.pki import TestPki, ensure_pki
from harness.suites.dmp_auto.observe import accepted, answered_for
from harness.suites.ins.persons import person
from mocks.common.server import TlsSettings
from mocks.dmp import DmpSimulator, webps
from mocks.insi import InsiSimulator

from .test_refdui_dmp import Dui


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> TestPki:
    return ensure_pki(tmp_path_factory.mktemp("refdui-dmp-auto-pki"))


@pytest.fixture(scope="module")
def dui(pki: TestPki) -> Iterator[Dui]:
    tls = TlsSettings(pki.server_cert, pki.server_key, client_ca=pki.ca_cert)
    recorder = Recorder()
    with DmpSimulator(recorder, tls=tls) as dmp, InsiSimulator(recorder, tls=tls) as insi:
        client = Dui(pki, dmp, insi)
        yield client
        client.close()


def _validate(dui: Dui, pid: str) -> str:
    response = dui.call("POST", f"/persons/{pid}/documents/validate", {"kind": "PPA"})
    assert response.status_code == 201, response.text
    return str(response.json()["document_id"])


def test_a_validated_document_reaches_the_dmp_by_itself(dui: Dui) -> None:
    # given a qualified person, when the professional validates her PPA (no publication asked)
    pid, ins = dui.qualified("lefevre-jeanne"), person("lefevre-jeanne").ins
    assert ins is not None
    since = dui.dmp.recorder.mark()
    document_id = _validate(dui, pid)
    # then the DUI's own ITI-41 reaches the DMP and is accepted
    found = dui.dmp.recorder.wait_for(answered_for(ins, document_id), service="DMP", since=since, timeout=15)
    assert accepted(found, ins, document_id)


def test_a_document_kept_during_an_outage_is_sent_again_by_itself(dui: Dui) -> None:
    pid, ins = dui.qualified("bernard-andre"), person("bernard-andre").ins
    assert ins is not None
    since = dui.dmp.recorder.mark()
    dui.dmp.faults.add("http_status", "ITI-41", None, status=503)
    try:
        document_id = _validate(dui, pid)
        # the first burst (3 tries) then at least one automatic retry, all refused
        assert len(dui.dmp.recorder.wait_for(lambda f: len(f) >= 4, transaction="ITI-41", since=since, timeout=15)) >= 4
        kept = [d for d in dui.call("GET", f"/persons/{pid}/dmp/documents").json() if d["document_id"] == document_id]
        assert kept and kept[0]["status"] == "pending"
    finally:
        dui.dmp.faults.clear()
    back = dui.dmp.recorder.mark()
    found = dui.dmp.recorder.wait_for(answered_for(ins, document_id), service="DMP", since=back, timeout=15)
    assert accepted(found, ins, document_id)


def test_web_access_is_built_for_the_dashboard_and_a_qualified_person_only(dui: Dui, pki: TestPki) -> None:
    pid = dui.qualified("dupont-louise-anne")
    with requests.Session() as browser:
        browser.trust_env = False
        for body in ({"mode": "dashboard"}, {"mode": "patient", "person_id": pid}):
            access = dui.call("POST", "/dmp/web-access", body).json()
            assert access["url"] == dui.dmp.url + webps.PATH and access["method"] == "POST"
            page = browser.post(access["url"], data=access["form"], verify=str(pki.ca_cert), timeout=30)
            assert page.status_code == 200, page.text
    unqualified = dui.call(
        "POST",
        "/persons",
        {
            "traits": {"birth_name": "HOUILLES", "first_names": ["PIERRE"], "sex": "M", "birth_date": "1961-04-23"},
            "identity_document": {"type": "CNI", "verified": False},
        },
    ).json()["person_id"]
    assert dui.call("POST", "/dmp/web-access", {"mode": "patient", "person_id": unqualified}).status_code == 409
