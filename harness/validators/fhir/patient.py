"""FR Core PatientINS / TDDUIPatient(INS) rules on a FHIR Patient a DUI sends.

Written from FR Core (``FRCorePatientINSProfile.fsh``): INS identifier slices, each with
``system = urn:oid:<OID>`` and its type from ``fr-core-cs-v2-0203`` (INS-NIR .8
official/old, INS-NIA .9 temp, INS-NIR-TEST .10, INS-NIR-DEMO .11); ``gender`` and
``birthDate`` 1..1; ``extension[birthPlace]`` 1..1 with its INSEE code; the official name
with exactly one given name (the first birth first name) and the
``birth-list-given-name`` extension; ``extension[identityReliability]`` 1..*. TDDUIPatientINS
allows at most one identifier per INS slice. RNIV [EXI SI 08] (and FR Core's own
description): the INS is carried only for a qualified identity.

Requirement ids: ``EPARCOURS-PAT-01`` (INS identifiers), ``-02`` (strict traits),
``-03`` (identity status).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from harness.core.findings import Finding
from harness.core.ins import parse_ins
from harness.core.rules import rule
from harness.validators.fhir.codes import (
    BIRTH_LIST_GIVEN_NAME,
    BIRTH_PLACE,
    FR_CORE_V2_0203,
    IDENTITY_RELIABILITY,
    IDENTITY_STATUS_CODES,
    IDENTITY_STATUS_LEGACY,
    IDENTITY_STATUS_SYSTEM,
    INS_SLICES,
    INS_TYPE_CODES,
    INSEE_CODE,
    InsSlice,
)
from harness.validators.fhir.refs import as_dict, as_list, codings, extensions, text

__all__ = ["PAT_INS", "PAT_STATUS", "PAT_TRAITS", "PatientFacts", "check_patient", "patient_facts"]

PAT_INS = "EPARCOURS-PAT-01"
PAT_TRAITS = "EPARCOURS-PAT-02"
PAT_STATUS = "EPARCOURS-PAT-03"
_GENDERS_INS = ("male", "female", "unknown")


@dataclass
class PatientFacts:
    """What a Patient says about the person (for comparisons with the DUI's identity)."""

    ins: str | None = None
    ins_oid: str | None = None
    status: str | None = None
    status_system: str | None = None
    birth_name: str = ""
    first_name: str = ""
    birth_first_names: str = ""
    gender: str = ""
    birth_date: str = ""
    birth_place: str = ""
    ins_identifiers: list[tuple[int, dict[str, Any]]] = field(default_factory=list)


def _slice_of(identifier: dict[str, Any]) -> InsSlice | None:
    """The INS slice an identifier claims by its system (any spelling of the OID) or its type."""
    system = text(identifier.get("system"))
    oid = system.removeprefix("urn:oid:")
    if oid in INS_SLICES:
        return INS_SLICES[oid]
    for coding in codings(identifier.get("type")):
        if coding.get("code") in INS_TYPE_CODES:
            return INS_TYPE_CODES[str(coding["code"])]
    return None


def _official_name(patient: dict[str, Any]) -> dict[str, Any] | None:
    for name in as_list(patient.get("name")):
        if isinstance(name, dict) and name.get("use") == "official":
            return name
    return None


def patient_facts(patient: dict[str, Any]) -> PatientFacts:
    """Read the INS, status and strict traits of a Patient (empty values when absent)."""
    facts = PatientFacts(gender=text(patient.get("gender")), birth_date=text(patient.get("birthDate")))
    for index, identifier in enumerate(as_list(patient.get("identifier"))):
        if isinstance(identifier, dict) and _slice_of(identifier) is not None:
            facts.ins_identifiers.append((index, identifier))
            if facts.ins is None and identifier.get("use") != "old":
                facts.ins = text(identifier.get("value")) or None
                facts.ins_oid = text(identifier.get("system")).removeprefix("urn:oid:") or None
    for reliability in extensions(patient, IDENTITY_RELIABILITY):
        for sub in extensions(reliability, "identityStatus"):
            coding = as_dict(sub.get("valueCoding"))
            facts.status, facts.status_system = text(coding.get("code")) or None, text(coding.get("system")) or None
    name = _official_name(patient)
    if name is not None:
        facts.birth_name = text(name.get("family"))
        given = as_list(name.get("given"))
        facts.first_name = text(given[0]) if given else ""
        for ext in extensions(name, BIRTH_LIST_GIVEN_NAME):
            facts.birth_first_names = text(ext.get("valueString"))
    for place in extensions(patient, BIRTH_PLACE):
        for insee in extensions(place.get("valueAddress"), INSEE_CODE):
            facts.birth_place = text(as_dict(insee.get("valueCoding")).get("code"))
    return facts


@rule("fhir.patient.ins", requirement="EPARCOURS-PAT-01", summary="Patient.identifier INS-NIR/NIA slice")
def _ins_identifier(identifier: dict[str, Any], where: str, seen: dict[str, int]) -> list[Finding]:
    found: list[Finding] = []
    ins_slice = _slice_of(identifier)
    assert ins_slice is not None
    system, value = text(identifier.get("system")), text(identifier.get("value"))
    type_codes = [(text(c.get("system")), text(c.get("code"))) for c in codings(identifier.get("type"))]
    claimed = next((INS_TYPE_CODES[code] for _, code in type_codes if code in INS_TYPE_CODES), None)
    if system != ins_slice.system:
        found.append(
            Finding(
                "fhir.patient.ins.system",
                PAT_INS,
                f"the {ins_slice.type_code} identifier must have system {ins_slice.system!r}, not {system!r}",
                location=f"{where}.system",
            )
        )
    if claimed is not None and system.removeprefix("urn:oid:") in INS_SLICES and claimed.oid != ins_slice.oid:
        found.append(
            Finding(
                "fhir.patient.ins.type",
                PAT_INS,
                f"type {claimed.type_code} is assigned by {claimed.system}, but the system says {system}",
                location=f"{where}.type",
            )
        )
    if (FR_CORE_V2_0203, ins_slice.type_code) not in type_codes:
        found.append(
            Finding(
                "fhir.patient.ins.type",
                PAT_INS,
                f"type must carry the coding {FR_CORE_V2_0203}#{ins_slice.type_code}; found {type_codes or 'none'}",
                location=f"{where}.type",
            )
        )
    use = text(identifier.get("use"))
    if use not in ins_slice.uses:
        found.append(
            Finding(
                "fhir.patient.ins.use",
                PAT_INS,
                f"use must be {' or '.join(ins_slice.uses)} for {ins_slice.type_code}, not {use or 'absent'}",
                location=f"{where}.use",
            )
        )
    try:
        if not parse_ins(value, ins_slice.oid).key_is_valid:
            found.append(
                Finding(
                    "fhir.patient.ins.key",
                    PAT_INS,
                    f"INS {value} has a wrong key (97 − NIR mod 97)",
                    location=f"{where}.value",
                )
            )
    except ValueError as exc:
        found.append(
            Finding("fhir.patient.ins.value", PAT_INS, f"INS value {value!r}: {exc}", location=f"{where}.value")
        )
    if use != "old":
        seen[ins_slice.type_code] = seen.get(ins_slice.type_code, 0) + 1
        if seen[ins_slice.type_code] == 2:
            found.append(
                Finding(
                    "fhir.patient.ins.repeated",
                    PAT_INS,
                    f"more than one {ins_slice.type_code} identifier (TDDUIPatientINS: each INS slice 0..1)",
                    location=where,
                )
            )
    return found


@rule("fhir.patient.gender", requirement="EPARCOURS-PAT-02", summary="Patient.gender")
@rule("fhir.patient.birthdate", requirement="EPARCOURS-PAT-02", summary="Patient.birthDate")
@rule("fhir.patient.birthplace", requirement="EPARCOURS-PAT-02", summary="birth place (COG code)")
@rule(
    "fhir.patient.name",
    requirement="EPARCOURS-PAT-02",
    summary="official name: birth name, given names, first given name",
)
def _traits(patient: dict[str, Any], facts: PatientFacts, path: str) -> list[Finding]:
    """FR Core PatientINS: the strict traits that must accompany an INS."""
    found = []
    if facts.gender not in _GENDERS_INS:
        found.append(
            Finding(
                "fhir.patient.gender",
                PAT_TRAITS,
                f"gender is 1..1 from male | female | unknown, found {facts.gender or 'none'}",
                location=f"{path}.gender",
            )
        )
    if len(facts.birth_date) != 10:
        found.append(
            Finding(
                "fhir.patient.birthdate",
                PAT_TRAITS,
                f"birthDate is 1..1 and must be a full date YYYY-MM-DD, found {facts.birth_date or 'none'}",
                location=f"{path}.birthDate",
            )
        )
    places = extensions(patient, BIRTH_PLACE)
    if len(places) != 1 or len(facts.birth_place) != 5:
        found.append(
            Finding(
                "fhir.patient.birthplace",
                PAT_TRAITS,
                f"extension[birthPlace] ({BIRTH_PLACE}) is 1..1 "
                f"with valueAddress.extension[inseeCode] ({INSEE_CODE}) holding the 5-character COG; "
                f"found {len(places)} birthPlace, code {facts.birth_place or 'none'}",
                location=f"{path}.extension[birthPlace]",
            )
        )
    name = _official_name(patient)
    where = f"{path}.name[officialName]"
    if name is None:
        return [
            *found,
            Finding(
                "fhir.patient.name",
                PAT_TRAITS,
                "name[officialName] (use = official, the birth name) is 1..1",
                location=where,
            ),
        ]
    given = as_list(name.get("given"))
    if not facts.birth_name:
        found.append(
            Finding(
                "fhir.patient.name.family",
                PAT_TRAITS,
                "the official name has no family (nom de naissance)",
                location=f"{where}.family",
            )
        )
    if len(given) != 1:
        found.append(
            Finding(
                "fhir.patient.name.given",
                PAT_TRAITS,
                f"name[officialName].given is 1..1 (the first birth first name); found {len(given)}",
                location=f"{where}.given",
            )
        )
    lists = extensions(name, BIRTH_LIST_GIVEN_NAME)
    if len(lists) != 1 or not facts.birth_first_names:
        found.append(
            Finding(
                "fhir.patient.name.birth_list",
                PAT_TRAITS,
                f"extension birth-list-given-name "
                f"({BIRTH_LIST_GIVEN_NAME}) is 1..1 with the birth first names; found {len(lists)}",
                location=f"{where}.extension",
            )
        )
    elif facts.first_name and facts.birth_first_names.split()[0].upper() != facts.first_name.split()[0].upper():
        found.append(
            Finding(
                "fhir.patient.name.first",
                PAT_TRAITS,
                f"given {facts.first_name!r} is not the first of the birth first names {facts.birth_first_names!r}",
                location=f"{where}.given",
            )
        )
    return found


@rule("fhir.patient.status", requirement="EPARCOURS-PAT-03", summary="identity reliability status (FR Core)")
def _status(patient: dict[str, Any], facts: PatientFacts, path: str, with_ins: bool) -> list[Finding]:
    found = []
    where = f"{path}.extension[identityReliability]"
    statuses = [
        as_dict(s.get("valueCoding"))
        for r in extensions(patient, IDENTITY_RELIABILITY)
        for s in extensions(r, "identityStatus")
    ]
    if with_ins and not extensions(patient, IDENTITY_RELIABILITY):
        found.append(
            Finding(
                "fhir.patient.status.missing",
                PAT_STATUS,
                f"extension[identityReliability] ({IDENTITY_RELIABILITY}) is 1..* in FR Core PatientINS",
                location=where,
            )
        )
    if len(statuses) > 1:
        found.append(
            Finding(
                "fhir.patient.status.several",
                PAT_STATUS,
                f"{len(statuses)} identity statuses: an identity has exactly one (RNIV EXI SI 07)",
                location=where,
            )
        )
    for coding in statuses:
        system, code = text(coding.get("system")), text(coding.get("code"))
        if system not in (IDENTITY_STATUS_SYSTEM, IDENTITY_STATUS_LEGACY) or code not in IDENTITY_STATUS_CODES:
            found.append(
                Finding(
                    "fhir.patient.status.code",
                    PAT_STATUS,
                    f"identityStatus {system}#{code} is not one of PROV, RECUP, VALI, QUAL of {IDENTITY_STATUS_SYSTEM}",
                    location=f"{where}.extension[identityStatus]",
                )
            )
    if with_ins and facts.status is not None:
        allowed = ("QUAL", "VALI") if facts.status_system == IDENTITY_STATUS_LEGACY else ("QUAL",)
        if facts.status not in allowed:
            found.append(
                Finding(
                    "fhir.patient.status.ins_unqualified",
                    PAT_STATUS,
                    f"the INS is sent with identity "
                    f"status {facts.status}: the INS is exchanged only for a qualified identity "
                    "(RNIV EXI SI 08)",
                    location=f"{path}.identifier",
                )
            )
    return found


def check_patient(patient: dict[str, Any], path: str = "Patient") -> list[Finding]:
    """Every FR Core PatientINS / TDDUIPatient rule on one Patient resource."""
    facts = patient_facts(patient)
    findings: list[Finding] = []
    seen: dict[str, int] = {}
    for index, identifier in facts.ins_identifiers:
        findings += _ins_identifier(identifier, f"{path}.identifier[{index}]", seen)
    with_ins = bool(facts.ins_identifiers)
    if with_ins:
        findings += _traits(patient, facts, path)
    elif _official_name(patient) is None:
        findings.append(
            Finding(
                "fhir.patient.name", PAT_TRAITS, "name[officialName] is 1..1 in TDDUIPatient", location=f"{path}.name"
            )
        )
    findings += _status(patient, facts, path, with_ins)
    return findings
