"""The reference DUI's TDDUI export and e-prescription integration, against the FHIR simulators."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from mocks.fhir import EparcoursSimulator, EprescSimulator
from tests.reference_dui.fhir.conftest import BERNARD, LEFEVRE, Dui

RECORD = {
    "stay": {"id": "S1", "start": "2026-01-05"},
    "evaluation": {"id": "E1", "date": "2026-01-12", "items": [{"code": "GIR", "question": "GIR", "answer": "4"}]},
    "project": {"id": "P1", "title": "Projet 2026", "start": "2026-02-01"},
}


def _posted(sim: EparcoursSimulator) -> dict[str, Any]:
    body: dict[str, Any] = json.loads(sim.recorder.exchanges()[-1].request.body)
    return body


def test_export_of_a_qualified_person_is_accepted_with_the_ins(dui: Dui, eparcours_sim: EparcoursSimulator) -> None:
    pid = dui.person(BERNARD)
    outcome = dui.call("POST", f"/persons/{pid}/eparcours/exports", RECORD).json()
    assert outcome["outcome"] == "accepted" and outcome["http_status"] == 200
    exchange = eparcours_sim.recorder.exchanges()[-1]
    assert outcome["created"] == exchange.summary["created"] and len(outcome["created"]) == 6
    assert exchange.summary["patient"]["ins"] == "152073306301157" and not exchange.findings
    assert dui.call("GET", f"/persons/{pid}/eparcours/exports").json()[0]["status"] == "accepted"


def test_provisional_identity_is_exported_without_ins(dui: Dui, eparcours_sim: EparcoursSimulator) -> None:
    pid = dui.person(LEFEVRE, qualified=False)
    assert (
        dui.call("POST", f"/persons/{pid}/eparcours/exports", {**RECORD, "document": False}).json()["outcome"]
        == "accepted"
    )
    patient = _posted(eparcours_sim)["entry"][0]["resource"]
    assert all("1.2.250.1.213.1.4" not in i["system"] for i in patient["identifier"])
    assert patient["extension"][0]["extension"][0]["valueCoding"]["code"] == "PROV"
    assert "DocumentReference" not in {e["resource"]["resourceType"] for e in _posted(eparcours_sim)["entry"]}


def test_refused_export_is_reported_with_the_diagnostics(dui: Dui, eparcours_sim: EparcoursSimulator) -> None:
    eparcours_sim.faults.add("reject", "bundle", 1, status=422, diagnostics="séjour inconnu de la plateforme")
    pid = dui.person(BERNARD)
    outcome = dui.call("POST", f"/persons/{pid}/eparcours/exports", RECORD).json()
    assert outcome["outcome"] == "refused" and "séjour inconnu" in outcome["message"]
    assert dui.call("GET", f"/persons/{pid}/eparcours/exports").json()[0]["status"] == "refused"


@pytest.mark.parametrize(
    ("defect", "check"),
    [
        ("tddui_batch_bundle", lambda b: b["type"] == "batch"),
        (
            "tddui_ins_wrong_system",
            lambda b: b["entry"][0]["resource"]["identifier"][0]["system"] == "1.2.250.1.213.1.4.10",
        ),
        ("tddui_no_master_identifier", lambda b: "masterIdentifier" not in b["entry"][-1]["resource"]),
        ("tddui_attachment_url", lambda b: "url" in b["entry"][-1]["resource"]["content"][0]["attachment"]),
    ],
)
def test_tddui_defect_switches_change_the_bundle(
    make_dui: Callable[..., Dui],
    eparcours_sim: EparcoursSimulator,
    defect: str,
    check: Callable[[dict[str, Any]], bool],
) -> None:
    eparcours_sim.reset()
    dui = make_dui(defect)
    pid = dui.person(BERNARD)
    outcome = dui.call("POST", f"/persons/{pid}/eparcours/exports", RECORD).json()
    assert check(_posted(eparcours_sim))
    assert outcome["outcome"] == "refused" and eparcours_sim.store.count() == 0


def test_bad_inputs_and_missing_configuration(make_dui: Callable[..., Dui]) -> None:
    dui = make_dui(configure=False)
    pid = dui.person(BERNARD)
    assert dui.call("POST", f"/persons/{pid}/eparcours/exports", RECORD).json()["outcome"] == "error"
    assert (
        dui.call("POST", f"/persons/{pid}/prescriptions", {"prescription_id": "EP-TEST-0001"}).json()["outcome"]
        == "error"
    )
    assert dui.call("POST", f"/persons/{pid}/eparcours/exports", {"stay": {"id": "S"}}).status_code == 400
    assert (
        dui.call(
            "POST", f"/persons/{pid}/eparcours/exports", {**RECORD, "stay": {"id": "S", "start": "5/1/26"}}
        ).status_code
        == 400
    )
    assert dui.call("POST", "/persons/nobody/eparcours/exports", RECORD).status_code == 404
    assert dui.call("POST", f"/persons/{pid}/prescriptions", {"prescription_id": 12}).status_code == 400
    assert (
        dui.call("POST", f"/persons/{pid}/administrations", {"prescription_id": "X", "line_id": "1"}).status_code == 400
    )
    assert dui.call("PUT", "/config/endpoints", {"epresc": {"url": "ftp://x"}}).status_code == 400


def test_known_prescription_is_integrated_and_administered(dui: Dui, epresc_sim: EprescSimulator) -> None:
    pid = dui.person(BERNARD)
    outcome = dui.call("POST", f"/persons/{pid}/prescriptions", {"prescription_id": "EP-TEST-0001"}).json()
    assert outcome["outcome"] == "integrated"
    assert [line["medication"]["code"] for line in outcome["lines"]] == ["N02BE01", "B01AB05"]
    held = dui.call("GET", f"/persons/{pid}/prescriptions").json()
    assert held[0]["prescription_id"] == "EP-TEST-0001" and len(held[0]["lines"]) == 2
    line = outcome["lines"][1]["line_id"]
    administered = dui.call(
        "POST",
        f"/persons/{pid}/administrations",
        {"prescription_id": "EP-TEST-0001", "line_id": line, "administered_at": "2026-01-06T08:00:00+01:00"},
    ).json()
    assert administered["status"] == "transmitted" and administered["location"].startswith("MedicationAdministration/")
    assert not epresc_sim.recorder.exchanges()[-1].findings


@pytest.mark.parametrize(
    ("traits", "qualified", "uid", "outcome"),
    [
        (LEFEVRE, True, "EP-TEST-0002", "refused"),
        (LEFEVRE, False, "EP-TEST-0003", "refused"),
        (BERNARD, True, "EP-TEST-9999", "not_found"),
    ],
)
def test_prescriptions_that_must_not_be_integrated(
    dui: Dui, traits: Any, qualified: bool, uid: str, outcome: str
) -> None:
    pid = dui.person(traits, qualified=qualified)
    assert dui.call("POST", f"/persons/{pid}/prescriptions", {"prescription_id": uid}).json()["outcome"] == outcome
    assert dui.call("GET", f"/persons/{pid}/prescriptions").json() == []


def test_wrong_person_defect_integrates_another_persons_prescription(make_dui: Callable[..., Dui]) -> None:
    dui = make_dui("epresc_wrong_person")
    pid = dui.person(LEFEVRE)
    assert (
        dui.call("POST", f"/persons/{pid}/prescriptions", {"prescription_id": "EP-TEST-0002"}).json()["outcome"]
        == "integrated"
    )


def _administer(dui: Dui, pid: str, at: str) -> dict[str, Any]:
    result: dict[str, Any] = dui.call(
        "POST",
        f"/persons/{pid}/administrations",
        {"prescription_id": "EP-TEST-0003", "line_id": "EP-TEST-0003-1", "administered_at": at},
    ).json()
    return result


def test_unavailable_teleservice_loses_nothing_and_retries(dui: Dui, epresc_sim: EprescSimulator) -> None:
    pid = dui.person(LEFEVRE)
    epresc_sim.faults.add("http_status", "search-type", 1, status=503)
    assert (
        dui.call("POST", f"/persons/{pid}/prescriptions", {"prescription_id": "EP-TEST-0003"}).json()["outcome"]
        == "unavailable"
    )
    assert dui.call("GET", f"/persons/{pid}/prescriptions").json() == []
    assert (
        dui.call("POST", f"/persons/{pid}/prescriptions", {"prescription_id": "EP-TEST-0003"}).json()["outcome"]
        == "integrated"
    )
    epresc_sim.faults.add("http_status", "create", 1, status=503)
    first = _administer(dui, pid, "2026-01-08T08:00:00+01:00")
    assert first["status"] == "pending"
    assert [a["status"] for a in dui.call("GET", f"/persons/{pid}/administrations").json()] == ["pending"]
    second = _administer(dui, pid, "2026-01-08T20:00:00+01:00")
    assert second["status"] == "transmitted"
    assert [a["status"] for a in dui.call("GET", f"/persons/{pid}/administrations").json()] == ["transmitted"] * 2
    assert epresc_sim.store.count("MedicationAdministration") == 2


def test_lose_on_unavailable_defect_drops_the_administration(
    make_dui: Callable[..., Dui], epresc_sim: EprescSimulator
) -> None:
    epresc_sim.reset()
    dui = make_dui("epresc_lose_on_unavailable")
    pid = dui.person(LEFEVRE)
    dui.call("POST", f"/persons/{pid}/prescriptions", {"prescription_id": "EP-TEST-0003"})
    epresc_sim.faults.add("http_status", "create", 1, status=503)
    assert _administer(dui, pid, "2026-01-08T08:00:00+01:00")["status"] == "failed"
    assert dui.call("GET", f"/persons/{pid}/administrations").json() == []
