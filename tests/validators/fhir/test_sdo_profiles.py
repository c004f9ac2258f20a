"""The CNSA orientation-decision profiles (``harness.validators.fhir.sdo``): the IG's examples, as fixtures.

Passing examples get no error; each non-passing one gets exactly the findings of its defects
(``fixtures/sdo/README.md`` says which example each fixture is written from).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from harness.core.rules import disagreements
from harness.validators import load_rules
from harness.validators.fhir import validate_fhir
from harness.validators.fhir.cli import validate_fhir_input
from harness.validators.fhir.sdo import check_consent, check_document_reference, check_search_bundle, check_task
from harness.validators.result import ValidateOptions

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "sdo"

#: fixture -> (kind, the rule ids of its error findings, the requirement)
EXPECTED: dict[str, tuple[str, set[str], str]] = {
    "consent.json": ("sdo-consent", set(), "SDO-ACC-01"),
    "consent-non-passant.json": ("sdo-consent", {"sdo.consent.scope", "sdo.consent.decision"}, "SDO-ACC-01"),
    "task.json": ("sdo-task", set(), "SDO-STA-01"),
    "task-non-passant.json": (
        "sdo-task",
        {
            "sdo.structure",
            "sdo.task.status",
            "sdo.task.intent",
            "sdo.task.input.type",
            "sdo.task.input.missing",
        },
        "SDO-STA-01",
    ),
    "task-legacy-text-inputs.json": ("sdo-task", {"sdo.task.input.type", "sdo.task.input.missing"}, "SDO-STA-01"),
    "document-reference-decision.json": ("sdo-document-reference", set(), "SDO-DOC-01"),
    "document-reference-evaluation.json": ("sdo-document-reference", set(), "SDO-DOC-01"),
    "document-reference-non-passant.json": (
        "sdo-document-reference",
        {"sdo.docref.identifier", "sdo.docref.title"},
        "SDO-DOC-01",
    ),
    "document-reference-sdo-legacy.json": ("sdo-legacy-document-reference", set(), "SDO-DOC-01"),
    "document-reference-sdo-legacy-non-passant.json": (
        "sdo-legacy-document-reference",
        {"sdo.docref.identifier", "sdo.docref.subject"},
        "SDO-DOC-01",
    ),
    "bundle-decision-evaluation.json": ("sdo-bundle-documents", set(), "SDO-DOC-01"),
    "bundle-decision-evaluation-non-passant.json": (
        "sdo-bundle-documents",
        {"sdo.bundle.type", "sdo.docref.identifier", "sdo.docref.title"},
        "SDO-DOC-01",
    ),
    "bundle-notifications.json": ("sdo-bundle-tasks", set(), "SDO-DOC-01"),
    "bundle-notifications-non-passant.json": (
        "sdo-bundle-tasks",
        {"sdo.structure", "sdo.bundle.type", "sdo.task.status", "sdo.task.intent", "sdo.task.input.missing"},
        "SDO-DOC-01",
    ),
}


def _load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return data


def _stem(rule: str) -> str:
    return "sdo.structure" if rule.startswith("sdo.structure") else rule


def test_every_fixture_is_listed() -> None:
    assert sorted(p.name for p in FIXTURES.glob("*.json")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_example_gets_exactly_its_findings(name: str) -> None:
    kind, rules, requirement = EXPECTED[name]
    report = validate_fhir(_load(name))
    errors = [f for f in report.findings if f.severity.value == "error"]
    assert report.kind == kind
    assert {_stem(f.rule) for f in errors} == rules, [str(f) for f in errors]
    assert {f.requirement for f in errors} <= {requirement}
    assert report.ok == (not rules)


def test_non_passing_findings_say_what_is_wrong() -> None:
    consent = {f.rule: f for f in validate_fhir(_load("consent-non-passant.json")).findings}
    assert "'research'" in consent["sdo.consent.scope"].message
    assert consent["sdo.consent.decision"].location == "Consent.provision.data[0].reference"
    task = [f for f in validate_fhir(_load("task-non-passant.json")).findings if f.rule == "sdo.task.input.missing"]
    assert sorted(f.location for f in task) == [
        "Task.input[idDecision]",
        "Task.input[idNat_Decision]",
        "Task.input[idNat_Struct]",
        "Task.input[nomESMS]",
    ]


def test_every_sdo_finding_belongs_to_a_registered_rule_of_its_requirement() -> None:
    load_rules()
    findings = [f for name in EXPECTED for f in validate_fhir(_load(name)).findings]
    assert disagreements(findings, prefix="sdo.") == []


def test_validate_fhir_command_reads_the_fixtures() -> None:
    (ok,) = validate_fhir_input(str(FIXTURES / "task.json"), ValidateOptions())
    (bad,) = validate_fhir_input(str(FIXTURES / "consent-non-passant.json"), ValidateOptions())
    assert not [f for f in ok.findings if f.severity.value == "error"]
    assert {f.rule for f in bad.findings} >= {"sdo.consent.scope"}


def test_a_consent_needs_exactly_one_related_datum() -> None:
    consent = _load("consent.json")
    twice = copy.deepcopy(consent)
    twice["provision"]["data"].append(twice["provision"]["data"][0])
    assert [f.rule for f in check_consent(twice)] == ["sdo.consent.data"]
    unrelated = copy.deepcopy(consent)
    unrelated["provision"]["data"][0]["meaning"] = "instance"
    unrelated["provision"]["data"][0]["reference"]["identifier"]["use"] = "usual"
    unrelated["meta"].pop("source")
    assert {f.rule for f in check_consent(unrelated)} == {
        "sdo.consent.meaning",
        "sdo.consent.decision.use",
        "sdo.consent.source",
    }


def test_task_inputs_keep_their_types_and_bindings() -> None:
    task = _load("task.json")
    by_code = {i["type"]["coding"][0]["code"]: i for i in task["input"]}
    by_code["nomESMS"]["valueCodeableConcept"] = {"text": "x"}
    del by_code["nomESMS"]["valueString"]
    by_code["modePriseCharge"]["valueCodeableConcept"]["coding"].append({"system": "urn:other", "code": "46"})
    task["input"].append(copy.deepcopy(by_code["idUnite"]))
    rules = sorted(f.rule for f in check_task(task))
    assert rules == [
        "sdo.task.input.binding",
        "sdo.task.input.binding",
        "sdo.task.input.repeated",
        "sdo.task.input.value",
    ]


def test_an_evaluation_needs_its_own_title_and_data_is_a_warning() -> None:
    evaluation = _load("document-reference-evaluation.json")
    evaluation["content"][0]["attachment"]["title"] = "Document Individu et décision"
    del evaluation["content"][0]["attachment"]["data"]
    found = {f.rule: f.severity.value for f in check_document_reference(evaluation)}
    assert found == {"sdo.docref.title": "error", "sdo.docref.data": "warning"}


def test_subsetted_search_entries_are_judged_on_their_type_only() -> None:
    tag = {"tag": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ObservationValue", "code": "SUBSETTED"}]}
    bundle = {
        "resourceType": "Bundle",
        "type": "searchset",
        "entry": [
            {"resource": {"resourceType": "DocumentReference", "id": "d1", "meta": tag}},
            {"resource": {"resourceType": "Task", "id": "t1", "meta": tag}},
        ],
    }
    assert [f.rule for f in check_search_bundle(bundle, "document-reference")] == ["sdo.bundle.entry"]


def test_a_resource_without_an_sdo_profile_keeps_its_former_rules() -> None:
    consent = _load("consent.json")
    del consent["meta"]["profile"]
    assert validate_fhir(consent).kind == "structure"
