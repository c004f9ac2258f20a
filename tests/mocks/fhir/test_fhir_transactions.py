"""Transactions and batches resolve every fullUrl form and conditional reference (issue 16 items 1 and 2).

Absolute ``fullUrl`` with relative references (the TDDUI IG's own example), ``urn:uuid:``, a
created resource's ``Type/id``, ``ifNoneExist``, conditional ``PUT``/``DELETE`` entries,
``ifMatch``, conditional references (``Patient?identifier=…``), no dangling reference stored,
``Prefer`` on the response entries; and the official IG examples posted to the TDDUI consumer.
"""

from __future__ import annotations

import json
from typing import Any

from harness.core.findings import Severity
from harness.paths import fixtures_dir
from mocks.fhir import EparcoursSimulator
from tests.mocks.fhir.fhir_support import FHIR_JSON, Fhir, GenericFhir, outcome_issue, transaction, urn
from tests.mocks.fhir.test_fhir_rest import NIR_TEST, patient
from tests.validators.fhir.test_ig_examples import EXPECTED, _corrected, _example

ENCOUNTER = {"resourceType": "Encounter", "status": "in-progress", "class": {"code": "HH"}}


def _entry(
    resource: dict[str, Any], method: str, url: str, full_url: str | None = None, **request: str
) -> dict[str, Any]:
    entry: dict[str, Any] = {"resource": resource, "request": {"method": method, "url": url, **request}}
    if full_url:
        entry["fullUrl"] = full_url
    return entry


def _bundle(*entries: dict[str, Any], kind: str = "transaction") -> dict[str, Any]:
    return {"resourceType": "Bundle", "type": kind, "entry": list(entries)}


def test_absolute_full_urls_and_relative_references_are_rewritten(fhir: Fhir) -> None:
    # given entries named by absolute fullUrls, referencing each other as Type/id (the IG's example style)
    body = _bundle(
        _entry(patient("1", id="pat-1"), "POST", "Patient", "https://dui.example/fhir/Patient/pat-1"),
        _entry(
            dict(ENCOUNTER, subject={"reference": "Patient/pat-1"}),
            "POST",
            "Encounter",
            "https://dui.example/fhir/Encounter/enc-1",
        ),
        _entry(dict(ENCOUNTER, subject={"reference": "https://dui.example/fhir/Patient/pat-1"}), "POST", "Encounter"),
    )
    answer = fhir.post("/", body).json()
    new_patient = answer["entry"][0]["resource"]["id"]
    assert new_patient != "pat-1"
    # then every reference names the created Patient: nothing dangling is stored
    for entry in answer["entry"][1:]:
        assert entry["resource"]["subject"]["reference"] == f"Patient/{new_patient}"


def test_relative_full_urls_name_their_entry(fhir: Fhir) -> None:
    body = _bundle(
        _entry(patient("12"), "POST", "Patient", "Patient/local-12"),
        _entry(dict(ENCOUNTER, subject={"reference": "Patient/local-12"}), "POST", "Encounter"),
    )
    answer = fhir.post("/", body).json()
    assert answer["entry"][1]["resource"]["subject"]["reference"] == f"Patient/{answer['entry'][0]['resource']['id']}"


def test_if_none_exist_entries_do_not_duplicate(fhir: Fhir, generic_sim: GenericFhir) -> None:
    def send() -> dict[str, Any]:
        full_url = urn()
        answer: dict[str, Any] = fhir.post(
            "/",
            _bundle(
                _entry(patient("2"), "POST", "Patient", full_url, ifNoneExist=f"identifier={NIR_TEST}|2"),
                _entry(dict(ENCOUNTER, subject={"reference": full_url}), "POST", "Encounter", urn()),
            ),
        ).json()
        return answer

    first, second = send(), send()
    assert first["entry"][0]["response"]["status"] == "201 Created"
    assert second["entry"][0]["response"]["status"] == "200 OK"
    pid = first["entry"][0]["resource"]["id"]
    assert second["entry"][1]["resource"]["subject"]["reference"] == f"Patient/{pid}"
    assert generic_sim.store.count("Patient") == 1 and generic_sim.store.count("Encounter") == 2


def test_conditional_references_resolve_to_their_one_match(fhir: Fhir) -> None:
    pid = fhir.post("/Patient", patient("3")).json()["id"]
    ref = f"Patient?identifier={NIR_TEST}|3"
    answer = fhir.post("/", transaction(dict(ENCOUNTER, subject={"reference": ref}))).json()
    assert answer["entry"][0]["resource"]["subject"]["reference"] == f"Patient/{pid}"
    none = fhir.post("/", transaction(dict(ENCOUNTER, subject={"reference": "Patient?identifier=nobody"})))
    assert none.status_code == 404 and "matches 0" in outcome_issue(none)["diagnostics"]
    fhir.post("/Patient", patient("3"))
    several = fhir.post("/", transaction(dict(ENCOUNTER, subject={"reference": ref})))
    assert several.status_code == 412 and outcome_issue(several)["code"] == "multiple-matches"


def test_a_dangling_reference_is_refused_and_nothing_stored(fhir: Fhir, generic_sim: GenericFhir) -> None:
    body = transaction(patient("4"), dict(ENCOUNTER, subject={"reference": "Patient/unknown"}))
    response = fhir.post("/", body)
    assert response.status_code == 400 and "resolves to nothing" in outcome_issue(response)["diagnostics"]
    assert generic_sim.store.count() == 0


