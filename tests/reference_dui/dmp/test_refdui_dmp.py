"""The reference DUI's DMP feature against the DMP simulator (mutual TLS, signed VIHF), end to end."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from harness.core.findings import Severity
from harness.core.recorder import Recorder
from harness.pki import TestPki, ensure_pki
from harness.suites.ins.persons import person
from mocks.common.server import TlsSettings
from mocks.dmp import DmpSimulator
from mocks.insi import InsiSimulator
from reference_dui import ReferenceDui, ReferenceDuiConfig


class Dui:
    """One reference DUI, pointed at the simulators, driven through its trigger API."""

    def __init__(self, pki: TestPki, dmp: DmpSimulator, insi: InsiSimulator, defects: tuple[str, ...] = ()) -> None:
        self.dmp = dmp
        self.dui = ReferenceDui(ReferenceDuiConfig(pki_dir=pki.directory, defects=frozenset(defects))).start()
        self.http = requests.Session()
        self.http.trust_env = False
        cert, key = (str(p) for p in pki.client("client-insi-auto"))
        endpoints = {
            name: {"url": url, "client_cert": cert, "client_key": key, "ca": str(pki.ca_cert)}
            for name, url in (("insi", insi.url), ("dmp", dmp.url))
        }
        assert self.call("PUT", "/config/endpoints", endpoints).status_code == 204

    def call(self, method: str, path: str, body: Any = None) -> requests.Response:
        return self.http.request(method, self.dui.base_url + path, json=body, timeout=30)

    def qualified(self, person_id: str) -> str:
        traits = person(person_id).traits
        created = self.call(
            "POST",
            "/persons",
            {
                "traits": {
                    "birth_name": traits.birth_name,
                    "first_names": list(traits.first_names),
                    "sex": traits.sex,
                    "birth_date": traits.birth_date,
                    "birth_place": traits.birth_place,
                },
                "identity_document": {"type": "CNI", "verified": True},
            },
        ).json()
        self.call("POST", f"/persons/{created['person_id']}/insi-lookup")
        return str(created["person_id"])

    def publish(self, pid: str, kind: str) -> dict[str, Any]:
        response = self.call("POST", f"/persons/{pid}/dmp/documents", {"kind": kind})
        assert response.status_code == 201, response.text
        result: dict[str, Any] = response.json()
        return result

    def close(self) -> None:
        self.http.close()
        self.dui.stop()


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> TestPki:
    return ensure_pki(tmp_path_factory.mktemp("refdui-dmp-pki"))


@pytest.fixture(scope="module")
def sims(pki: TestPki) -> Iterator[tuple[DmpSimulator, InsiSimulator]]:
    tls = TlsSettings(pki.server_cert, pki.server_key, client_ca=pki.ca_cert)
    recorder = Recorder()
    with DmpSimulator(recorder, tls=tls) as dmp, InsiSimulator(recorder, tls=tls) as insi:
        yield dmp, insi


@pytest.fixture(scope="module")
def dui(pki: TestPki, sims: tuple[DmpSimulator, InsiSimulator]) -> Iterator[Dui]:
    client = Dui(pki, *sims)
    yield client
    client.close()


def _errors(dmp: DmpSimulator, since: str) -> list[str]:
    return [
        str(f)
        for e in dmp.recorder.exchanges(service="DMP", since=since)
        for f in e.findings
        if f.severity is Severity.ERROR
    ]


@pytest.mark.parametrize("kind", ["DLU", "PPA", "N1"])
def test_publication_interoperates_with_the_simulator(dui: Dui, kind: str) -> None:
    # given a qualified resident, when the DUI publishes each kind of document
    pid = dui.qualified("santoni-paul")
    since = dui.dmp.recorder.mark()
    published = dui.publish(pid, kind)
    # then TD0.2 then ITI-41 reach the DMP, with no finding at all, and the document is registered
    assert published["status"] == "published", published
    assert [e.transaction for e in dui.dmp.recorder.exchanges(service="DMP", since=since)] == ["TD0.2", "ITI-41"]
    assert _errors(dui.dmp, since) == []
    assert dui.dmp.registry.document(published["document_id"]) is not None


def test_replace_mask_and_list(dui: Dui) -> None:
    pid = dui.qualified("lefevre-jeanne")
    first = dui.publish(pid, "DLU")
    since = dui.dmp.recorder.mark()
    second = dui.call("POST", f"/persons/{pid}/dmp/documents/{first['document_id']}/replace", {}).json()
    assert second["status"] == "published" and second["version"] == 2 and second["set_id"] == first["set_id"]
    assert dui.dmp.registry.entry(first["entry_uuid"]).status.endswith("Deprecated")  # type: ignore[union-attr]
    masked = dui.call(
        "POST",
        f"/persons/{pid}/dmp/documents/{second['document_id']}/visibility",
        {"masked_from_professionals": True, "invisible_to_patient": False},
    ).json()
    assert masked["outcome"] == "updated" and masked["masked_from_professionals"] is True
    assert _errors(dui.dmp, since) == []
    statuses = {d["document_id"]: d["status"] for d in dui.call("GET", f"/persons/{pid}/dmp/documents").json()}
    assert statuses == {first["document_id"]: "replaced", second["document_id"]: "published"}
    # replacing a replaced document is refused
    assert dui.call("POST", f"/persons/{pid}/dmp/documents/{first['document_id']}/replace", {}).status_code == 409


def test_retrieve_integrates_for_the_right_person_only(dui: Dui) -> None:
    twin = dui.qualified("dupont-louise-marie")
    pid = dui.qualified("dupont-louise-anne")
    target = person("dupont-louise-anne")
    assert target.ins and target.oid
    seeded = dui.dmp.seed(
        "FLUDR",
        target.ins,
        target.oid,
        {
            "birth_name": target.traits.birth_name,
            "first_names": list(target.traits.first_names),
            "sex": target.traits.sex,
            "birth_date": target.traits.birth_date,
            "birth_place": target.traits.birth_place,
        },
    )
    outcome = dui.call("POST", f"/persons/{pid}/dmp/retrieve", {"kind": "FLUDR"}).json()
    assert [d["document_id"] for d in outcome["integrated"]] == [seeded["unique_id"]]
    assert dui.call("GET", f"/persons/{twin}/dmp/documents").json() == []
    again = dui.call("POST", f"/persons/{pid}/dmp/retrieve", {"kind": "FLUDR"}).json()
    assert again["found"] == 0  # already integrated


def test_unavailable_dmp_keeps_the_document_then_retry(dui: Dui) -> None:
    pid = dui.qualified("bernard-andre")
    dui.dmp.faults.add("http_status", "ITI-41", None, status=503)
    try:
        pending = dui.publish(pid, "PPA")
    finally:
        dui.dmp.faults.clear()
    assert pending["status"] == "pending" and pending["attempts"] == 3
    retried = dui.call("POST", "/dmp/retry").json()["retried"]
    assert [(d["document_id"], d["status"]) for d in retried] == [(pending["document_id"], "published")]


@pytest.mark.parametrize("status", ["NON_EXISTE", "EXPIRE", "INTERDIT"])
def test_td02_refusal_blocks_feeding(dui: Dui, status: str) -> None:
    pid = dui.qualified("santoni-paul")
    ins = person("santoni-paul").ins
    dui.dmp.update_state({"patients": {ins: status}})
    since = dui.dmp.recorder.mark()
    try:
        blocked = dui.publish(pid, "DLU")
    finally:
        dui.dmp.update_state({"patients": {ins: "VALIDE"}})
    assert blocked["status"] == "blocked" and blocked["dmp_status"] == status
    assert [e.transaction for e in dui.dmp.recorder.exchanges(service="DMP", since=since)] == ["TD0.2"]


def test_input_errors(dui: Dui) -> None:
    unqualified = dui.call(
        "POST",
        "/persons",
        {"traits": {"birth_name": "HOUILLES", "first_names": ["PIERRE"], "sex": "M", "birth_date": "1993-01-27"}},
    ).json()
    refused = dui.call("POST", f"/persons/{unqualified['person_id']}/dmp/documents", {"kind": "DLU"})
    assert refused.status_code == 409 and "RNIV" in refused.json()["error"]
    pid = dui.qualified("santoni-paul")
    assert dui.call("POST", f"/persons/{pid}/dmp/documents", {"kind": "ORDONNANCE"}).status_code == 400
    assert dui.call("POST", f"/persons/{pid}/dmp/retrieve", {"kind": "DLU"}).status_code == 400
    assert dui.call("POST", "/persons/nobody/dmp/documents", {"kind": "DLU"}).status_code == 404
    assert dui.call("PUT", "/config/endpoints", {"dmp": {"url": "ftp://x"}}).status_code == 400


#: metadata defect -> the requirement the simulator's findings name on the ITI-41
DEFECTS = {
    "dmp_wrong_format_code": "DMP-CON-03",
    "dmp_missing_ins_traits": "CDA-INS-01",
    "dmp_patient_id_mismatch": "DMP-CON-01",
    "dmp_no_confidentiality": "DMP-XDS-02",
    "dmp_hash_mismatch": "DMP-CON-07",
}


def test_metadata_defects_are_refused_by_the_simulator(pki: TestPki, sims: tuple[DmpSimulator, InsiSimulator]) -> None:
    dmp, insi = sims
    for defect, requirement in DEFECTS.items():
        client = Dui(pki, dmp, insi, (defect,))
        try:
            pid = client.qualified("santoni-paul")
            since = dmp.recorder.mark()
            outcome = client.publish(pid, "DLU")
            assert outcome["status"] != "published", defect
            found = {f.requirement for e in dmp.recorder.exchanges(service="DMP", since=since) for f in e.findings}
            assert requirement in found, (defect, found)
        finally:
            client.close()
