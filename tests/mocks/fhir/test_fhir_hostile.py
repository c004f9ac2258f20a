"""Hostile and broken inputs: always a precise OperationOutcome, never a crash, never a partial write."""

from __future__ import annotations

import json

import pytest

from tests.mocks.fhir.fhir_support import FHIR_JSON, Fhir, GenericFhir, outcome_issue, transaction

PATIENT = {"resourceType": "Patient", "gender": "male"}


@pytest.mark.parametrize(
    ("body", "status", "code", "words"),
    [
        (b'{"resourceType": "Bundle",', 400, "structure", "invalid JSON"),
        (b"", 400, "required", "empty body"),
        (b"\xff\xfe{}", 400, "structure", "not UTF-8"),
        (b'{"resourceType": "Bundle", "resourceType": "Patient"}', 400, "structure", "duplicate JSON property"),
        (b'{"resourceType": "Bundle", "type": "transaction", "total": NaN}', 400, "structure", "NaN"),
        (("[" * 5000 + "]" * 5000).encode(), 422, "too-costly", "nested deeper"),
        (
            json.dumps({"resourceType": "Bundle", "type": "transaction", "entry": [{"a": {"b": {"c": {}}}}]})
            .encode()
            .replace(b'{"c": {}}', b'{"c": ' + b'{"d": ' * 80 + b"{}" + b"}" * 80 + b"}"),
            422,
            "too-costly",
            "64 levels",
        ),
        (json.dumps([1, 2]).encode(), 400, "structure", "JSON object"),
        # issue 17: a plain-text 500 and a traceback before; now refused while parsing
        (
            b'{"resourceType": "Bundle", "type": "transaction", "total": ' + b"7" * 5000 + b"}",
            400,
            "value",
            "5000 digits exceeds the limit of 4300",
        ),
        (
            json.dumps(
                {
                    "resourceType": "Bundle",
                    "type": "transaction",
                    "entry": [{"resource": {"resourceType": "Patient"}}] * 120_000,
                }
            ).encode(),
            413,
            "too-costly",
            "more than",
        ),
        (json.dumps({"resourceType": "Patient"}).encode(), 400, "invalid", "resourceType Patient sent to the Bundle"),
        (json.dumps({"resourceType": "Bundle", "type": "document"}).encode(), 400, "invalid", "transaction or batch"),
    ],
)
def test_broken_bodies_get_a_precise_outcome(
    fhir: Fhir, generic_sim: GenericFhir, body: bytes, status: int, code: str, words: str
) -> None:
    response = fhir.post("/", body)
    assert response.status_code == status, response.text
    issue = outcome_issue(response)
    assert issue["code"] == code and words in issue["diagnostics"], issue
    assert generic_sim.store.count() == 0


@pytest.mark.parametrize(
    ("content_type", "words"),
    [
        (None, "Content-Type is missing"),
        ("text/plain", "is not application/fhir+json"),
        ("application/fhir+xml", "reads JSON only"),
        ("application/fhir+json; charset=iso-8859-1", "FHIR JSON is UTF-8"),
    ],
)
def test_wrong_content_type_is_415(fhir: Fhir, content_type: str | None, words: str) -> None:
    headers = {"Accept": "application/fhir+json"} | ({"Content-Type": content_type} if content_type else {})
    response = fhir.http.post(fhir.sim.url + "/", data=json.dumps(transaction(PATIENT)), headers=headers, timeout=10)
    assert response.status_code == 415
    assert words in outcome_issue(response)["diagnostics"]


def test_application_json_is_accepted(fhir: Fhir) -> None:
    response = fhir.post("/Patient", PATIENT, headers={"Content-Type": "application/json"})
    assert response.status_code == 201


@pytest.mark.parametrize("query", [{"_format": "xml"}, {}])
def test_xml_is_not_acceptable(fhir: Fhir, query: dict[str, str]) -> None:
    headers = {"Accept": "application/fhir+xml"} if not query else {}
    response = fhir.http.get(fhir.sim.url + "/metadata", params=query, headers=headers, timeout=10)
    assert response.status_code == 406
    assert "JSON only" in outcome_issue(response)["diagnostics"]


