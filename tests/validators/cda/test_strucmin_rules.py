"""The embedded structuration minimale rules agree with the official hand-written schematron.

The official judge is ``CI-SIS_StructurationMinimale.sch`` of the May 2023 pack (phase
``Struct_minimale``), run by the harness's engine. On the examples of both packs, the TDDUI
example and seeded faulty versions of them, the embedded rules
(:mod:`harness.validators.cda.rules_strucmin`, no pack) must fail exactly where the official
patterns they mirror fail: same pattern, same location (ANS notation), same count.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import pytest
from lxml import etree

from harness.validators.cda import CdaPack, validate_cda
from harness.validators.cda.rules_strucmin import PATTERNS, check_strucmin
from harness.validators.cda.schematron_run import engine
from harness.validators.cda.svrl import parse_svrl
from tests.validators.cda.conftest import NS, PACK_2023_DIR, TDDUI_EXAMPLE, example, need

Mutation = Callable[[etree._Element], None]
CDA = "{urn:hl7-org:v3}"


def _on(path: str, change: Callable[[etree._Element], None]) -> Mutation:
    def mutate(root: etree._Element) -> None:
        found = root.xpath(path, namespaces=NS)
        assert found, f"no {path}"
        for element in found:
            change(element)

    return mutate


def _set(path: str, attribute: str, value: str) -> Mutation:
    return _on(path, lambda e: e.set(attribute, value))


def _unset(path: str, attribute: str) -> Mutation:
    return _on(path, lambda e: e.attrib.pop(attribute, None))


def _drop(path: str) -> Mutation:
    return _on(path, lambda e: e.getparent().remove(e))


def _twice(path: str) -> Mutation:
    return _on(path, lambda e: e.addnext(etree.fromstring(etree.tostring(e))))


def _add(path: str, xml: str) -> Mutation:
    return _on(path, lambda e: e.append(etree.fromstring(f'<x xmlns="urn:hl7-org:v3">{xml}</x>')[0]))


def _empty(path: str) -> Mutation:
    def clear(element: etree._Element) -> None:
        for child in list(element):
            element.remove(child)
        element.attrib.clear()

    return _on(path, clear)


PATIENT = "cda:recordTarget/cda:patientRole"
LEGAL = "cda:legalAuthenticator"
#: seeded faults, each aimed at one official pattern
MUTATIONS: dict[str, Mutation] = {
    "realmCode twice": _twice("cda:realmCode"),
    "realmCode XX": _set("cda:realmCode", "code", "XX"),
    "typeId extension": _set("cda:typeId", "extension", "POCD_HD000041"),
    "HL7 France templateId removed": _drop("cda:templateId[@root='2.16.840.1.113883.2.8.2.1']"),
    "code without displayName": _unset("cda:code", "displayName"),
    "no title": _drop("cda:title"),
    "language en-US": _set("cda:languageCode", "code", "en-US"),
    "no documentationOf": _drop("cda:documentationOf"),
    "no componentOf": _drop("cda:componentOf"),
    "legalAuthenticator twice": _twice(LEGAL),
    "relatedDocument XFRM without id": _add(
        ".", '<relatedDocument typeCode="XFRM"><parentDocument/></relatedDocument>'
    ),
    "family qualifier removed": _unset(f"{PATIENT}/cda:patient/cda:name/cda:family", "qualifier"),
    "given qualifier XX": _set(f"{PATIENT}/cda:patient/cda:name/cda:given[1]", "qualifier", "XX"),
    "patient raceCode": _add(f"{PATIENT}/cda:patient", '<raceCode code="X"/>'),
    "patient without birthTime": _drop(f"{PATIENT}/cda:patient/cda:birthTime"),
    "patient id nullFlavor": _add(PATIENT, '<id nullFlavor="UNK"/>'),
    "every addr emptied": _empty("//cda:addr"),
    "addr street line and city": _add("(//cda:addr)[1]", "<streetAddressLine>1 rue</streetAddressLine>"),
    "telecom values": _set("//cda:telecom", "value", "0102030405"),
    "telecom use XX": _set("(//cda:telecom)[1]", "use", "XX"),
    "assignedEntity ids removed": _drop("//cda:assignedEntity/cda:id"),
    "assignedPerson family removed": _drop("//cda:assignedPerson/cda:name/cda:family"),
    "assignedPerson prefix SIR": _add("(//cda:assignedEntity/cda:assignedPerson/cda:name)[1]", "<prefix>SIR</prefix>"),
    "custodian id root": _set("//cda:representedCustodianOrganization/cda:id", "root", "1.2.3"),
    "author time removed": _drop("cda:author/cda:time"),
    "legalAuthenticator signature X": _set(f"{LEGAL}/cda:signatureCode", "code", "X"),
    "legalAuthenticator time removed": _drop(f"{LEGAL}/cda:time"),
    "serviceEvent low removed": _drop("cda:documentationOf/cda:serviceEvent/cda:effectiveTime/cda:low"),
    "performer typeCode": _set("cda:documentationOf/cda:serviceEvent/cda:performer", "typeCode", "SPRF"),
    "performer twice": _twice("cda:documentationOf[1]/cda:serviceEvent/cda:performer"),
    "encounter code without displayName": _unset("cda:componentOf/cda:encompassingEncounter/cda:code", "displayName"),
    "encounter id without root": _unset("cda:componentOf/cda:encompassingEncounter/cda:id", "root"),
    "participant classCode": _set("//cda:participant/cda:associatedEntity", "classCode", "XX"),
    "informant relatedEntity classCode": _set("//cda:informant/cda:relatedEntity", "classCode", "XX"),
    "recipient id root": _set("//cda:intendedRecipient/cda:id", "root", "1.2.3"),
}
DOCUMENTS = [
    "DLU-EHPAD-DLU_2022.01.xml",
    "DLU-EHPAD-FLUDT_2022.01.xml",
    "LDL-SES_2022.01.xml",
    "VSM_1.4_2022.01.xml",
    TDDUI_EXAMPLE.name,
]
#: the 2023-05 examples (the CANCER reports' documents) are judged too
DOCUMENTS_2023 = ["CANCER-CR-GM_2022.01_AnalyseRealisee.xml"]


def _official(root: etree._Element) -> Counter[tuple[str, str]]:
    schematron = PACK_2023_DIR / "schematrons" / "profils" / "CI-SIS_StructurationMinimale.sch"
    need(schematron, "the 2023-05 pack is not beside the repository")
    svrl = engine().run(schematron, engine().parse(etree.tostring(root, encoding="unicode")), phase="Struct_minimale")
    return Counter((a.pattern, a.location) for a in parse_svrl(svrl).failed if a.pattern in PATTERNS)


def _embedded(root: etree._Element) -> Counter[tuple[str, str]]:
    return Counter((f.rule.split(".")[2], f.location) for f in check_strucmin(root))


def _document(name: str) -> bytes:
    if name in DOCUMENTS_2023:
        path = PACK_2023_DIR / "ExemplesCDA" / name
        need(path, f"{path} is not beside the repository")
        return path.read_bytes()
    return example(name)


@pytest.mark.parametrize("name", DOCUMENTS + DOCUMENTS_2023)
def test_embedded_rules_and_the_official_schematron_agree(name: str, pack_2023: CdaPack) -> None:
    compared = failures = 0
    for label, mutation in {"as published": lambda root: None, **MUTATIONS}.items():
        root = etree.fromstring(_document(name))
        try:
            mutation(root)
        except AssertionError:
            continue  # the document has no such part
        official, embedded = _official(root), _embedded(root)
        assert embedded == official, (label, embedded - official, official - embedded)
        compared += 1
        failures += sum(official.values())
    assert compared >= 25 and failures >= 30


def test_every_mirrored_pattern_is_exercised() -> None:
    exercised = set()
    for mutation in MUTATIONS.values():
        root = etree.fromstring(example("DLU-EHPAD-DLU_2022.01.xml"))
        try:
            mutation(root)
        except AssertionError:
            continue
        exercised |= {pattern for pattern, _ in _embedded(root)}
    assert {
        "modeleEntete_fr",
        "recordTarget_fr",
        "addr",
        "telecom",
        "assignedEntity_fr",
        "custodian_fr",
        "author_fr",
        "legalAuthenticator_fr",
        "documentationOf_fr",
        "componentOf_fr",
        "relatedDocument_fr",
    } <= exercised


def test_without_a_pack_the_embedded_rules_judge_the_header() -> None:
    document = example("DLU-EHPAD-DLU_2022.01.xml")
    root = etree.fromstring(document)
    MUTATIONS["telecom use XX"](root)
    report = validate_cda(etree.tostring(root))
    (finding,) = (f for f in report.findings if f.rule.startswith("cda.sm.telecom"))
    assert finding.requirement == "CDA-HDR-01" and finding.location.startswith("/ClinicalDocument/")
    assert "[structuration minimale, telecom]" in finding.message
