"""The FHIR R4 server simulator: capabilities, read/vread, search, create, transaction semantics."""

from __future__ import annotations

from pathlib import Path

from harness.core.recorder import Recorder
from tests.mocks.fhir.fhir_support import Fhir, GenericFhir, outcome_issue, transaction, urn

PATIENT = {
    "resourceType": "Patient",
    "gender": "female",
    "birthDate": "1940-05-12",
    "identifier": [{"system": "urn:oid:1.2.250.1.213.1.4.10", "value": "240057505612349"}],
}


def test_capability_statement_describes_what_is_served(fhir: Fhir) -> None:
    response = fhir.get("/metadata")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/fhir+json; charset=utf-8"
    statement = response.json()
    assert statement["resourceType"] == "CapabilityStatement" and statement["fhirVersion"] == "4.0.1"
    rest = statement["rest"][0]
    assert {i["code"] for i in rest["interaction"]} == {"transaction", "batch", "history-system"}
    patient = next(r for r in rest["resource"] if r["type"] == "Patient")
    assert {"read", "search-type", "create"} <= {i["code"] for i in patient["interaction"]}
    assert {"_id", "identifier", "patient", "subject", "status", "_lastUpdated"} <= {
        p["name"] for p in patient["searchParam"]
    }


def test_create_then_read_vread_and_search(fhir: Fhir) -> None:
    created = fhir.post("/Patient", PATIENT)
    assert created.status_code == 201
    location = created.headers["location"]
    rid = created.json()["id"]
    assert location == f"{fhir.sim.url}/Patient/{rid}/_history/1" and created.headers["etag"] == 'W/"1"'
    assert fhir.get(f"/Patient/{rid}").json()["meta"]["versionId"] == "1"
    assert fhir.get(f"/Patient/{rid}/_history/1").status_code == 200
    assert outcome_issue(fhir.get(f"/Patient/{rid}/_history/2"))["code"] == "not-found"
    for query in (
        {"_id": rid},
        {"identifier": "urn:oid:1.2.250.1.213.1.4.10|240057505612349"},
        {"identifier": "240057505612349"},
    ):
        found = fhir.get("/Patient", params=query).json()
        assert found["type"] == "searchset" and found["total"] == 1, query
        assert found["entry"][0]["fullUrl"].endswith(f"/Patient/{rid}")
    assert fhir.get("/Patient", params={"identifier": "other|240057505612349"}).json()["total"] == 0


def test_transaction_creates_every_entry_and_resolves_urn_uuid_references(fhir: Fhir) -> None:
    # given a Patient and two resources pointing at it by its urn:uuid fullUrl
    patient_url = urn()
    body = transaction(
        dict(PATIENT, _fullUrl=patient_url),
        {
            "resourceType": "Observation",
            "status": "final",
            "code": {"text": "GIR"},
            "subject": {"reference": patient_url},
        },
        {
            "resourceType": "Encounter",
            "status": "in-progress",
            "class": {"code": "HH"},
            "subject": {"reference": patient_url},
        },
    )
    # when it is posted to [base]/
    response = fhir.post("/", body)
    # then 200, a transaction-response in request order, 201 Created each, new ids and versions
    assert response.status_code == 200
    answer = response.json()
    assert answer["type"] == "transaction-response" and len(answer["entry"]) == 3
    statuses = [e["response"]["status"] for e in answer["entry"]]
    assert statuses == ["201 Created"] * 3
    patient_id = answer["entry"][0]["resource"]["id"]
    for entry in answer["entry"]:
        assert entry["response"]["location"].endswith("/_history/1") and entry["response"]["etag"] == 'W/"1"'
        assert entry["resource"]["meta"]["versionId"] == "1"
    observation = fhir.get("/" + answer["entry"][1]["response"]["location"].split("/_history")[0]).json()
    assert observation["subject"]["reference"] == f"Patient/{patient_id}"
    assert fhir.get("/Observation", params={"patient": patient_id}).json()["total"] == 1
    assert (
        fhir.get("/Encounter", params={"subject": f"Patient/{patient_id}", "status": "in-progress"}).json()["total"]
        == 1
    )


def test_one_bad_entry_leaves_nothing_stored(fhir: Fhir, generic_sim: GenericFhir) -> None:
    # given a transaction whose third entry is invalid FHIR (birthDate is not a date)
    body = transaction(PATIENT, PATIENT, dict(PATIENT, birthDate="12/05/1940"))
    before = generic_sim.store.count()
    response = fhir.post("/", body)
    # then 422 with an OperationOutcome naming the entry, and the first two are not stored either
    assert response.status_code == 422
    issue = outcome_issue(response)
    assert issue["expression"] == ["Bundle.entry[2].resource.birthDate"]
    assert "Date" in issue["diagnostics"] or "date" in issue["diagnostics"]
    assert generic_sim.store.count() == before


