"""Each FR Core / TDDUI / e-prescription rule fails on a crafted defect, on its own requirement.

The starting point is a conformant TDDUIBundle built by the reference DUI (its own code); each
case breaks one fact and expects a finding of that rule on that requirement, and no finding on
the clean bundle.
"""

from __future__ import annotations

import base64
import copy
from collections.abc import Callable
from typing import Any

import pytest

from harness.core.findings import Severity
from harness.validators.fhir import validate_fhir
from harness.validators.fhir.epresc import PrescribedLine, check_administration
from harness.validators.fhir.patient import check_patient
from tests.mocks.fhir.fhir_support import tddui_bundle

Mutation = Callable[[dict[str, Any]], None]


def _patient(b: dict[str, Any]) -> dict[str, Any]:
    resource: dict[str, Any] = b["entry"][0]["resource"]
    return resource


def _of(b: dict[str, Any], kind: str) -> dict[str, Any]:
    return next(e["resource"] for e in b["entry"] if e["resource"]["resourceType"] == kind)


def _ins(b: dict[str, Any]) -> dict[str, Any]:
    identifier: dict[str, Any] = _patient(b)["identifier"][0]
    return identifier


def _cda(b: dict[str, Any], old: bytes, new: bytes) -> None:
    attachment = _of(b, "DocumentReference")["content"][0]["attachment"]
    data = base64.b64decode(attachment["data"])
    assert old in data
    attachment["data"] = base64.b64encode(data.replace(old, new, 1)).decode()


def _set(getter: Callable[[dict[str, Any]], dict[str, Any]], key: str, value: Any) -> Mutation:
    def mutate(b: dict[str, Any]) -> None:
        target = getter(b)
        if value is None:
            target.pop(key, None)
        else:
            target[key] = value

    return mutate


