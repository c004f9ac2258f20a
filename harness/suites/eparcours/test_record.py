"""## Requirements
EPARCOURS-CONT-01 (the bundle carries the record: person, stay and its event, evaluation,
personalised project) and EPARCOURS-DOC-01..04 (the TDDUIDocumentReference and its EXPORT_DUI CDA).

## Dependencies
e-parcours simulator (TDDUI rules, CDA validator for the attached document); the DUI's
trigger API (export with a record as an operator entered it).

## Methodology
The harness gives the DUI a stay, an AGGIR evaluation and a personalised project to export.
The simulator's findings say whether each resource follows its TDDUI profile; the tests then
look in the captured bundle for the values that were entered.
"""

from __future__ import annotations

from typing import Any

import pytest

from harness.core.findings import Finding
from harness.plugin.evidence import Scenario
from harness.suites.fhir_checks import body_of, expect, require_calls

SERVICE = "EPARCOURS"
BOTH = ["export_qualified", "export_provisional"]


def _resources(scenario: Scenario, requirement: str, kind: str) -> list[dict[str, Any]]:
    exchange = require_calls(scenario, SERVICE, requirement, "flux 1 request")[-1]
    body = body_of(exchange) or {}
    return [
        e["resource"]
        for e in body.get("entry") or []
        if isinstance(e, dict) and isinstance(e.get("resource"), dict) and e["resource"].get("resourceType") == kind
    ]


def _text(value: Any) -> str:
    return str(value).upper()


@pytest.mark.requirement("EPARCOURS-CONT-01")
@pytest.mark.parametrize("scenario", BOTH, indirect=True)
def test_bundle_carries_the_stay_the_evaluation_and_the_project(scenario: Scenario) -> None:
    """Each block entered is exported in its TDDUI resource, about the exported Patient."""
    scenario.assert_no_findings("EPARCOURS-CONT-01", "TDDUI resources of the record")
    asked = scenario.data["record"]
    req, findings = "EPARCOURS-CONT-01", []
    stays = _resources(scenario, req, "Encounter")
    if not any(
        asked["stay"]["id"] in _text(i.get("value"))
        and (s.get("period") or {}).get("start", "")[:10] == asked["stay"]["start"]
        for s in stays
        for i in s.get("identifier") or []
    ):
        findings.append(
            Finding(
                "tddui.content.stay",
                req,
                f"no Encounter (séjour) with the stay {asked['stay']['id']} starting {asked['stay']['start']}",
                location="Bundle.entry",
            )
        )
    event = asked.get("event")
    if event and not any(event["id"] in _text(i.get("value")) for s in stays for i in s.get("identifier") or []):
        findings.append(
            Finding(
                "tddui.content.event",
                req,
                f"no Encounter (évènement) with the event {event['id']}",
                location="Bundle.entry",
            )
        )
    answers = {
        _text(a.get("valueString") or a.get("valueCoding", {}).get("code"))
        for q in _resources(scenario, req, "QuestionnaireResponse")
        for item in q.get("item") or []
        for a in item.get("answer") or []
    }
    missing = [i["answer"] for i in asked["evaluation"]["items"] if _text(i["answer"]) not in answers]
    if missing:
        findings.append(
            Finding(
                "tddui.content.evaluation",
                req,
                f"the evaluation answers {missing} are not in a QuestionnaireResponse",
                location="Bundle.entry",
            )
        )
    if not any(p.get("title") == asked["project"]["title"] for p in _resources(scenario, req, "CarePlan")):
        findings.append(
            Finding(
                "tddui.content.project",
                req,
                f"no CarePlan titled {asked['project']['title']!r} (projet personnalisé)",
                location="Bundle.entry",
            )
        )
    expect("exported record", findings)


def _document(scenario: Scenario, requirement: str) -> None:
    if not _resources(scenario, requirement, "DocumentReference"):
        expect(
            "no document",
            [
                Finding(
                    "tddui.docref.missing",
                    requirement,
                    "the record was exported without the EXPORT_DUI document in a DocumentReference",
                    location="Bundle.entry",
                )
            ],
        )


@pytest.mark.requirement("EPARCOURS-DOC-01")
@pytest.mark.parametrize("scenario", BOTH, indirect=True)
def test_document_reference_follows_its_profile(scenario: Scenario) -> None:
    """masterIdentifier 1..1, identifier 0..0, status current, no docStatus, subject = the Patient."""
    _document(scenario, "EPARCOURS-DOC-01")
    scenario.assert_no_findings("EPARCOURS-DOC-01", "TDDUIDocumentReference")


@pytest.mark.requirement("EPARCOURS-DOC-02")
@pytest.mark.parametrize("scenario", BOTH, indirect=True)
def test_document_travels_in_attachment_data(scenario: Scenario) -> None:
    """One content; attachment with contentType, title and base64 data, never url."""
    _document(scenario, "EPARCOURS-DOC-02")
    scenario.assert_no_findings("EPARCOURS-DOC-02", "TDDUIDocumentReference attachment")


@pytest.mark.requirement("EPARCOURS-DOC-03")
@pytest.mark.parametrize("scenario", BOTH, indirect=True)
def test_document_metadata_come_from_the_value_sets(scenario: Scenario) -> None:
    """type (EXPORT_DUI), category, format, facilityType and practiceSetting from their JDV."""
    _document(scenario, "EPARCOURS-DOC-03")
    scenario.assert_no_findings("EPARCOURS-DOC-03", "TDDUIDocumentReference value-set bindings")


@pytest.mark.requirement("EPARCOURS-DOC-04")
@pytest.mark.parametrize("scenario", BOTH, indirect=True)
def test_attached_cda_is_a_conformant_export_dui(scenario: Scenario) -> None:
    """The CDA validator and the TDDUI header rules accept the attached document, about the same person."""
    _document(scenario, "EPARCOURS-DOC-04")
    scenario.assert_no_findings("EPARCOURS-DOC-04", "EXPORT_DUI CDA document")
