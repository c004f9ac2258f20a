"""Plain HTTP (requests) exercises every R4 interaction of the FHIR simulators (issue 16 item 2).

update (and update-as-create), conditional create/update/delete, delete, history (instance, type,
server), vread, If-Match (412), If-None-Match / If-Modified-Since (304), Prefer (minimal,
representation, OperationOutcome), search paging (next/previous links), _sort, _lastUpdated,
_include/_revinclude, _summary=count, POST _search, and every error as an OperationOutcome.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import requests

from tests.mocks.fhir.fhir_support import FHIR_JSON, Fhir, GenericFhir, outcome_issue

NIR_TEST = "urn:oid:1.2.250.1.213.1.4.10"


def patient(value: str, **extra: Any) -> dict[str, Any]:
    return {
        "resourceType": "Patient",
        "gender": "female",
        "birthDate": "1940-05-12",
        "identifier": [{"system": NIR_TEST, "value": value}],
        **extra,
    }


def put(fhir: Fhir, path: str, body: Any, **headers: str) -> requests.Response:
    return fhir.http.put(fhir.sim.url + path, json=body, headers={**FHIR_JSON, **headers}, timeout=30)


def delete(fhir: Fhir, path: str, **headers: str) -> requests.Response:
    return fhir.http.delete(fhir.sim.url + path, headers={"Accept": "application/fhir+json", **headers}, timeout=30)


def test_update_versions_the_resource_and_update_as_create(fhir: Fhir) -> None:
    rid = fhir.post("/Patient", patient("240057505612349")).json()["id"]
    updated = put(fhir, f"/Patient/{rid}", patient("240057505612349", id=rid, gender="male"))
    assert updated.status_code == 200 and updated.headers["etag"] == 'W/"2"'
    assert updated.headers["location"] == f"{fhir.sim.url}/Patient/{rid}/_history/2"
    assert fhir.get(f"/Patient/{rid}").json()["gender"] == "male"
    assert fhir.get(f"/Patient/{rid}/_history/1").json()["gender"] == "female"
    created = put(fhir, "/Patient/chosen-id", patient("1", id="chosen-id"))
    assert created.status_code == 201 and created.json()["meta"]["versionId"] == "1"
    assert outcome_issue(put(fhir, f"/Patient/{rid}", patient("1", id="other")))["code"] == "invalid"


def test_if_match_guards_an_update_and_a_delete(fhir: Fhir) -> None:
    rid = fhir.post("/Patient", patient("2")).json()["id"]
    stale = put(fhir, f"/Patient/{rid}", patient("2", id=rid), **{"If-Match": 'W/"7"'})
    assert stale.status_code == 412 and outcome_issue(stale)["code"] == "conflict"
    assert put(fhir, f"/Patient/{rid}", patient("2", id=rid), **{"If-Match": 'W/"1"'}).status_code == 200
    assert delete(fhir, f"/Patient/{rid}", **{"If-Match": 'W/"1"'}).status_code == 412
    assert delete(fhir, f"/Patient/{rid}", **{"If-Match": 'W/"2"'}).status_code == 204


def test_conditional_read_answers_304(fhir: Fhir) -> None:
    created = fhir.post("/Patient", patient("3"))
    rid, etag = created.json()["id"], created.headers["etag"]
    not_modified = fhir.get(f"/Patient/{rid}", headers={"If-None-Match": etag})
    assert not_modified.status_code == 304 and not_modified.content == b""
    later = format_datetime(datetime.now(UTC) + timedelta(minutes=5), usegmt=True)
    assert fhir.get(f"/Patient/{rid}", headers={"If-Modified-Since": later}).status_code == 304
    earlier = format_datetime(datetime.now(UTC) - timedelta(days=1), usegmt=True)
    assert fhir.get(f"/Patient/{rid}", headers={"If-Modified-Since": earlier}).status_code == 200
    assert fhir.get(f"/Patient/{rid}", headers={"If-None-Match": 'W/"9"'}).status_code == 200
    bad = fhir.get(f"/Patient/{rid}", headers={"If-Modified-Since": "yesterday"})
    assert bad.status_code == 400 and outcome_issue(bad)["code"] == "invalid"


def test_conditional_create_with_if_none_exist(fhir: Fhir, generic_sim: GenericFhir) -> None:
    first = fhir.post("/Patient", patient("4"))
    again = fhir.post("/Patient", patient("4"), headers={**FHIR_JSON, "If-None-Exist": f"identifier={NIR_TEST}|4"})
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert generic_sim.store.count("Patient") == 1
    fhir.post("/Patient", patient("4"))
    twice = fhir.post("/Patient", patient("4"), headers={**FHIR_JSON, "If-None-Exist": "identifier=4"})
    assert twice.status_code == 412 and outcome_issue(twice)["code"] == "multiple-matches"


def test_conditional_update_and_delete(fhir: Fhir, generic_sim: GenericFhir) -> None:
    made = put(fhir, "/Patient?identifier=5", patient("5"))
    assert made.status_code == 201
    rid = made.json()["id"]
    changed = put(fhir, "/Patient?identifier=5", patient("5", gender="male"))
    assert changed.status_code == 200 and changed.json()["id"] == rid and changed.json()["meta"]["versionId"] == "2"
    fhir.post("/Patient", patient("5"))
    assert put(fhir, "/Patient?identifier=5", patient("5")).status_code == 412
    assert delete(fhir, "/Patient?identifier=5").status_code == 412
    assert delete(fhir, f"/Patient?_id={rid}").status_code == 204
    assert generic_sim.store.count("Patient") == 1
    assert delete(fhir, "/Patient?identifier=nobody").status_code == 204


def test_delete_then_read_and_history(fhir: Fhir) -> None:
    rid = fhir.post("/Patient", patient("6")).json()["id"]
    put(fhir, f"/Patient/{rid}", patient("6", id=rid, gender="male"))
    assert delete(fhir, f"/Patient/{rid}").status_code == 204
    assert delete(fhir, f"/Patient/{rid}").status_code == 204  # idempotent
    assert outcome_issue(fhir.get(f"/Patient/{rid}"))["code"] == "deleted"
    assert outcome_issue(delete(fhir, "/Patient/never-was"))["code"] == "not-found"
    history = fhir.get(f"/Patient/{rid}/_history").json()
    assert history["type"] == "history" and history["total"] == 3
    assert [e["request"]["method"] for e in history["entry"]] == ["DELETE", "PUT", "POST"]
    assert "resource" not in history["entry"][0] and history["entry"][2]["resource"]["gender"] == "female"
    fhir.post("/Observation", {"resourceType": "Observation", "status": "final", "code": {"text": "x"}})
    assert fhir.get("/Patient/_history").json()["total"] == 3
    assert fhir.get("/_history").json()["total"] == 4


def test_search_pages_with_next_and_previous_links(fhir: Fhir) -> None:
    ids = [fhir.post("/Patient", patient(f"p{i}")).json()["id"] for i in range(5)]
    page = fhir.get("/Patient", params={"_count": "2", "_sort": "_id"}).json()
    seen, pages = [], 0
    while True:
        pages += 1
        seen += [e["resource"]["id"] for e in page["entry"]]
        links = {link["relation"]: link["url"] for link in page["link"]}
        assert page["total"] == 5
        if "next" not in links:
            break
        page = fhir.http.get(links["next"], timeout=30).json()
        assert {"previous", "prev"} <= {link["relation"] for link in page["link"]}
    assert pages == 3 and seen == sorted(ids)
    assert [e["resource"]["id"] for e in fhir.get("/Patient", params={"_sort": "-_id"}).json()["entry"]] == sorted(
        ids, reverse=True
    )
    count = fhir.get("/Patient", params={"_summary": "count"}).json()
    assert count["total"] == 5 and "entry" not in count


def test_last_updated_filters_and_sorts(fhir: Fhir) -> None:
    old = fhir.post("/Patient", patient("a")).json()
    time.sleep(0.01)  # distinct lastUpdated (millisecond stamps)
    new = fhir.post("/Patient", patient("b")).json()
    boundary = old["meta"]["lastUpdated"]
    after = fhir.get("/Patient", params={"_lastUpdated": f"gt{boundary}"}).json()
    assert [e["resource"]["id"] for e in after["entry"]] == [new["id"]]
    today = boundary[:10]
    assert fhir.get("/Patient", params={"_lastUpdated": today}).json()["total"] == 2
    assert fhir.get("/Patient", params={"_lastUpdated": "lt2000-01-01"}).json()["total"] == 0
    newest = fhir.get("/Patient", params={"_sort": "-_lastUpdated"}).json()["entry"][0]["resource"]["id"]
    assert newest == new["id"]


def test_include_and_revinclude(fhir: Fhir) -> None:
    pid = fhir.post("/Patient", patient("7")).json()["id"]
    eid = fhir.post(
        "/Encounter",
        {
            "resourceType": "Encounter",
            "status": "finished",
            "class": {"code": "HH"},
            "subject": {"reference": f"Patient/{pid}"},
        },
    ).json()["id"]
    with_patient = fhir.get("/Encounter", params={"_id": eid, "_include": "Encounter:subject"}).json()
    assert [(e["resource"]["resourceType"], e["search"]["mode"]) for e in with_patient["entry"]] == [
        ("Encounter", "match"),
        ("Patient", "include"),
    ]
    with_encounters = fhir.get("/Patient", params={"_id": pid, "_revinclude": "Encounter:patient"}).json()
    assert [e["resource"]["resourceType"] for e in with_encounters["entry"]] == ["Patient", "Encounter"]
    assert with_encounters["total"] == 1


def test_post_search_reads_the_form_body(fhir: Fhir) -> None:
    fhir.post("/Patient", patient("8"))
    fhir.post("/Patient", patient("9"))
    found = fhir.http.post(
        fhir.sim.url + "/Patient/_search",
        data={"identifier": f"{NIR_TEST}|8"},
        headers={"Accept": "application/fhir+json"},
        timeout=30,
    ).json()
    assert found["type"] == "searchset" and found["total"] == 1


def test_lenient_search_ignores_unknown_parameters(fhir: Fhir) -> None:
    assert fhir.get("/Patient", params={"foo": "bar"}).status_code == 400
    lenient = fhir.get("/Patient", params={"foo": "bar"}, headers={"Prefer": "handling=lenient"})
    assert lenient.status_code == 200 and "foo" not in lenient.json()["link"][0]["url"]


def test_prefer_return(fhir: Fhir) -> None:
    minimal = fhir.post("/Patient", patient("10"), headers={**FHIR_JSON, "Prefer": "return=minimal"})
    assert minimal.status_code == 201 and minimal.content == b"" and minimal.headers["location"]
    outcome = fhir.post("/Patient", patient("11"), headers={**FHIR_JSON, "Prefer": "return=OperationOutcome"})
    assert outcome.json()["resourceType"] == "OperationOutcome"
    assert outcome.json()["issue"][0]["severity"] == "information"
    full = fhir.post("/Patient", patient("12"), headers={**FHIR_JSON, "Prefer": "return=representation"})
    assert full.json()["resourceType"] == "Patient"
    assert fhir.post("/Patient", patient("13"), headers={**FHIR_JSON, "Prefer": "return=all"}).status_code == 400


def test_every_error_is_an_operation_outcome(fhir: Fhir) -> None:
    for response in (
        fhir.get("/a/b/c/d/e"),
        fhir.http.patch(fhir.sim.url + "/Patient/x", timeout=30),
        fhir.get("/Patient/x/_history"),
        fhir.get("/Patient/x/_history/z"),
    ):
        assert response.status_code in (400, 404, 405), response.text
        outcome_issue(response)