CASES: list[tuple[str, Mutation, str, str]] = [
    # flux 1
    ("batch", _set(lambda b: b, "type", "batch"), "EPARCOURS-FLUX-01", "tddui.bundle.type"),
    ("put", lambda b: b["entry"][1]["request"].update(method="PUT"), "EPARCOURS-FLUX-01", "tddui.entry.method"),
    ("url", lambda b: b["entry"][1]["request"].update(url="Patient"), "EPARCOURS-FLUX-01", "tddui.entry.url"),
    (
        "no fullUrl of a referenced entry",
        lambda b: b["entry"][1].pop("fullUrl"),
        "EPARCOURS-FLUX-01",
        "tddui.reference",
    ),
    ("bad fullUrl", lambda b: b["entry"][1].update(fullUrl="urn:uuid:42"), "EPARCOURS-FLUX-01", "tddui.entry.fullurl"),
    (
        "dangling",
        lambda b: _of(b, "CarePlan")["subject"].update(reference=f"urn:uuid:{'0' * 8}-0000-0000-0000-{'0' * 12}"),
        "EPARCOURS-FLUX-01",
        "tddui.reference",
    ),
    # structure
    ("unknown element", _set(_patient, "nickname", "Dédé"), "EPARCOURS-FHIR-01", "fhir.structure"),
    (
        "bad date",
        _set(lambda b: _of(b, "Encounter")["period"], "start", "05/01/2026"),
        "EPARCOURS-FHIR-01",
        "fhir.structure",
    ),
    ("bad code", _set(lambda b: _of(b, "Encounter"), "status", "ongoing"), "EPARCOURS-FHIR-01", "fhir.code"),
    (
        "r4b choice",
        lambda b: _patient(b)["extension"].append({"url": "x", "valueRatioRange": {}}),
        "EPARCOURS-FHIR-01",
        "fhir.structure.not_r4",
    ),
    # FR Core PatientINS
    ("bare OID", _set(_ins, "system", "1.2.250.1.213.1.4.10"), "EPARCOURS-PAT-01", "fhir.patient.ins.system"),
    (
        "NIR system for a test INS",
        _set(_ins, "system", "urn:oid:1.2.250.1.213.1.4.8"),
        "EPARCOURS-PAT-01",
        "fhir.patient.ins.type",
    ),
    ("no type", _set(_ins, "type", None), "EPARCOURS-PAT-01", "fhir.patient.ins.type"),
    ("use", _set(_ins, "use", "usual"), "EPARCOURS-PAT-01", "fhir.patient.ins.use"),
    ("key", _set(_ins, "value", "152073306301158"), "EPARCOURS-PAT-01", "fhir.patient.ins.key"),
    (
        "twice",
        lambda b: _patient(b)["identifier"].append(copy.deepcopy(_ins(b))),
        "EPARCOURS-PAT-01",
        "fhir.patient.ins.repeated",
    ),
    ("gender", _set(_patient, "gender", "other"), "EPARCOURS-PAT-02", "fhir.patient.gender"),
    ("birthDate", _set(_patient, "birthDate", "1952"), "EPARCOURS-PAT-02", "fhir.patient.birthdate"),
    ("birthPlace", lambda b: _patient(b)["extension"].pop(1), "EPARCOURS-PAT-02", "fhir.patient.birthplace"),
    (
        "two given",
        lambda b: _patient(b)["name"][0].update(given=["ANDRE", "PAUL"]),
        "EPARCOURS-PAT-02",
        "fhir.patient.name.given",
    ),
    (
        "no birth list",
        lambda b: _patient(b)["name"][0].pop("extension"),
        "EPARCOURS-PAT-02",
        "fhir.patient.name.birth_list",
    ),
    (
        "given not first",
        lambda b: _patient(b)["name"][0].update(given=["PAUL"]),
        "EPARCOURS-PAT-02",
        "fhir.patient.name.first",
    ),
    ("no official name", lambda b: _patient(b)["name"][0].update(use="usual"), "EPARCOURS-PAT-02", "fhir.patient.name"),
    ("no status", lambda b: _patient(b)["extension"].pop(0), "EPARCOURS-PAT-03", "fhir.patient.status.missing"),
    (
        "bad status",
        lambda b: _patient(b)["extension"][0]["extension"][0]["valueCoding"].update(code="SURE"),
        "EPARCOURS-PAT-03",
        "fhir.patient.status.code",
    ),
    (
        "INS with RECUP",
        lambda b: _patient(b)["extension"][0]["extension"][0]["valueCoding"].update(code="RECUP"),
        "EPARCOURS-PAT-03",
        "fhir.patient.status.ins_unqualified",
    ),
    # record content
    ("no patient", lambda b: b["entry"].pop(0), "EPARCOURS-CONT-01", "tddui.encounter.subject"),
    (
        "no idStay",
        lambda b: _of(b, "Encounter")["identifier"][0].update(system="urn:other"),
        "EPARCOURS-CONT-01",
        "tddui.encounter.idstay",
    ),
    (
        "no provider",
        _set(lambda b: _of(b, "Encounter"), "serviceProvider", None),
        "EPARCOURS-CONT-01",
        "tddui.encounter.provider",
    ),
    (
        "QR identifier",
        _set(lambda b: _of(b, "QuestionnaireResponse"), "identifier", None),
        "EPARCOURS-CONT-01",
        "tddui.questionnaireresponse.identifier",
    ),
    ("project title", _set(lambda b: _of(b, "CarePlan"), "title", None), "EPARCOURS-CONT-01", "tddui.careplan.title"),
    (
        "subject is the org",
        lambda b: _of(b, "CarePlan")["subject"].update(reference=b["entry"][1]["fullUrl"]),
        "EPARCOURS-CONT-01",
        "tddui.careplan.subject",
    ),
    # DocumentReference
    (
        "no masterIdentifier",
        _set(lambda b: _of(b, "DocumentReference"), "masterIdentifier", None),
        "EPARCOURS-DOC-01",
        "tddui.docref.master",
    ),
    (
        "identifier",
        _set(lambda b: _of(b, "DocumentReference"), "identifier", [{"value": "x"}]),
        "EPARCOURS-DOC-01",
        "tddui.docref.identifier",
    ),
    (
        "superseded",
        _set(lambda b: _of(b, "DocumentReference"), "status", "superseded"),
        "EPARCOURS-DOC-01",
        "tddui.docref.status",
    ),
    (
        "docStatus",
        _set(lambda b: _of(b, "DocumentReference"), "docStatus", "final"),
        "EPARCOURS-DOC-01",
        "tddui.docref.docstatus",
    ),
    (
        "subject not a Patient",
        lambda b: _of(b, "DocumentReference")["subject"].update(reference=b["entry"][1]["fullUrl"]),
        "EPARCOURS-DOC-01",
        "tddui.docref.subject",
    ),
    (
        "url",
        lambda b: _of(b, "DocumentReference")["content"][0]["attachment"].update(url="https://x.example/d"),
        "EPARCOURS-DOC-02",
        "tddui.docref.url",
    ),
    (
        "no data",
        lambda b: _of(b, "DocumentReference")["content"][0]["attachment"].pop("data"),
        "EPARCOURS-DOC-02",
        "tddui.docref.data",
    ),
    (
        "bad base64",
        lambda b: _of(b, "DocumentReference")["content"][0]["attachment"].update(data="@@@"),
        "EPARCOURS-DOC-02",
        "tddui.docref.base64",
    ),
    (
        "no title",
        lambda b: _of(b, "DocumentReference")["content"][0]["attachment"].pop("title"),
        "EPARCOURS-DOC-02",
        "tddui.docref.attachment",
    ),
    (
        "two contents",
        lambda b: _of(b, "DocumentReference")["content"].append(
            copy.deepcopy(_of(b, "DocumentReference")["content"][0])
        ),
        "EPARCOURS-DOC-02",
        "tddui.docref.content",
    ),
    (
        "class code",
        lambda b: _of(b, "DocumentReference")["category"][0]["coding"][0].update(code="77"),
        "EPARCOURS-DOC-03",
        "tddui.docref.binding",
    ),
    (
        "format",
        lambda b: _of(b, "DocumentReference")["content"][0]["format"].update(code="urn:x"),
        "EPARCOURS-DOC-03",
        "tddui.docref.binding",
    ),
    (
        "facility",
        lambda b: _of(b, "DocumentReference")["context"]["facilityType"]["coding"][0].update(code="SA99"),
        "EPARCOURS-DOC-03",
        "tddui.docref.binding",
    ),
    (
        "type LOINC",
        lambda b: _of(b, "DocumentReference").update(
            type={"coding": [{"system": "http://loinc.org", "code": "34133-9"}]}
        ),
        "EPARCOURS-DOC-03",
        "tddui.docref.type",
    ),
    (
        "CDA not EXPORT_DUI",
        lambda b: _cda(b, b'root="1.2.250.1.213.1.1.1.58"', b'root="1.2.250.1.213.1.1.1.99"'),
        "EPARCOURS-DOC-04",
        "tddui.cda.template|cda.export.template",
    ),
    (
        "CDA of another person",
        lambda b: _cda(b, b'extension="152073306301157"', b'extension="279035121518989"'),
        "EPARCOURS-DOC-04",
        "tddui.cda.person",
    ),
    ("CDA without birth time", lambda b: _cda(b, b"<birthTime", b"<birthTimeX"), "EPARCOURS-DOC-04", "cda.ins.traits"),
]