def test_unresolved_urn_reference_refuses_the_whole_transaction(fhir: Fhir, generic_sim: GenericFhir) -> None:
    body = transaction(
        PATIENT,
        {"resourceType": "Observation", "status": "final", "code": {"text": "x"}, "subject": {"reference": urn()}},
    )
    response = fhir.post("/", body)
    assert response.status_code == 400
    assert "matches no fullUrl" in outcome_issue(response)["diagnostics"]
    assert generic_sim.store.count() == 0


def test_update_and_delete_inside_a_transaction(fhir: Fhir) -> None:
    rid = fhir.post("/Patient", PATIENT).json()["id"]
    body = {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {"resource": dict(PATIENT, id=rid, gender="male"), "request": {"method": "PUT", "url": f"Patient/{rid}"}},
            {"request": {"method": "GET", "url": f"Patient/{rid}"}},
        ],
    }
    answer = fhir.post("/", body).json()
    assert answer["entry"][0]["response"]["status"] == "200 OK"
    assert answer["entry"][0]["response"]["location"] == f"Patient/{rid}/_history/2"
    assert answer["entry"][1]["resource"]["gender"] == "male"
    deleted = fhir.post(
        "/",
        {
            "resourceType": "Bundle",
            "type": "transaction",
            "entry": [{"request": {"method": "DELETE", "url": f"Patient/{rid}"}}],
        },
    ).json()
    assert deleted["entry"][0]["response"]["status"] == "204 No Content"
    assert outcome_issue(fhir.get(f"/Patient/{rid}"))["code"] == "deleted"


def test_batch_processes_entries_independently(fhir: Fhir, generic_sim: GenericFhir) -> None:
    body = transaction(PATIENT, dict(PATIENT, birthDate="not-a-date"), kind="batch")
    answer = fhir.post("/", body).json()
    assert answer["type"] == "batch-response"
    assert answer["entry"][0]["response"]["status"] == "201 Created"
    assert answer["entry"][1]["response"]["status"].startswith("422")
    assert answer["entry"][1]["response"]["outcome"]["resourceType"] == "OperationOutcome"
    assert generic_sim.store.count("Patient") == 1


def test_resources_persist_in_sqlite_across_restarts(tmp_path: Path) -> None:
    db = tmp_path / "fhir.sqlite3"
    with GenericFhir(Recorder(), db_path=db) as sim:
        sim.store.write("Patient", "p1", PATIENT)
    with GenericFhir(Recorder(), db_path=db) as sim:
        found = sim.store.read("Patient", "p1")
        assert found is not None and found.resource["birthDate"] == "1940-05-12"


def test_every_interaction_is_recorded_with_its_outcome(fhir: Fhir, generic_sim: GenericFhir) -> None:
    since = generic_sim.recorder.mark()
    fhir.post("/", transaction(PATIENT))
    fhir.post("/", b"{oops", headers={"Content-Type": "application/fhir+json"})
    found = generic_sim.recorder.exchanges(since=since)
    assert [e.transaction for e in found] == ["transaction", "bundle"]
    assert found[0].summary["status"] == 200 and len(found[0].summary["created"]) == 1
    assert found[1].summary["rejected"] and found[1].summary["outcome"]["code"] == "structure"


def test_python_m_mocks_fhir_serves_both_bases(tmp_path: Path) -> None:
    import signal
    import subprocess
    import sys

    import requests

    proc = subprocess.Popen(
        [sys.executable, "-m", "mocks.fhir", "--port-eparcours", "0", "--port-epresc", "0", "--db", str(tmp_path)],
        stdout=subprocess.PIPE,
        text=True,
    )
    http = requests.Session()
    http.trust_env = False  # loopback only, never through a proxy
    try:
        assert proc.stdout is not None
        bases = [proc.stdout.readline().split("base: ")[1].split()[0] for _ in range(2)]
        for base in bases:
            assert http.get(f"{base}/metadata", timeout=10).json()["fhirVersion"] == "4.0.1"
    finally:
        http.close()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
        if proc.stdout is not None:
            proc.stdout.close()
    assert (tmp_path / "fhir-epresc.sqlite3").is_file()
