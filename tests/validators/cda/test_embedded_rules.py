"""Each embedded CDA rule catches a defect made in-test from a good official example, on its requirement.

Given an official example that passes the rule, when one fact is broken (a trait removed, a
templateId added to an N1, the document code changed…), then ``validate_cda`` (no pack: the
embedded rules alone) reports an ERROR finding of the expected rule and requirement.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from lxml import etree

from harness.core.findings import Severity
from harness.validators.cda import validate_cda
from tests.validators.cda.conftest import CDA, TDDUI_EXAMPLE, first, remove, serialize, tree

DLU, FLUDT, FLUDR = "DLU-EHPAD-DLU_2022.01.xml", "DLU-EHPAD-FLUDT_2022.01.xml", "DLU-EHPAD-FLUDR_2022.01.xml"
N1, VSM, LDL = "DOC_NON_STRUCTURE_CDA-R2-N1.xml", "VSM_1.4_2022.01.xml", "LDL-SES_2022.01.xml"
EXPORT = TDDUI_EXAMPLE.name
PATIENT = "cda:recordTarget/cda:patientRole/cda:patient"
SECTION = "cda:component/cda:structuredBody/cda:component[cda:section/cda:templateId[@root='{}']]"


def _set(path: str, attribute: str, value: str) -> Callable[[etree._Element], None]:
    def mutate(root: etree._Element) -> None:
        first(root, path).set(attribute, value)

    return mutate


def _remove(path: str) -> Callable[[etree._Element], None]:
    return lambda root: remove(root, path)


def _add_template(oid: str) -> Callable[[etree._Element], None]:
    def mutate(root: etree._Element) -> None:
        last = root.xpath("cda:templateId", namespaces={"cda": CDA})[-1]
        last.addnext(etree.Element(f"{{{CDA}}}templateId", root=oid))

    return mutate


def _duplicate(path: str) -> Callable[[etree._Element], None]:
    def mutate(root: etree._Element) -> None:
        element = first(root, path)
        element.addnext(etree.fromstring(etree.tostring(element)))

    return mutate


def _body(text: str | None = None, **attributes: str) -> Callable[[etree._Element], None]:
    def mutate(root: etree._Element) -> None:
        body = first(root, "cda:component/cda:nonXMLBody/cda:text")
        for key, value in attributes.items():
            body.set(key, value)
        if text is not None:
            body.text = text

    return mutate


def _ins_key(root: etree._Element) -> None:
    identifier = first(
        root,
        "cda:recordTarget/cda:patientRole/cda:id[@root='1.2.250.1.213.1.4.10' or "
        "@root='1.2.250.1.213.1.4.8' or @root='1.2.250.1.213.1.4.11']",
    )
    value = identifier.get("extension", "")
    identifier.set("extension", value[:-2] + f"{(int(value[-2:]) + 1) % 100:02d}")


@dataclass(frozen=True)
class Defect:
    example: str
    mutate: Callable[[etree._Element], None]
    requirement: str
    rule: str


DEFECTS: dict[str, Defect] = {
    # structuration minimale header (CDA-HDR-01)
    "no realmCode": Defect(DLU, _remove("cda:realmCode"), "CDA-HDR-01", "cda.header.required"),
    "two titles": Defect(DLU, _duplicate("cda:title"), "CDA-HDR-01", "cda.header.cardinality"),
    "no CI-SIS templateId": Defect(
        LDL, _remove("cda:templateId[@root='1.2.250.1.213.1.1.1.1']"), "CDA-HDR-01", "cda.header.templates"
    ),
    "language not xx-XX": Defect(LDL, _set("cda:languageCode", "code", "french"), "CDA-HDR-01", "cda.header.language"),
    "confidentiality X": Defect(
        LDL, _set("cda:confidentialityCode", "code", "X"), "CDA-HDR-01", "cda.header.confidentiality"
    ),
    "effectiveTime ISO": Defect(
        LDL, _set("cda:effectiveTime", "value", "2022-01-01T10:00:00"), "CDA-HDR-01", "cda.header.effective-time"
    ),
    "versionNumber 0": Defect(LDL, _set("cda:versionNumber", "value", "0"), "CDA-HDR-01", "cda.header.version"),
    "no serviceEvent performer": Defect(
        LDL, _remove("cda:documentationOf[1]/cda:serviceEvent/cda:performer"), "CDA-HDR-01", "cda.header.service-event"
    ),
    "legalAuthenticator unsigned": Defect(
        LDL, _set("cda:legalAuthenticator/cda:signatureCode", "code", "X"), "CDA-HDR-01", "cda.header.required"
    ),
    "no componentOf": Defect(LDL, _remove("cda:componentOf"), "CDA-HDR-01", "cda.header.required"),
    # INS in recordTarget (CDA-INS-01)
    "INS wrong key": Defect(DLU, _ins_key, "CDA-INS-01", "cda.ins.key"),
    "no birth name": Defect(
        DLU, _remove(f"{PATIENT}/cda:name/cda:family[@qualifier='BR']"), "CDA-INS-01", "cda.ins.traits"
    ),
    "no birth place": Defect(DLU, _remove(f"{PATIENT}/cda:birthplace"), "CDA-INS-01", "cda.ins.traits"),
    "no first names": Defect(
        DLU, _remove(f"{PATIENT}/cda:name/cda:given[not(@qualifier)]"), "CDA-INS-01", "cda.ins.traits"
    ),
    "qualifier XX": Defect(
        DLU, _set(f"{PATIENT}/cda:name/cda:family", "qualifier", "XX"), "CDA-INS-01", "cda.ins.qualifier"
    ),
    # unstructured documents (CDA-N1-01)
    "N1 extra templateId": Defect(N1, _add_template("1.2.250.1.213.1.1.1.22"), "CDA-N1-01", "cda.n1.templates"),
    "N1 without XDS-SD": Defect(
        N1, _remove("cda:templateId[@root='1.3.6.1.4.1.19376.1.2.20']"), "CDA-N1-01", "cda.n1.template"
    ),
    "N1 mediaType html": Defect(N1, _body(mediaType="text/html"), "CDA-N1-01", "cda.n1.media-type"),
    "N1 not base64": Defect(N1, _body(text="%%% not base64 %%%"), "CDA-N1-01", "cda.n1.base64"),
    "N1 not a PDF": Defect(N1, _body(text=base64.b64encode(b"GIF89a...").decode()), "CDA-N1-01", "cda.n1.pdf"),
    "N1 representation TXT": Defect(N1, _body(representation="TXT"), "CDA-N1-01", "cda.n1.representation"),
    "XDS-SD on a structured body": Defect(LDL, _add_template("1.3.6.1.4.1.19376.1.2.20"), "CDA-N1-01", "cda.n1.body"),
    # DLU, FLUDT, FLUDR
    "DLU code changed": Defect(DLU, _set("cda:code", "code", "34133-9"), "CDA-DLU-01", "cda.dlu.code"),
    "DLU serviceEvent 28651-8": Defect(
        DLU,
        _set("cda:documentationOf/cda:serviceEvent/cda:code", "code", "28651-8"),
        "CDA-DLU-01",
        "cda.dlu.service-event",
    ),
    "DLU serviceEvent time nullFlavor": Defect(
        DLU,
        _set("cda:documentationOf/cda:serviceEvent/cda:effectiveTime", "nullFlavor", "UNK"),
        "CDA-DLU-01",
        "cda.dlu.service-event-time",
    ),
    "DLU without informant": Defect(
        DLU, _remove("cda:participant[@typeCode='INF']"), "CDA-DLU-01", "cda.dlu.informant"
    ),
    "DLU without birthTime": Defect(DLU, _remove(f"{PATIENT}/cda:birthTime"), "CDA-DLU-01", "cda.dlu.birth-time"),
    "DLU without directives": Defect(
        DLU, _remove(SECTION.format("1.3.6.1.4.1.19376.1.5.3.1.3.35")), "CDA-DLU-01", "cda.dlu.section"
    ),
    "74207-2 without DLU model": Defect(
        DLU, _remove("cda:templateId[@root='1.2.250.1.213.1.1.1.22']"), "CDA-DLU-01", "cda.dlu.template"
    ),
    "FLUDT without vital signs": Defect(
        FLUDT, _remove(SECTION.format("1.3.6.1.4.1.19376.1.5.3.1.3.25")), "CDA-FLUDT-01", "cda.fludt.section"
    ),
    "FLUDT serviceEvent 34117-2": Defect(
        FLUDT,
        _set("cda:documentationOf/cda:serviceEvent/cda:code", "code", "34117-2"),
        "CDA-FLUDT-01",
        "cda.fludt.service-event",
    ),
    "FLUDR without discharge diagnosis": Defect(
        FLUDR, _remove(SECTION.format("1.3.6.1.4.1.19376.1.5.3.1.3.7")), "CDA-FLUDR-01", "cda.fludr.section"
    ),
    "FLUDR code changed": Defect(FLUDR, _set("cda:code", "code", "60280-5"), "CDA-FLUDR-01", "cda.fludr.code"),
    # VSM
    "VSM code changed": Defect(VSM, _set("cda:code", "code", "60591-5"), "CDA-VSM-01", "cda.vsm.code"),
    "VSM without results": Defect(
        VSM, _remove(SECTION.format("1.3.6.1.4.1.19376.1.5.3.1.3.27")), "CDA-VSM-01", "cda.vsm.section"
    ),
    "VSM serviceEvent changed": Defect(
        VSM,
        _set("cda:documentationOf/cda:serviceEvent/cda:code", "code", "11488-4"),
        "CDA-VSM-01",
        "cda.vsm.service-event",
    ),
    # EXPORT_DUI (TDDUI)
    "EXPORT author not LOGICIEL_DUI": Defect(
        EXPORT, _set("cda:author/cda:assignedAuthor/cda:code", "code", "SNR"), "CDA-EXPORT-01", "cda.export.author"
    ),
    "EXPORT without authoring device": Defect(
        EXPORT,
        _remove("cda:author/cda:assignedAuthor/cda:assignedAuthoringDevice"),
        "CDA-EXPORT-01",
        "cda.export.author",
    ),
    "EXPORT facility SA01": Defect(
        EXPORT,
        _set("cda:componentOf/cda:encompassingEncounter/cda:location/cda:healthCareFacility/cda:code", "code", "SA01"),
        "CDA-EXPORT-01",
        "cda.export.facility",
    ),
    "EXPORT facility without translation": Defect(
        EXPORT,
        _remove(
            "cda:componentOf/cda:encompassingEncounter/cda:location/cda:healthCareFacility/cda:code/cda:translation"
        ),
        "CDA-EXPORT-01",
        "cda.export.facility",
    ),
    "EXPORT custodian not a structure": Defect(
        EXPORT,
        _set(
            "cda:custodian/cda:assignedCustodian/cda:representedCustodianOrganization/cda:id",
            "root",
            "1.2.250.1.71.4.2.1",
        ),
        "CDA-EXPORT-01",
        "cda.export.custodian",
    ),
    "EXPORT without performer": Defect(
        EXPORT,
        _remove("cda:documentationOf/cda:serviceEvent/cda:performer"),
        "CDA-EXPORT-01",
        "cda.export.service-event",
    ),
    "EXPORT code changed": Defect(EXPORT, _set("cda:code", "code", "SYNTH"), "CDA-EXPORT-01", "cda.export.code"),
}


@pytest.mark.parametrize("name", sorted(DEFECTS))
def test_the_defect_is_caught_on_its_requirement(name: str) -> None:
    defect = DEFECTS[name]
    root = tree(defect.example)
    # given the good example, which does not break the rule
    before = {(f.requirement, f.rule) for f in validate_cda(serialize(root)).findings}
    assert (defect.requirement, defect.rule) not in before
    # when one fact is broken
    defect.mutate(root)
    report = validate_cda(serialize(root))
    # then the rule reports it, as an error, with a location
    caught = [f for f in report.findings if (f.requirement, f.rule) == (defect.requirement, defect.rule)]
    assert caught, [str(f) for f in report.findings]
    assert all(f.severity is Severity.ERROR and f.location.startswith("/ClinicalDocument") for f in caught)


def test_ins_id_with_nullflavor_is_a_format_finding() -> None:
    root = tree(DLU)
    identifier = first(root, "cda:recordTarget/cda:patientRole/cda:id[@root='1.2.250.1.213.1.4.10']")
    del identifier.attrib["extension"]
    identifier.set("nullFlavor", "UNK")
    rules = {f.rule for f in validate_cda(serialize(root)).findings if f.requirement == "CDA-INS-01"}
    assert rules == {"cda.ins.format"}


def test_n1_with_text_plain_is_accepted() -> None:
    root = tree(N1)
    _body(text=base64.b64encode(b"Compte rendu en texte").decode(), mediaType="text/plain")(root)
    assert [f for f in validate_cda(serialize(root)).findings if f.requirement == "CDA-N1-01"] == []