def test_too_many_entries_is_413_and_nothing_is_stored(fhir: Fhir, generic_sim: GenericFhir) -> None:
    response = fhir.post("/", transaction(*[PATIENT] * 501))
    assert response.status_code == 413
    assert "at most 500" in outcome_issue(response)["diagnostics"]
    assert generic_sim.store.count() == 0


def test_oversized_body_is_413_with_an_outcome(fhir: Fhir, generic_sim: GenericFhir) -> None:
    big = json.dumps(
        {"resourceType": "Patient", "text": {"status": "generated", "div": "x" * (generic_sim.max_body + 10)}}
    ).encode()
    response = fhir.post("/Patient", big)
    assert response.status_code == 413
    assert outcome_issue(response)["code"] == "too-costly"


@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [
        ("GET", "/Medication/x", 404, "not-supported"),
        ("GET", "/Citation", 404, "not-supported"),
        ("GET", "/patient", 400, "invalid"),
        ("GET", "/Patient/bad%20id", 400, "invalid"),
        ("GET", "/Patient?foo=bar", 400, "not-supported"),
        ("GET", "/Patient?identifier:missing=true", 400, "not-supported"),
        ("GET", "/Patient?_count=-1", 400, "invalid"),
        ("DELETE", "/Encounter/x", 405, "not-supported"),
        ("POST", "/Encounter/x", 405, "not-supported"),
    ],
)
def test_wrong_targets_get_an_outcome(fhir: Fhir, method: str, path: str, status: int, code: str) -> None:
    response = fhir.http.request(method, fhir.sim.url + path, headers=FHIR_JSON, data=b"{}", timeout=10)
    assert response.status_code == status, response.text
    assert outcome_issue(response)["code"] == code


def test_wrong_resource_type_in_an_entry_refuses_the_transaction(fhir: Fhir, generic_sim: GenericFhir) -> None:
    body = transaction(PATIENT)
    body["entry"].append(
        {"resource": {"resourceType": "Medication"}, "request": {"method": "POST", "url": "Medication"}}
    )
    response = fhir.post("/", body)
    assert response.status_code == 404
    issue = outcome_issue(response)
    assert "Medication is not served" in issue["diagnostics"] and issue["expression"] == ["Bundle.entry[1].request.url"]
    assert generic_sim.store.count() == 0


def test_unknown_elements_and_r4b_only_types_are_refused(fhir: Fhir, generic_sim: GenericFhir) -> None:
    response = fhir.post("/", transaction(dict(PATIENT, nickname="Bob")))
    assert response.status_code == 422
    assert outcome_issue(response)["expression"] == ["Bundle.entry[0].resource.nickname"]
    assert generic_sim.store.count() == 0


def test_injected_unavailability_is_503_with_an_outcome(fhir: Fhir, generic_sim: GenericFhir) -> None:
    generic_sim.faults.add("http_status", "create", 1, status=503)
    response = fhir.post("/Patient", PATIENT)
    assert response.status_code == 503
    assert outcome_issue(response)["code"] == "transient"
    assert fhir.post("/Patient", PATIENT).status_code == 201


def test_an_oversized_head_gets_an_operation_outcome_too(fhir: Fhir) -> None:
    import json
    import socket
    from urllib.parse import urlsplit

    # given a request head over the simulator's limit (the recording middleware refuses it before any route)
    where = urlsplit(fhir.sim.url)
    with socket.create_connection((where.hostname, where.port), timeout=10) as sock:
        sock.sendall(
            b"GET /metadata HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * (fhir.sim.limits.header_bytes + 10) + b"\r\n\r\n"
        )
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    # then 431 with a FHIR OperationOutcome, not plain text
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 431") and b"application/fhir+json" in head
    assert json.loads(body)["resourceType"] == "OperationOutcome"
