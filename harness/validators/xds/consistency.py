"""CDA ↔ XDS metadata consistency: what the DocumentEntry says must be what the document says.

The CI-SIS derives each DocumentEntry attribute from the CDA header (french-specs.md §2.3
mapping table): patientId = INS of ``recordTarget``; typeCode = ``code``; formatCode = the
content model (``templateId``); creationTime = ``effectiveTime`` (in UTC); the first
confidentialityCode = ``confidentialityCode``; uniqueId = ``id``; hash (SHA-1) and size of the
bytes sent. An unstructured document (N1, IHE XDS-SD) carries only its three templateIds and a
``nonXMLBody`` (french-specs.md §2.1).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re

from lxml import etree

from harness.core.findings import Finding, Severity
from harness.core.rules import rule
from harness.validators.cda import CdaReport
from harness.validators.xds.ebrim import DE, RegistryObject
from harness.validators.xds.formats import parse_cx

__all__ = ["FORMAT_BY_TEMPLATE", "N1_TEMPLATES", "XDS_SD_TEMPLATE", "check_consistency", "expected_format"]

XDS_SD_TEMPLATE = "1.3.6.1.4.1.19376.1.2.20"
#: the only templateIds of an unstructured (N1) CDA document: HL7 France, CI-SIS, IHE XDS-SD
N1_TEMPLATES = frozenset({"2.16.840.1.113883.2.8.2.1", "1.2.250.1.213.1.1.1.1", XDS_SD_TEMPLATE})
#: content model templateId -> formatCode (JDV_J10; french-specs.md §2.2)
FORMAT_BY_TEMPLATE = {
    "1.2.250.1.213.1.1.1.22": "urn:asip:ci-sis:dlu:2015",
    "1.2.250.1.213.1.1.1.23": "urn:asip:ci-sis:fludt:2017",
    "1.2.250.1.213.1.1.1.24": "urn:asip:ci-sis:fludr:2017",
    "1.2.250.1.213.1.1.1.13": "urn:asip:ci-sis:vsm:2012",
    "1.2.250.1.213.1.1.1.58": "urn:asip:ci-sis:export-dui:2023",
}
N1_FORMATS = {
    "application/pdf": "urn:ihe:iti:xds-sd:pdf:2008",
    "text/plain": "urn:ihe:iti:xds-sd:text:2008",
    "image/jpeg": "urn:ihe:iti-fr:xds-sd:jpeg:2010",
    "image/tiff": "urn:ihe:iti-fr:xds-sd:tiff:2010",
    "text/rtf": "urn:ihe:iti-fr:xds-sd:rtf:2010",
}
CONFIDENTIALITY_SYSTEM = "2.16.840.1.113883.5.25"
CDA_NS_MAP = {"cda": "urn:hl7-org:v3"}
_TS = re.compile(r"^(\d{4,14})(?:\.\d+)?([+-]\d{4})?$")


def _f(rule: str, requirement: str, message: str, location: str, severity: Severity = Severity.ERROR) -> Finding:
    return Finding(rule, requirement, message, severity, location)


def _body_media_type(root: etree._Element) -> tuple[str, str]:
    found = root.xpath("cda:component/cda:nonXMLBody/cda:text", namespaces=CDA_NS_MAP)
    if not found:
        return "", ""
    text = found[0]
    return text.get("mediaType", ""), text.get("representation", "")


def expected_format(report: CdaReport) -> tuple[str | None, str]:
    """``(formatCode, why)`` the CDA content model calls for; None when the model is not known."""
    templates = set(report.header.template_ids)
    if XDS_SD_TEMPLATE in templates:
        media = _body_media_type(report.root)[0] if report.root is not None else ""
        fmt = N1_FORMATS.get(media)
        return fmt, f"unstructured document (templateId {XDS_SD_TEMPLATE}) with a {media or 'missing'} body"
    models = sorted({FORMAT_BY_TEMPLATE[t] for t in templates if t in FORMAT_BY_TEMPLATE})
    if len(models) == 1:
        model = next(t for t in templates if t in FORMAT_BY_TEMPLATE)
        return models[0], f"content model templateId {model}"
    return None, "no known content model templateId" if not models else f"several content models {models}"


def to_utc(value: str) -> str | None:
    """A CDA TS (``YYYYMMDDhhmmss+hhmm``) in UTC as an XDS DTM; None when it has no time zone."""
    match = _TS.match(value)
    if match is None:
        return None
    digits, zone = match.groups()
    if zone is None:
        return digits if len(digits) <= 8 else None
    if len(digits) < 12:
        return None
    moment = dt.datetime.strptime(digits[:14].ljust(14, "0"), "%Y%m%d%H%M%S")
    offset = dt.timedelta(hours=int(zone[1:3]), minutes=int(zone[3:5])) * (1 if zone[0] == "+" else -1)
    utc = (moment - offset).strftime("%Y%m%d%H%M%S")
    return utc[: len(digits)]


@rule("xds.n1", requirement="DMP-DOC-02", summary="an N1 document carries the templates and body of its model")
def _n1(report: CdaReport, doc: RegistryObject) -> list[Finding]:
    templates = report.header.template_ids
    if XDS_SD_TEMPLATE not in templates:
        return []
    findings = []
    extra = [t for t in templates if t not in N1_TEMPLATES]
    if extra:
        findings.append(
            _f(
                "xds.n1.templates",
                "DMP-DOC-02",
                f"Dans un document CDA non structuré, le templateId {XDS_SD_TEMPLATE} accompagne seulement "
                f"2.16.840.1.113883.2.8.2.1 et 1.2.250.1.213.1.1.1.1: extra templateId(s) {', '.join(extra)}",
                "/ClinicalDocument/templateId",
            )
        )
    media, representation = _body_media_type(report.root) if report.root is not None else ("", "")
    if not media or representation != "B64":
        findings.append(
            _f(
                "xds.n1.body",
                "DMP-DOC-02",
                "an unstructured document needs component/nonXMLBody/text with a mediaType and "
                f"representation='B64' (found mediaType={media!r}, representation={representation!r})",
                "/ClinicalDocument/component/nonXMLBody/text",
            )
        )
    return findings


@rule("xds.hash", requirement="DMP-CON-07", summary="hash metadata = SHA-1 of the document")
@rule("xds.size", requirement="DMP-CON-07", summary="size metadata = length of the document")
@rule("xds.patient", requirement="DMP-CON-01", summary="the document names the patient of the metadata (INS)")
@rule("xds.type_code", requirement="DMP-CON-02", summary="typeCode = the document's code")
@rule("xds.format_code", requirement="DMP-CON-03", summary="formatCode = the document's content model")
@rule("xds.creation_time", requirement="DMP-CON-04", summary="creationTime = the document's effectiveTime")
@rule("xds.language", requirement="DMP-CON-04", summary="languageCode = the document's languageCode")
@rule("xds.confidentiality", requirement="DMP-CON-05", summary="confidentialityCode = the document's")
@rule("xds.unique_id", requirement="DMP-CON-06", summary="uniqueId = the document's id")
@rule("xds.mime_type", requirement="DMP-XDS-02", summary="mimeType of a CDA document")
def check_consistency(doc: RegistryObject, content: bytes, report: CdaReport) -> list[Finding]:
    """Compare one DocumentEntry with the bytes sent and, for a CDA, its header."""
    findings: list[Finding] = []
    at = doc.location
    digest = hashlib.sha1(content).hexdigest()
    if doc.slot("hash") and doc.slot("hash").lower() != digest:
        findings.append(
            _f(
                "xds.hash",
                "DMP-CON-07",
                f"hash slot {doc.slot('hash')} is not the SHA-1 of the document sent ({digest})",
                f"{at}/rim:Slot[@name='hash']",
            )
        )
    if doc.slot("size") and doc.slot("size") != str(len(content)):
        findings.append(
            _f(
                "xds.size",
                "DMP-CON-07",
                f"size slot {doc.slot('size')} differs from the {len(content)} bytes of the document sent",
                f"{at}/rim:Slot[@name='size']",
            )
        )
    if report.root is None or not report.header.code:
        return findings
    header = report.header
    patient = doc.identifiers.get(DE.PATIENT_ID, "")
    cx, _ = parse_cx(patient) if patient else (None, [])
    where_pid = doc.identifier_locations.get(DE.PATIENT_ID, at)
    if not header.ins:
        findings.append(
            _f(
                "xds.patient.no_ins",
                "DMP-CON-01",
                "the CDA recordTarget carries no INS (OID "
                "1.2.250.1.213.1.4.8/.9/.10/.11): a document fed to the DMP is indexed by the INS",
                "/ClinicalDocument/recordTarget/patientRole/id",
            )
        )
    elif cx is not None and (cx.id != header.ins or cx.oid != header.ins_oid):
        findings.append(
            _f(
                "xds.patient.mismatch",
                "DMP-CON-01",
                f"patientId {patient!r} is not the INS of the CDA recordTarget ({header.ins}, OID {header.ins_oid})",
                where_pid,
            )
        )
    type_code = doc.code("typeCode")
    if type_code is not None and (type_code.code, type_code.scheme) != (header.code, header.code_system):
        findings.append(
            _f(
                "xds.type_code",
                "DMP-CON-02",
                f"typeCode {type_code.code} ({type_code.scheme}) differs "
                f"from the CDA code {header.code} ({header.code_system})",
                type_code.location,
            )
        )
    fmt = doc.code("formatCode")
    expected, why = expected_format(report)
    if fmt is not None and expected is not None and fmt.code != expected:
        findings.append(
            _f(
                "xds.format_code",
                "DMP-CON-03",
                f"formatCode {fmt.code} does not match the document: {why} calls for {expected}",
                fmt.location,
            )
        )
    elif fmt is not None and expected is None and XDS_SD_TEMPLATE not in header.template_ids:
        findings.append(
            _f(
                "xds.format_code.unknown_model",
                "DMP-CON-03",
                f"formatCode {fmt.code} not judged: {why}",
                fmt.location,
                Severity.INFO,
            )
        )
    created = doc.slot("creationTime")
    utc = to_utc(header.effective_time)
    if created and utc and not (utc.startswith(created) or created.startswith(utc)):
        findings.append(
            _f(
                "xds.creation_time",
                "DMP-CON-04",
                f"creationTime {created} is not the CDA effectiveTime {header.effective_time} in UTC ({utc})",
                f"{at}/rim:Slot[@name='creationTime']",
            )
        )
    language = doc.slot("languageCode")
    if language and header.language and language != header.language:
        findings.append(
            _f(
                "xds.language",
                "DMP-CON-04",
                f"languageCode {language} differs from the CDA languageCode {header.language}",
                f"{at}/rim:Slot[@name='languageCode']",
            )
        )
    codes = [c for c in doc.codes.get("confidentialityCode", []) if c.scheme == CONFIDENTIALITY_SYSTEM]
    if header.confidentiality and codes and codes[0].code != header.confidentiality:
        findings.append(
            _f(
                "xds.confidentiality",
                "DMP-CON-05",
                f"confidentialityCode {codes[0].code} differs from "
                f"the CDA confidentialityCode {header.confidentiality}",
                codes[0].location,
            )
        )
    elif header.confidentiality and doc.codes.get("confidentialityCode") and not codes:
        findings.append(
            _f(
                "xds.confidentiality",
                "DMP-CON-05",
                "no confidentialityCode of 2.16.840.1.113883.5.25 "
                f"carries the CDA confidentialityCode {header.confidentiality}",
                at,
            )
        )
    unique = doc.identifiers.get(DE.UNIQUE_ID, "")
    if unique and header.document_id and unique != header.document_id:
        findings.append(
            _f(
                "xds.unique_id",
                "DMP-CON-06",
                f"uniqueId {unique} is not the CDA ClinicalDocument id {header.document_id}",
                doc.identifier_locations[DE.UNIQUE_ID],
            )
        )
    if doc.mime_type and doc.mime_type != "text/xml":
        findings.append(
            _f("xds.mime_type", "DMP-XDS-02", f"mimeType {doc.mime_type!r}: a CDA document is text/xml", at)
        )
    findings += _n1(report, doc)
    return findings
