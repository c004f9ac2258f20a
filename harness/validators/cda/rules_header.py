"""Embedded rules of the CI-SIS *structuration minimale* header (requirement CDA-HDR-01).

Written by the project from the facts of the volet Structuration minimale des documents de
santé and its schematron (``ASIP-STRUCT-MIN``, template ``1.2.250.1.213.1.1.1.1``, rule
``SMDS_CDAClinicalDocument``): the header elements [1..1], the two conformance templateIds
plus the one of the content model, the language and confidentiality codes, the TS format of
``effectiveTime``, a positive ``versionNumber``, and the header parts every document carries
(author, custodian, legalAuthenticator with signatureCode S, documentationOf/serviceEvent with
its effectiveTime and performer, componentOf/encompassingEncounter).
"""

from __future__ import annotations

import re

from lxml import etree

from harness.core.findings import Finding
from harness.core.rules import rule
from harness.validators.cda.common import xp

__all__ = ["REQ_HEADER", "check_header"]

REQ_HEADER = "CDA-HDR-01"
HL7_FRANCE, CI_SIS = "2.16.840.1.113883.2.8.2.1", "1.2.250.1.213.1.1.1.1"
CONFIDENTIALITY_SYSTEM = "2.16.840.1.113883.5.25"
_TS = re.compile(r"^\d{4,14}(\.\d{1,4})?([+-]\d{4})?$")
_LANGUAGE = re.compile(r"^[a-z]{2}-[A-Z]{2}$")

#: XPath (relative to ClinicalDocument) -> (label, at most one)
_REQUIRED: dict[str, tuple[str, bool]] = {
    "cda:realmCode[@code='FR']": ("realmCode@code='FR'", True),
    "cda:typeId[@root='2.16.840.1.113883.1.3' and @extension='POCD_HD000040']": ("typeId POCD_HD000040", True),
    "cda:id[@root]": ("id@root", True),
    "cda:code[@code]": ("code (type of document)", True),
    "cda:title": ("title", True),
    "cda:effectiveTime[@value]": ("effectiveTime", True),
    "cda:confidentialityCode[@code]": ("confidentialityCode", True),
    "cda:languageCode[@code]": ("languageCode", True),
    "cda:setId[@root]": ("setId", True),
    "cda:versionNumber[@value]": ("versionNumber", True),
    "cda:recordTarget[cda:patientRole/cda:patient]": ("recordTarget/patientRole/patient", True),
    "cda:author[cda:assignedAuthor]": ("author/assignedAuthor", False),
    "cda:custodian[cda:assignedCustodian]": ("custodian/assignedCustodian", True),
    "cda:legalAuthenticator[cda:signatureCode[@code='S']]": ("legalAuthenticator with signatureCode S", True),
    "cda:documentationOf[cda:serviceEvent]": ("documentationOf/serviceEvent", False),
    "cda:componentOf[cda:encompassingEncounter]": ("componentOf/encompassingEncounter", True),
}


def _finding(rule: str, message: str, where: str) -> Finding:
    return Finding(rule, REQ_HEADER, message, location=f"/ClinicalDocument{where}")


@rule(
    "cda.header.templates",
    requirement=REQ_HEADER,
    summary="the HL7 France and CI-SIS templateIds once each, and one of a content model",
)
def _templates(root: etree._Element) -> list[Finding]:
    roots = [str(r) for r in xp(root, "cda:templateId/@root")]
    found = []
    for oid, label in ((HL7_FRANCE, "HL7 France"), (CI_SIS, "CI-SIS")):
        if roots.count(oid) != 1:
            found.append(
                _finding(
                    "cda.header.templates",
                    f"templateId {oid} ({label}) must appear exactly once (found {roots.count(oid)})",
                    "/templateId",
                )
            )
    if not [r for r in roots if r not in (HL7_FRANCE, CI_SIS)]:
        found.append(
            _finding(
                "cda.header.templates",
                "no templateId of a content model (or of IHE XDS-SD for an "
                "unstructured document) besides the HL7 France and CI-SIS ones",
                "/templateId",
            )
        )
    return found


@rule("cda.header.language", requirement=REQ_HEADER, summary="languageCode of the form fr-FR")
@rule(
    "cda.header.confidentiality", requirement=REQ_HEADER, summary="confidentialityCode N, R or V of HL7 Confidentiality"
)
@rule("cda.header.effective-time", requirement=REQ_HEADER, summary="effectiveTime is an HL7 TS")
@rule("cda.header.version", requirement=REQ_HEADER, summary="versionNumber is a positive integer")
@rule(
    "cda.header.service-event",
    requirement=REQ_HEADER,
    summary="documentationOf[1]/serviceEvent has one effectiveTime and one performer",
)
def _values(root: etree._Element) -> list[Finding]:
    found = []
    language = xp(root, "string(cda:languageCode/@code)")[0]
    if language and not _LANGUAGE.match(str(language)):
        found.append(
            _finding("cda.header.language", f"languageCode {language!r} is not of the form 'fr-FR'", "/languageCode")
        )
    confidentiality = xp(root, "cda:confidentialityCode")
    if confidentiality:
        code, system = confidentiality[0].get("code", ""), confidentiality[0].get("codeSystem", "")
        if system != CONFIDENTIALITY_SYSTEM or code not in ("N", "R", "V"):
            found.append(
                _finding(
                    "cda.header.confidentiality",
                    f"confidentialityCode {code!r} of {system!r}: expected N, R or V of {CONFIDENTIALITY_SYSTEM}",
                    "/confidentialityCode",
                )
            )
    effective = str(xp(root, "string(cda:effectiveTime/@value)")[0])
    if effective and not _TS.match(effective):
        found.append(
            _finding(
                "cda.header.effective-time",
                f"effectiveTime {effective!r} is not an HL7 TS (YYYYMMDDHHMMSS+ZZZZ)",
                "/effectiveTime",
            )
        )
    version = str(xp(root, "string(cda:versionNumber/@value)")[0])
    if version and not (version.isdigit() and int(version) >= 1):
        found.append(
            _finding("cda.header.version", f"versionNumber {version!r} is not a positive integer", "/versionNumber")
        )
    if xp(root, "cda:documentationOf[cda:serviceEvent]"):
        event = "cda:documentationOf[1]/cda:serviceEvent"
        for part in ("effectiveTime", "performer"):
            if len(xp(root, f"{event}/cda:{part}")) != 1:
                found.append(
                    _finding(
                        "cda.header.service-event",
                        f"documentationOf[1]/serviceEvent must have one {part} (acte principal)",
                        f"/documentationOf/serviceEvent/{part}",
                    )
                )
    return found


@rule("cda.header.required", requirement=REQ_HEADER, summary="the structuration minimale header elements are present")
@rule("cda.header.cardinality", requirement=REQ_HEADER, summary="the [1..1] header elements appear once")
def check_header(root: etree._Element) -> list[Finding]:
    """The structuration minimale header rules on a ``ClinicalDocument``."""
    found = []
    for path, (label, single) in _REQUIRED.items():
        count = len(xp(root, path))
        where = "/" + path.split("[")[0].replace("cda:", "")
        if count == 0:
            found.append(
                _finding(
                    "cda.header.required",
                    f"the CDA header has no {label} (structuration minimale: [1..1])"
                    if single
                    else f"the CDA header has no {label} ([1..*])",
                    where,
                )
            )
        elif single and count > 1:
            found.append(
                _finding(
                    "cda.header.cardinality", f"{label} appears {count} times (structuration minimale: [1..1])", where
                )
            )
    return found + _templates(root) + _values(root)