@pytest.fixture(scope="module")
def clean() -> dict[str, Any]:
    return tddui_bundle()


def _errors(bundle: dict[str, Any]) -> list[Any]:
    return [f for f in validate_fhir(bundle).findings if f.severity is Severity.ERROR]


def test_clean_bundle_has_no_finding(clean: dict[str, Any]) -> None:
    assert validate_fhir(copy.deepcopy(clean)).findings == []


@pytest.mark.parametrize(("name", "mutate", "requirement", "rule"), CASES, ids=[c[0] for c in CASES])
def test_crafted_defect_is_caught_on_its_requirement(
    clean: dict[str, Any], name: str, mutate: Mutation, requirement: str, rule: str
) -> None:
    broken = copy.deepcopy(clean)
    mutate(broken)
    found = {(f.requirement, f.rule) for f in _errors(broken)}
    # "a|b": either rule (the CDA validator's own EXPORT_DUI rules supersede ours when present)
    assert any((requirement, one) in found for one in rule.split("|")), found


def test_every_requirement_of_the_catalog_has_a_crafted_case() -> None:
    from harness.core.requirements import load_catalog
    from harness.paths import profiles_dir

    tested = {c[2] for c in CASES}
    eparcours = {r.id for r in load_catalog(profiles_dir()) if r.service == "EPARCOURS"}
    # RESP-01 is a behaviour of the DUI (its reading of the answer), judged in the suite only
    assert eparcours - tested == {"EPARCOURS-RESP-01"}