def test_conditional_put_delete_and_if_match_entries(fhir: Fhir, generic_sim: GenericFhir) -> None:
    keep = fhir.post("/Patient", patient("5")).json()["id"]
    gone = fhir.post("/Patient", patient("6")).json()["id"]
    answer = fhir.post(
        "/",
        _bundle(
            _entry(patient("5", gender="male"), "PUT", f"Patient?identifier={NIR_TEST}|5"),
            {"request": {"method": "DELETE", "url": "Patient?identifier=6"}},
            _entry(patient("7"), "PUT", "Patient?identifier=7"),
            {"request": {"method": "GET", "url": f"Patient/{keep}/_history/1"}},
        ),
    ).json()
    assert [e["response"]["status"] for e in answer["entry"]] == ["200 OK", "204 No Content", "201 Created", "200 OK"]
    assert answer["entry"][0]["resource"]["id"] == keep and answer["entry"][3]["resource"]["gender"] == "female"
    assert outcome_issue(fhir.get(f"/Patient/{gone}"))["code"] == "deleted"
    stale = fhir.post("/", _bundle(_entry(patient("5", id=keep), "PUT", f"Patient/{keep}", ifMatch='W/"1"')))
    stored = generic_sim.store.read("Patient", keep)
    assert stale.status_code == 412 and stored is not None and stored.version == 2


def test_prefer_shapes_the_response_entries(fhir: Fhir) -> None:
    minimal = fhir.post("/", transaction(patient("8")), headers={**FHIR_JSON, "Prefer": "return=minimal"}).json()
    assert "resource" not in minimal["entry"][0] and minimal["entry"][0]["response"]["location"]
    outcome = fhir.post("/", transaction(patient("9")), headers={**FHIR_JSON, "Prefer": "return=OperationOutcome"})
    assert outcome.json()["entry"][0]["response"]["outcome"]["resourceType"] == "OperationOutcome"


def test_batch_runs_every_kind_of_entry_on_its_own(fhir: Fhir) -> None:
    pid = fhir.post("/Patient", patient("10")).json()["id"]
    answer = fhir.post(
        "/",
        _bundle(
            {"request": {"method": "GET", "url": f"Patient?identifier={NIR_TEST}|10"}},
            _entry(patient("10", id=pid, gender="male"), "PUT", f"Patient/{pid}"),
            _entry(patient("11"), "POST", "Patient", ifNoneExist="identifier=10"),
            {"request": {"method": "DELETE", "url": "Patient/never-was"}},
            kind="batch",
        ),
    ).json()
    assert [e["response"]["status"] for e in answer["entry"]] == ["200 OK", "200 OK", "200 OK", "404 not-found"]
    assert answer["entry"][0]["resource"]["total"] == 1


def test_official_examples_posted_to_the_consumer_get_only_their_true_findings(
    eparcours_sim: EparcoursSimulator, http: Any
) -> None:
    for name, expected in EXPECTED.items():
        eparcours_sim.reset()
        since = eparcours_sim.recorder.mark()
        response = Fhir(eparcours_sim, http).post("/", _example(name))
        assert response.status_code == 422
        exchange = eparcours_sim.recorder.exchanges(since=since)[-1]
        found = sorted([f.rule, f.requirement, f.location, f.severity.value] for f in exchange.findings)
        assert found == sorted(expected), name
        issues = response.json()["issue"][1:]
        assert len(issues) == len(expected)
        assert eparcours_sim.store.count() == 0


def test_corrected_official_example_is_created_with_its_references_rewritten(
    eparcours_sim: EparcoursSimulator, http: Any
) -> None:
    eparcours_sim.reset()
    bundle = _corrected(_example("ig-example-tddui-bundle.json"))
    fhir = Fhir(eparcours_sim, http)
    # the event's Location is held by no consumer: a real server refuses the dangling reference
    refused = fhir.post("/", bundle)
    assert refused.status_code == 400 and "Location/tddui-event-location-example" in refused.text
    del bundle["entry"][3]["resource"]["location"]
    answer = fhir.post("/", bundle)
    assert answer.status_code == 200, answer.text
    entries = answer.json()["entry"]
    assert [e["response"]["status"] for e in entries] == ["201 Created"] * 8
    patient_id = entries[0]["resource"]["id"]
    stay, event = entries[2]["resource"], entries[3]["resource"]
    assert stay["subject"]["reference"] == f"Patient/{patient_id}" != "Patient/tddui-patient-ins-example"
    assert event["partOf"]["reference"] == f"Encounter/{stay['id']}"
    findings = eparcours_sim.recorder.exchanges()[-1].findings
    assert [f for f in findings if f.severity is Severity.ERROR] == []


def test_documents_only_official_example_is_accepted_once_corrected(
    eparcours_sim: EparcoursSimulator, http: Any
) -> None:
    eparcours_sim.reset()
    bundle = _corrected(_example("ig-tddui-bundle-example-documents.json"))
    answer = Fhir(eparcours_sim, http).post("/", bundle)
    assert answer.status_code == 200, answer.text
    assert json.loads(answer.text)["type"] == "transaction-response"
    assert eparcours_sim.store.count("DocumentReference") == 2
    assert (fixtures_dir() / "tddui" / "README.md").is_file()
