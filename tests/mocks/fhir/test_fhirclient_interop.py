"""Interoperability: the independent R4 client ``fhirclient`` (SMART on FHIR) talks to the simulators.

Create, read, vread, update (PUT), delete, history, a paged search followed through its ``next``
links, and transactions (conditional create, conditional reference), each as fhirclient does it.

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
    administration = fadmin.MedicationAdministration(
        {
            "status": "completed",
            "effectiveDateTime": "2026-01-06T08:00:00+01:00",
            "medicationCodeableConcept": {"coding": [{"system": "http://www.whocc.no/atc", "code": "B01AB05"}]},
            "subject": {"reference": "Patient/pat-ep-test-0001"},
            "request": {"reference": "MedicationRequest/mr-ep-test-0001-2"},
        }
    )
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


def test_fhirclient_create_read_update_delete_and_history(generic_sim: Any) -> None:
    # given the generic FHIR server and a SMART client
    generic_sim.reset()
    smart = _smart(generic_sim.url)
    created = fpatient.Patient(
        {
            "gender": "female",
            "birthDate": "1940-05-12",
            "identifier": [{"system": "urn:oid:1.2.250.1.213.1.4.10", "value": "crud"}],
        }
    )
    # when it creates, reads, updates (PUT) and deletes the Patient
    rid = created.create(smart.server)["id"]
    patient = fpatient.Patient.read(rid, smart.server)
    assert patient.meta.versionId == "1"
    patient.gender = "male"
    assert patient.update(smart.server)["meta"]["versionId"] == "2"
    assert fpatient.Patient.read(rid, smart.server).gender == "male"
    history = fbundle.Bundle(smart.server.request_json(f"Patient/{rid}/_history"))
    assert history.type == "history" and [e.request.method for e in history.entry] == ["PUT", "POST"]
    first = fpatient.Patient.read_from(f"Patient/{rid}/_history/1", smart.server)
    assert first.gender == "female"
    patient.delete(smart.server)
    # then a read of the deleted Patient is refused (410, an OperationOutcome fhirclient raises on)
    try:
        fpatient.Patient.read(rid, smart.server)
    except Exception as exc:  # fhirclient raises requests' HTTPError with the response
        assert getattr(getattr(exc, "response", None), "status_code", None) == 410
    else:
        raise AssertionError("a deleted Patient was read")


def test_fhirclient_follows_the_next_links_of_a_paged_search(generic_sim: Any) -> None:
    generic_sim.reset()
    smart = _smart(generic_sim.url)
    for i in range(7):
        fpatient.Patient({"gender": "female", "identifier": [{"system": "urn:x", "value": str(i)}]}).create(
            smart.server
        )
    search = fpatient.Patient.where(struct={"_count": "3", "_sort": "_id"})
    pages = list(search.perform_iter(smart.server))
    assert [len(p.entry) for p in pages] == [3, 3, 1]
    resources = list(fpatient.Patient.where(struct={"_count": "2"}).perform_resources_iter(smart.server))
    assert len({r.id for r in resources}) == 7


def test_fhirclient_transaction_with_conditional_create_and_reference(generic_sim: Any) -> None:
    generic_sim.reset()
    smart = _smart(generic_sim.url)
    body = {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {
                "fullUrl": "urn:uuid:6b1f3c1e-0000-4000-8000-000000000001",
                "resource": {"resourceType": "Patient", "identifier": [{"system": "urn:x", "value": "tx"}]},
                "request": {"method": "POST", "url": "Patient", "ifNoneExist": "identifier=urn:x|tx"},
            },
            {
                "resource": {
                    "resourceType": "Encounter",
                    "status": "finished",
                    "class": {"code": "HH"},
                    "subject": {"reference": "Patient?identifier=urn:x|tx"},
                },
                "request": {"method": "POST", "url": "Encounter"},
            },
        ],
    }
    fhirclient_bundle = fbundle.Bundle(body)
    # fhirclient posts a transaction bundle to the base itself
    answer = fbundle.Bundle(smart.server.post_json("", fhirclient_bundle.as_json()).json())
    assert [e.response.status for e in answer.entry] == ["201 Created", "201 Created"]
    assert answer.entry[1].resource.subject.reference == f"Patient/{answer.entry[0].resource.id}"
