"""CDA R2 document validation: the one entry point every exchange and the CLI share.

``validate_cda(data)`` parses safely and returns a :class:`CdaReport`: the header facts the
other checks need (document id, type code, template ids, INS and traits of the patient…)
and the findings, each with its rule id, requirement id, severity and XPath location.

Layers (see the DMP issue): well-formedness and safe parsing; the header rules of the
CI-SIS *structuration minimale* written by the project (embedded, no pack needed); the
CDA_extended XSD and the official CI-SIS schematrons when an artefact pack path is given.
This module owns the contract; the layers live in sibling modules.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from harness.core.findings import Finding, Severity
from harness.core.ins import INS_OIDS, parse_ins
from harness.validators.safexml import XmlInputError, parse_xml

__all__ = ["CDA_NS", "CdaHeader", "CdaReport", "validate_cda"]

CDA_NS = "urn:hl7-org:v3"
NS = {"cda": CDA_NS}
MAX_CDA_BYTES = 200 * 1024 * 1024


@dataclass
class CdaHeader:
    """Facts read from the CDA header (empty strings when absent)."""

    document_id: str = ""
    set_id: str = ""
    version: str = ""
    code: str = ""
    code_system: str = ""
    title: str = ""
    effective_time: str = ""
    confidentiality: str = ""
    language: str = ""
    template_ids: list[str] = field(default_factory=list)
    ins: str = ""
    ins_oid: str = ""
    birth_name: str = ""
    first_name: str = ""
    first_names: str = ""
    sex: str = ""
    birth_time: str = ""
    birth_place: str = ""


@dataclass
class CdaReport:
    """The outcome of validating one CDA document."""

    header: CdaHeader
    findings: list[Finding] = field(default_factory=list)
    root: etree._Element | None = None

    @property
    def ok(self) -> bool:
        return not any(f.severity is Severity.ERROR for f in self.findings)


def _text(root: etree._Element, xpath: str) -> str:
    found = root.xpath(xpath, namespaces=NS)
    if not found:
        return ""
    value = found[0]
    return str(value if isinstance(value, str) else (value.text or "")).strip()


def read_header(root: etree._Element) -> CdaHeader:
    """The header facts of a parsed ClinicalDocument."""
    patient = "cda:recordTarget/cda:patientRole"
    ins_roots = " or ".join(f"@root='{oid}'" for oid in INS_OIDS)
    return CdaHeader(
        document_id=_text(root, "cda:id/@root") + (
            f"^{_text(root, 'cda:id/@extension')}" if _text(root, "cda:id/@extension") else ""),
        set_id=_text(root, "cda:setId/@root"),
        version=_text(root, "cda:versionNumber/@value"),
        code=_text(root, "cda:code/@code"),
        code_system=_text(root, "cda:code/@codeSystem"),
        title=_text(root, "cda:title"),
        effective_time=_text(root, "cda:effectiveTime/@value"),
        confidentiality=_text(root, "cda:confidentialityCode/@code"),
        language=_text(root, "cda:languageCode/@code"),
        template_ids=[str(t) for t in root.xpath("cda:templateId/@root", namespaces=NS)],
        ins=_text(root, f"{patient}/cda:id[{ins_roots}]/@extension"),
        ins_oid=_text(root, f"{patient}/cda:id[{ins_roots}]/@root"),
        birth_name=_text(root, f"{patient}/cda:patient/cda:name/cda:family[@qualifier='BR']"),
        first_name=_text(root, f"{patient}/cda:patient/cda:name/cda:given[@qualifier='BR']"),
        first_names=_text(root, f"{patient}/cda:patient/cda:name/cda:given[not(@qualifier)]"),
        sex=_text(root, f"{patient}/cda:patient/cda:administrativeGenderCode/@code"),
        birth_time=_text(root, f"{patient}/cda:patient/cda:birthTime/@value"),
        birth_place=_text(root, f"{patient}/cda:patient/cda:birthplace/cda:place/cda:addr/cda:county"),
    )


def _structure(root: etree._Element) -> list[Finding]:
    """CI-SIS structuration minimale: the header elements every CDA document carries [1..1]."""
    required = {
        "cda:realmCode[@code='FR']": "realmCode@code='FR'",
        "cda:typeId[@root='2.16.840.1.113883.1.3' and @extension='POCD_HD000040']": "typeId POCD_HD000040",
        "cda:id/@root": "id@root",
        "cda:code/@code": "code (type of document)",
        "cda:title": "title",
        "cda:effectiveTime/@value": "effectiveTime",
        "cda:confidentialityCode/@code": "confidentialityCode",
        "cda:languageCode/@code": "languageCode",
        "cda:setId/@root": "setId",
        "cda:versionNumber/@value": "versionNumber",
        "cda:recordTarget/cda:patientRole/cda:patient": "recordTarget/patientRole/patient",
        "cda:author": "author",
        "cda:custodian": "custodian",
    }
    findings = []
    for xpath, label in required.items():
        if not root.xpath(xpath, namespaces=NS):
            findings.append(Finding("cda.header.required", "CDA-HDR-01",
                                    f"the CDA header has no {label} (structuration minimale: [1..1])",
                                    location=f"/ClinicalDocument/{xpath.split('/')[0].replace('cda:', '')}"))
    return findings


def _ins(header: CdaHeader) -> list[Finding]:
    """INS in recordTarget: valid key and OID; the five strict traits are then mandatory."""
    if not header.ins:
        return []
    where = "/ClinicalDocument/recordTarget/patientRole"
    findings = []
    try:
        if not parse_ins(header.ins, header.ins_oid).key_is_valid:
            findings.append(Finding("cda.ins.key", "CDA-INS-01",
                                    f"INS {header.ins} has a wrong key (97 − NIR mod 97)", location=f"{where}/id"))
    except ValueError as exc:
        findings.append(Finding("cda.ins.format", "CDA-INS-01", f"INS {header.ins!r}: {exc}", location=f"{where}/id"))
    traits = {
        "name/family[@qualifier='BR'] (nom de naissance)": header.birth_name,
        "name/given[@qualifier='BR'] (premier prénom de naissance)": header.first_name,
        "name/given (prénoms de naissance)": header.first_names,
        "administrativeGenderCode": header.sex,
        "birthTime": header.birth_time,
        "birthplace/place/addr/county (lieu de naissance, COG)": header.birth_place,
    }
    for label, value in traits.items():
        if not value:
            findings.append(Finding(
                "cda.ins.traits", "CDA-INS-01",
                "Dans le cadre de l'INS, les traits de l'INS (Nom de naissance, premier prénom, prénoms, date de "
                f"naissance, lieu de naissance (COG) et sexe) sont obligatoires: {label} is missing",
                location=f"{where}/patient/{label.split(' ')[0]}"))
    return findings


def validate_cda(data: bytes, *, pack: Path | None = None) -> CdaReport:
    """Validate one CDA document.

    Args:
        data: the document bytes as received (parsed safely, never resolving entities).
        pack: an official CI-SIS artefact pack folder (XSD, schematrons, value sets); the
            embedded rules apply with or without it.

    Returns:
        The report: header facts and findings. A document that cannot be parsed gives one
        ERROR finding ``cda.xml`` and an empty header.
    """
    try:
        root = parse_xml(data, max_bytes=MAX_CDA_BYTES)
    except XmlInputError as exc:
        return CdaReport(CdaHeader(), [Finding("cda.xml", "CDA-HDR-01", str(exc), location=f"line {exc.line}")])
    if root.tag != f"{{{CDA_NS}}}ClinicalDocument":
        return CdaReport(CdaHeader(), [Finding("cda.root", "CDA-HDR-01",
                                               f"root element is {root.tag}, not {{{CDA_NS}}}ClinicalDocument",
                                               location="/")], root)
    header = read_header(root)
    report = CdaReport(header, [*_structure(root), *_ins(header)], root)
    return report
