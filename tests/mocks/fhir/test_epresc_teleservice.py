"""The e-prescription teleservice simulator (FHIR R4 model, an assumption) and its shape adapter."""

from __future__ import annotations

from typing import Any

import pytest

from harness.core.recorder import Recorder
from harness.validators.fhir.structure import check_structure
from mocks.fhir import EprescSimulator
from mocks.fhir.epresc_shape import ATC, PRESCRIPTION_ID_SYSTEM, FhirR4BundleShape, load_prescriptions
from tests.mocks.fhir.fhir_support import Fhir, outcome_issue

ADMIN = {
    "resourceType": "MedicationAdministration",
    "status": "completed",
    "medicationCodeableConcept": {"coding": [{"system": ATC, "code": "N02BE01"}]},
    "subject": {"reference": "Patient/pat-ep-test-0001"},
    "effectiveDateTime": "2026-01-06T08:00:00+01:00",
    "request": {"reference": "MedicationRequest/mr-ep-test-0001-1"},
}


@pytest.fixture
def tele(epresc_sim: EprescSimulator, http: Any) -> Fhir:
    epresc_sim.reset()
    return Fhir(epresc_sim, http)


def _search(tele: Fhir, value: str) -> dict[str, Any]:
    response = tele.get("/Bundle", params={"identifier": value}, headers={"Accept": "application/fhir+json"})
    assert response.status_code == 200
    result: dict[str, Any] = response.json()
    return result


def test_prescription_is_found_by_its_unique_identifier(tele: Fhir) -> None:
    found = _search(tele, f"{PRESCRIPTION_ID_SYSTEM}|EP-TEST-0001")
    assert found["total"] == 1
    prescription = found["entry"][0]["resource"]
    assert prescription["type"] == "collection" and prescription["identifier"]["value"] == "EP-TEST-0001"
    kinds = [e["resource"]["resourceType"] for e in prescription["entry"]]
    assert kinds == ["Patient", "Practitioner", "MedicationRequest", "MedicationRequest"]
    assert check_structure(found, requirement="T") == []
    exchange = tele.sim.recorder.exchanges()[-1]
    assert exchange.tags["prescription"] == "EP-TEST-0001" and not exchange.findings


def test_unknown_identifier_is_an_empty_searchset(tele: Fhir) -> None:
    assert _search(tele, f"{PRESCRIPTION_ID_SYSTEM}|EP-TEST-9999")["total"] == 0


def test_retrieval_in_another_form_is_recorded_with_a_finding(tele: Fhir) -> None:
    _search(tele, "EP-TEST-0001")
    finding = tele.sim.recorder.exchanges()[-1].findings[0]
    assert finding.requirement == "EPRESC-RET-01" and finding.rule == "epresc.ret.identifier"


def test_administration_for_the_right_line_is_created(tele: Fhir) -> None:
    response = tele.post("/MedicationAdministration", ADMIN)
    assert response.status_code == 201
    assert response.headers["location"].startswith(f"{tele.sim.url}/MedicationAdministration/")
    assert tele.get("/MedicationAdministration", params={"patient": "pat-ep-test-0001"}).json()["total"] == 1


@pytest.mark.parametrize(
    ("change", "rule"),
    [
        ({"subject": {"reference": "Patient/pat-ep-test-0002"}}, "epresc.adm.subject"),
        ({"status": "in-progress"}, "epresc.adm.status"),
        ({"request": {"reference": "MedicationRequest/nope"}}, "epresc.adm.request"),
        ({"medicationCodeableConcept": {"coding": [{"system": ATC, "code": "C03CA01"}]}}, "epresc.adm.medication"),
    ],
)
def test_wrong_administration_is_refused_with_an_outcome(tele: Fhir, change: dict[str, Any], rule: str) -> None:
    response = tele.post("/MedicationAdministration", {**ADMIN, **change})
    assert response.status_code == 422
    outcome_issue(response)
    assert any(rule in i["diagnostics"] for i in response.json()["issue"])
    assert tele.sim.store.count("MedicationAdministration") == 0


def test_another_shape_can_be_plugged(http: Any) -> None:
    class OneLineShape(FhirR4BundleShape):
        """An editor's shape: only the first line of each prescription is published."""

        name = "one-line"

        def seed(self, store: Any, base_url: str, prescriptions: list[Any]) -> None:
            from dataclasses import replace

            super().seed(store, base_url, [replace(p, lines=p.lines[:1]) for p in prescriptions])

    with EprescSimulator(Recorder(), shape=OneLineShape(), prescriptions=load_prescriptions()[:1]) as sim:
        assert sim.state()["shape"] == "one-line"
        tele = Fhir(sim, http)
        found = _search(tele, f"{PRESCRIPTION_ID_SYSTEM}|EP-TEST-0001")
        assert len(found["entry"][0]["resource"]["entry"]) == 3
