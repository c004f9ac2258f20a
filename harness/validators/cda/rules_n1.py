"""Embedded rules of unstructured (level 1, "N1") CDA documents (requirement CDA-N1-01).

From the volet Structuration minimale (rule ``SMDS_CDAClinicalDocument``): in an unstructured
document the templateId ``1.3.6.1.4.1.19376.1.2.20`` (IHE XDS-SD) replaces the one of the
content model, it is mandatory, and only the three templateIds ``1.3.6.1.4.1.19376.1.2.20``,
``2.16.840.1.113883.2.8.2.1`` and ``1.2.250.1.213.1.1.1.1`` are allowed. From IHE XDS-SD and the
CI-SIS example ``DOC_NON_STRUCTURE_CDA-R2-N1``: the body is ``component/nonXMLBody/text`` with
``representation="B64"`` and ``mediaType`` ``application/pdf`` (formatCode
``urn:ihe:iti:xds-sd:pdf:2008``) or ``text/plain`` (``urn:ihe:iti:xds-sd:text:2008``); the
content must be base64 and, for a PDF, a PDF.
"""

from __future__ import annotations

import base64
import binascii
import re

from lxml import etree

from harness.core.findings import Finding
from harness.core.rules import rule
from harness.validators.cda.common import xp
from harness.validators.cda.rules_header import CI_SIS, HL7_FRANCE

__all__ = ["REQ_N1", "XDS_SD", "check_n1"]

REQ_N1 = "CDA-N1-01"
XDS_SD = "1.3.6.1.4.1.19376.1.2.20"
ALLOWED = {XDS_SD, HL7_FRANCE, CI_SIS}
MEDIA_TYPES = ("application/pdf", "text/plain")
_SPACE = re.compile(rb"\s+")


def _finding(rule: str, message: str, where: str) -> Finding:
    return Finding(rule, REQ_N1, message, location=f"/ClinicalDocument{where}")


@rule("cda.n1.media-type", requirement=REQ_N1, summary="nonXMLBody/text mediaType is PDF or plain text")
@rule("cda.n1.representation", requirement=REQ_N1, summary="nonXMLBody/text is in base64 (representation B64)")
@rule("cda.n1.base64", requirement=REQ_N1, summary="nonXMLBody/text is non-empty valid base64")
@rule("cda.n1.pdf", requirement=REQ_N1, summary="a PDF body decodes to a PDF")
def _content(text: etree._Element) -> list[Finding]:
    where = "/component/nonXMLBody/text"
    media, representation = text.get("mediaType", ""), text.get("representation", "")
    found = []
    if media not in MEDIA_TYPES:
        found.append(
            _finding(
                "cda.n1.media-type",
                f"nonXMLBody/text@mediaType is {media or 'absent'}; expected {' or '.join(MEDIA_TYPES)} (IHE XDS-SD)",
                where,
            )
        )
    if representation != "B64":
        found.append(
            _finding(
                "cda.n1.representation",
                f"nonXMLBody/text@representation is {representation or 'absent'}; expected B64",
                where,
            )
        )
        return found
    raw = _SPACE.sub(b"", (text.text or "").encode("ascii", "replace"))
    try:
        decoded = base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError):
        return [*found, _finding("cda.n1.base64", "nonXMLBody/text is not valid base64", where)]
    if not decoded:
        found.append(_finding("cda.n1.base64", "nonXMLBody/text is empty", where))
    elif media == "application/pdf" and not decoded.startswith(b"%PDF-"):
        found.append(
            _finding(
                "cda.n1.pdf",
                "nonXMLBody/text@mediaType is application/pdf but the decoded content "
                f"does not start with %PDF- (starts with {decoded[:8]!r})",
                where,
            )
        )
    return found


@rule("cda.n1.body", requirement=REQ_N1, summary="an XDS-SD document has a nonXMLBody")
@rule("cda.n1.template", requirement=REQ_N1, summary="an unstructured document carries the IHE XDS-SD templateId")
@rule("cda.n1.templates", requirement=REQ_N1, summary="an unstructured document carries exactly the three templateIds")
@rule("cda.n1.text", requirement=REQ_N1, summary="nonXMLBody has a text element")
def check_n1(root: etree._Element) -> list[Finding]:
    """Rules of level 1 documents: applied when the document has a nonXMLBody or the XDS-SD templateId."""
    roots = [str(r) for r in xp(root, "cda:templateId/@root")]
    body = xp(root, "cda:component/cda:nonXMLBody")
    if XDS_SD not in roots and not body:
        return []
    found = []
    if not body:
        found.append(
            _finding(
                "cda.n1.body", f"templateId {XDS_SD} (document non structuré) but no component/nonXMLBody", "/component"
            )
        )
    if XDS_SD not in roots:
        found.append(
            _finding(
                "cda.n1.template",
                f'Dans un document CDA non structuré, le templateId "{XDS_SD}" est obligatoire',
                "/templateId",
            )
        )
    extra = [r for r in roots if r not in ALLOWED]
    if extra or len(roots) != 3:
        found.append(
            _finding(
                "cda.n1.templates",
                f"Dans un document CDA non structuré, le templateId {XDS_SD} "
                "remplace le templateId du volet et seuls les trois templateId "
                f'"{XDS_SD}", "{HL7_FRANCE}" et "{CI_SIS}" sont admis (found: '
                f"{', '.join(roots)})",
                "/templateId",
            )
        )
    texts = xp(root, "cda:component/cda:nonXMLBody/cda:text")
    if body and not texts:
        found.append(_finding("cda.n1.text", "component/nonXMLBody has no text element", "/component/nonXMLBody"))
    if texts:
        found += _content(texts[0])
    return found
