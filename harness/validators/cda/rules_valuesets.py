"""Embedded rules: the coded elements of the CDA header take their codes from the CI-SIS value sets
(requirement CDA-HDR-01).

Written from the bindings of the current structuration minimale (ART-DECOR ``ASIP-STRUCT-MIN``,
template ``1.2.250.1.213.1.1.1.1``: "The value for code SHALL be selected from value set …"), so
that a run without the pack still judges the header's codes: the document type (JDV_J07
XdsTypeCode), the professions and specialties (JDV_J01), the organisations' practice setting
(``standardIndustryClassCode``, JDV_J04, code and code system), the healthcare facility type
(JDV_J02), the author's and participants' function (JDV_J47), the patient's administrative sex
(JDV_J143), the informant's relation to the patient (JDV_J11), the encounter type (JDV_J142) and
the participation and role codes (JDV_J140, J141, J144). As in the official schematron, an
element with a ``nullFlavor`` is not judged here, and the codes are compared on ``@code`` (code
and code system for ``standardIndustryClassCode``).

The value sets are the project's own transcription (``fixtures/cda/header-value-sets.json``, and
J02/J04/J07 of ``fixtures/xds/value-sets.json``), each with its provenance. The confidentiality
code is judged by :mod:`.rules_header` (N, R or V, stricter than the HL7 set).
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from harness.core.findings import Finding
from harness.core.rules import register
from harness.validators.cda.common import NS
from harness.validators.cda.rules_strucmin import ans_path

__all__ = ["BINDINGS", "Binding", "check_value_sets", "header_value_sets"]

REQ = "CDA-HDR-01"
_HERE = Path(__file__).resolve()
_DOC = "/cda:ClinicalDocument"
_FILES = (("cda", "header-value-sets.json"), ("xds", "value-sets.json"))


@dataclass(frozen=True)
class Binding:
    """A coded element of the header and the value sets its code must come from."""

    rule: str
    #: XPath (from the document root) selecting the coded elements (those with a nullFlavor excluded)
    context: str
    value_sets: tuple[str, ...]
    label: str
    attribute: str = "code"
    #: compare the code system too (the official schematron does for standardIndustryClassCode)
    with_system: bool = False


_SPECIALTY = ("J01",)
#: every binding, in the order of the header
BINDINGS: tuple[Binding, ...] = (
    Binding("cda.vs.type-code", f"{_DOC}/cda:code[not(@nullFlavor)]", ("J07",), "ClinicalDocument/code"),
    Binding(
        "cda.vs.gender",
        f"{_DOC}/cda:recordTarget/cda:patientRole/cda:patient/cda:administrativeGenderCode[not(@nullFlavor)]",
        ("J143",),
        "patient/administrativeGenderCode",
    ),
    Binding(
        "cda.vs.function",
        f"{_DOC}/cda:author/cda:functionCode[not(@nullFlavor)] | "
        f"{_DOC}/cda:participant/cda:functionCode[not(@nullFlavor)]",
        ("J47",),
        "functionCode",
    ),
    Binding(
        "cda.vs.specialty",
        f"{_DOC}/cda:author/cda:assignedAuthor[not(@nullFlavor)]/cda:code[not(@nullFlavor)] | "
        f"{_DOC}/cda:legalAuthenticator/cda:assignedEntity/cda:code[not(@nullFlavor)] | "
        f"{_DOC}/cda:documentationOf/cda:serviceEvent/cda:performer/cda:assignedEntity/"
        "cda:code[not(@nullFlavor)] | "
        f"{_DOC}/cda:participant/cda:associatedEntity/cda:code[not(@nullFlavor)]",
        _SPECIALTY,
        "profession / specialty code",
    ),
    Binding(
        "cda.vs.practice-setting",
        f"{_DOC}//cda:representedOrganization/cda:standardIndustryClassCode[not(@nullFlavor)]",
        ("J04",),
        "standardIndustryClassCode",
        with_system=True,
    ),
    Binding(
        "cda.vs.relation",
        f"{_DOC}/cda:informant/cda:relatedEntity/cda:code[not(@nullFlavor)]",
        ("J11",),
        "informant/relatedEntity/code",
    ),
    Binding(
        "cda.vs.encounter",
        f"{_DOC}/cda:componentOf/cda:encompassingEncounter[cda:location]/cda:code[not(@nullFlavor)]",
        ("J142",),
        "encompassingEncounter/code",
    ),
    Binding(
        "cda.vs.facility",
        f"{_DOC}/cda:componentOf/cda:encompassingEncounter/cda:location/"
        "cda:healthCareFacility[not(@nullFlavor)]/cda:code[not(@nullFlavor)]",
        ("J02",),
        "healthCareFacility/code",
    ),
    Binding(
        "cda.vs.participation",
        f"{_DOC}/cda:participant[@typeCode]",
        ("J144",),
        "participant/@typeCode",
        attribute="typeCode",
    ),
    Binding(
        "cda.vs.participation",
        f"{_DOC}/cda:componentOf/cda:encompassingEncounter/cda:encounterParticipant[@typeCode]",
        ("J140",),
        "encounterParticipant/@typeCode",
        attribute="typeCode",
    ),
    Binding(
        "cda.vs.role-class",
        f"{_DOC}/cda:participant/cda:associatedEntity[@classCode]",
        ("J141",),
        "participant/associatedEntity/@classCode",
        attribute="classCode",
    ),
)


@dataclass(frozen=True)
class HeaderValueSet:
    key: str
    name: str
    oid: str
    source: str
    codes: frozenset[tuple[str, str]]


def _fixture(folder: str, name: str) -> Path:
    for root in (_HERE.parents[3] / "fixtures", _HERE.parents[2] / "_data" / "fixtures"):
        if (root / folder / name).is_file():
            return root / folder / name
    raise FileNotFoundError(f"fixtures/{folder}/{name} is missing from this installation")


@functools.cache
def header_value_sets() -> dict[str, HeaderValueSet]:
    """The embedded value sets of the header, by key (``J07``…), with the file and provenance they come from."""
    sets: dict[str, HeaderValueSet] = {}
    for folder, name in _FILES:
        data = json.loads(_fixture(folder, name).read_text(encoding="utf-8"))
        for key, entry in data["value_sets"].items():
            codes = frozenset((c["code"], c["codeSystem"]) for c in entry["concepts"])
            source = f"fixtures/{folder}/{name}: {data['_provenance'].get(key, '')}"
            sets.setdefault(key, HeaderValueSet(key, entry["name"], entry["oid"], source, codes))
    return sets


def _allowed(binding: Binding, value: str, system: str) -> bool:
    sets = header_value_sets()
    for key in binding.value_sets:
        codes = sets[key].codes
        if (value, system) in codes if binding.with_system else any(c == value for c, _ in codes):
            return True
    return False


def check_value_sets(root: etree._Element) -> list[Finding]:
    """Every binding of :data:`BINDINGS` on the document ``root`` (a ``ClinicalDocument``)."""
    findings = []
    sets = header_value_sets()
    for binding in BINDINGS:
        for element in root.getroottree().xpath(binding.context, namespaces=NS):
            value, system = element.get(binding.attribute), element.get("codeSystem", "")
            if value is None or _allowed(binding, value, system):
                continue
            names = " / ".join(f"{sets[k].name} ({sets[k].oid})" for k in binding.value_sets)
            shown = f"{value!r} of {system!r}" if binding.with_system else repr(value)
            shown += "" if binding.attribute == "code" else f" (@{binding.attribute})"
            where = ans_path(element)  # the element, as the official schematron's report locates it
            findings.append(
                Finding(
                    binding.rule,
                    REQ,
                    f"[structuration minimale, jeu de valeurs] {binding.label} "
                    f"{shown} : hors du jeu de valeurs / not in the value set {names}",
                    location=where,
                )
            )
    return findings


_LABELS: dict[str, list[str]] = {}
for _binding in BINDINGS:
    _LABELS.setdefault(_binding.rule, []).append(_binding.label)
for _rule, _labels in _LABELS.items():  # one registered rule per kind of coded element (dui-harness rules)
    register(
        _rule,
        REQ,
        f"{', '.join(_labels)}: a code of the CI-SIS value set the structuration minimale binds",
        f"{__name__}.check_value_sets",
        module=__name__,
    )