def test_provisional_patient_without_ins_needs_no_ins_traits() -> None:
    patient = {
        "resourceType": "Patient",
        "name": [{"use": "official", "family": "MARTIN-ESSAI", "given": ["LUCIE"]}],
        "gender": "female",
    }
    assert check_patient(patient) == []
    patient["name"][0]["use"] = "usual"  # type: ignore[index]
    assert [f.rule for f in check_patient(patient)] == ["fhir.patient.name"]


def test_legacy_status_system_accepts_vali_with_the_ins(clean: dict[str, Any]) -> None:
    patient = copy.deepcopy(clean["entry"][0]["resource"])
    patient["extension"][0]["extension"][0]["valueCoding"] = {
        "system": "https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-v2-0445",
        "code": "VALI",
    }
    assert check_patient(patient) == []


ADMIN: dict[str, Any] = {
    "resourceType": "MedicationAdministration",
    "status": "completed",
    "medicationCodeableConcept": {"coding": [{"system": "http://www.whocc.no/atc", "code": "N02BE01"}]},
    "subject": {"reference": "Patient/p1"},
    "effectiveDateTime": "2026-01-06T08:00:00+01:00",
    "request": {"reference": "MedicationRequest/m1"},
}
LINE = PrescribedLine(
    "EP-1",
    frozenset({"MedicationRequest/m1"}),
    frozenset({"Patient/p1"}),
    "152073306301157",
    "urn:oid:1.2.250.1.213.1.4.10",
    frozenset({("http://www.whocc.no/atc", "N02BE01")}),
)


@pytest.mark.parametrize(
    ("change", "rule"),
    [
        ({"resourceType": "MedicationStatement"}, "epresc.adm.type"),
        ({"status": "not-done"}, "epresc.adm.status"),
        ({"status": "given"}, "fhir.code"),
        ({"medicationCodeableConcept": None}, "epresc.adm.medication"),
        ({"effectiveDateTime": None}, "epresc.adm.effective"),
        ({"subject": {"display": "someone"}}, "epresc.adm.subject"),
        ({"subject": {"reference": "Patient/p2"}}, "epresc.adm.subject"),
        ({"request": None}, "epresc.adm.request"),
        ({"request": {"reference": "MedicationRequest/m9"}}, "epresc.adm.request"),
        (
            {"medicationCodeableConcept": {"coding": [{"system": "http://www.whocc.no/atc", "code": "B01AB05"}]}},
            "epresc.adm.medication",
        ),
    ],
)
def test_administration_rules(change: dict[str, Any], rule: str) -> None:
    resource = {k: v for k, v in {**ADMIN, **change}.items() if v is not None}
    assert check_administration(ADMIN, line=LINE) == []
    found = {(f.requirement, f.rule) for f in check_administration(resource, line=LINE) if f.severity is Severity.ERROR}
    assert ("EPRESC-ADM-01", rule) in found, found


def test_administration_by_ins_identifier_is_accepted() -> None:
    resource = {**ADMIN, "subject": {"identifier": {"system": LINE.ins_system, "value": LINE.ins}}}
    assert check_administration(resource, line=LINE) == []
