"""Interoperability: the independent R4 client ``fhirclient`` (SMART on FHIR) talks to the simulators.

fhirclient 4.x parses every answer with its own FHIR R4 (4.0.1) models, strictly: the
CapabilityStatement, the searchsets and the resources must all be valid R4 for it.
"""

from __future__ import annotations

from typing import Any

import fhirclient.models.bundle as fbundle
import fhirclient.models.medicationadministration as fadmin
import fhirclient.models.medicationrequest as frequest
import fhirclient.models.patient as fpatient
from fhirclient import client

from mocks.fhir import EparcoursSimulator, EprescSimulator
from tests.mocks.fhir.fhir_support import tddui_bundle as bundle


def _smart(base: str) -> Any:
    return client.FHIRClient(settings={"app_id": "dui-harness-tests", "api_base": base + "/"})


def test_fhirclient_reads_the_capability_statement_and_searches(epresc_sim: EprescSimulator) -> None:
    epresc_sim.reset()
    smart = _smart(epresc_sim.url)
    assert smart.server.capabilityStatement.fhirVersion == "4.0.1"
    lines = list(frequest.MedicationRequest.where(struct={"status": "active"}).perform_resources_iter(smart.server))
    assert {line.medicationCodeableConcept.coding[0].code for line in lines} >= {"N02BE01", "B01AB05"}
    patient = fpatient.Patient.read("pat-ep-test-0001", smart.server)
    assert patient.identifier[0].system == "urn:oid:1.2.250.1.213.1.4.10"


def test_fhirclient_creates_an_administration(epresc_sim: EprescSimulator) -> None:
    epresc_sim.reset()
    smart = _smart(epresc_sim.url)
    administration = fadmin.MedicationAdministration({
        "status": "completed", "effectiveDateTime": "2026-01-06T08:00:00+01:00",
        "medicationCodeableConcept": {"coding": [{"system": "http://www.whocc.no/atc", "code": "B01AB05"}]},
        "subject": {"reference": "Patient/pat-ep-test-0001"},
        "request": {"reference": "MedicationRequest/mr-ep-test-0001-2"}})
    created = administration.create(smart.server)
    assert created["resourceType"] == "MedicationAdministration" and created["id"]
    read = fadmin.MedicationAdministration.read(created["id"], smart.server)
    assert read.request.reference == "MedicationRequest/mr-ep-test-0001-2"


def test_fhirclient_posts_a_transaction_and_parses_the_response(eparcours_sim: EparcoursSimulator) -> None:
    eparcours_sim.reset()
    smart = _smart(eparcours_sim.url)
    answer = fbundle.Bundle(smart.server.post_json("", bundle()).json())
    assert answer.type == "transaction-response"
    assert [e.response.status for e in answer.entry] == ["201 Created"] * len(answer.entry)
