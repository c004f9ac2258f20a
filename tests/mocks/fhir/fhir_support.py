"""Helpers of the FHIR simulator tests: an HTTP caller, bundle builders, OperationOutcome checks."""

from __future__ import annotations

import json
import uuid
from typing import Any, ClassVar

import requests

from mocks.fhir import FhirSimulator
from reference_dui.fhir.cda import Essms
from reference_dui.fhir.tddui import build_bundle

FHIR_JSON = {"Content-Type": "application/fhir+json", "Accept": "application/fhir+json"}


class GenericFhir(FhirSimulator):
    """A FHIR server with a few types and the base structure check only."""

    service = "FHIR-TEST"
    resource_types: ClassVar[dict[str, tuple[str, ...]]] = {
        "Patient": ("read", "vread", "search-type", "create", "update", "delete", "history-instance", "history-type"),
        "Observation": ("read", "search-type", "create", "update"),
        "Encounter": ("read", "search-type", "create"),
    }


class Fhir:
    """HTTP helper bound to one simulator."""

    def __init__(self, sim: FhirSimulator, http: requests.Session) -> None:
        self.sim, self.http = sim, http

    def post(self, path: str, body: Any, headers: dict[str, str] | None = None) -> requests.Response:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        return self.http.post(self.sim.url + path, data=data, headers=headers or FHIR_JSON, timeout=30)

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("headers", {"Accept": "application/fhir+json"})
        return self.http.get(self.sim.url + path, timeout=30, **kwargs)


def urn() -> str:
    return f"urn:uuid:{uuid.uuid4()}"


def transaction(*resources: dict[str, Any], kind: str = "transaction") -> dict[str, Any]:
    """A transaction Bundle creating ``resources`` (``_fullUrl`` keys become the fullUrl)."""
    entries = []
    for resource in resources:
        resource = dict(resource)
        full_url = resource.pop("_fullUrl", urn())
        entries.append(
            {"fullUrl": full_url, "resource": resource, "request": {"method": "POST", "url": resource["resourceType"]}}
        )
    return {"resourceType": "Bundle", "type": kind, "entry": entries}


def outcome_issue(response: requests.Response) -> dict[str, Any]:
    """The first OperationOutcome issue of an error answer (asserting its shape)."""
    assert response.headers["content-type"].startswith("application/fhir+json")
    body = response.json()
    assert body["resourceType"] == "OperationOutcome"
    issue: dict[str, Any] = body["issue"][0]
    assert issue["severity"] in ("error", "fatal") and issue["code"] and issue["diagnostics"]
    return issue


PERSON = {
    "person_id": "p-1",
    "local_id": "p-1",
    "traits": {
        "birth_name": "BERNARD-ESSAI",
        "first_names": ["ANDRE"],
        "sex": "M",
        "birth_date": "1952-07-30",
        "birth_place": "33063",
    },
}
INS = {"value": "152073306301157", "oid": "1.2.250.1.213.1.4.10"}
RECORD = {
    "stay": {"id": "S1", "start": "2026-01-05"},
    "evaluation": {"id": "E1", "date": "2026-01-12", "items": [{"code": "GIR", "question": "GIR", "answer": "4"}]},
    "project": {"id": "P1", "title": "Projet 2026", "start": "2026-02-01"},
}


def tddui_bundle(**defects: bool) -> dict[str, Any]:
    """A TDDUIBundle built by the reference DUI (its own code), with some of its defect switches on."""
    return build_bundle(PERSON, INS, "QUAL", RECORD, Essms(), frozenset(d for d, on in defects.items() if on))
