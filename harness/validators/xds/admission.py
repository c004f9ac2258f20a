"""What the DMP admits before anything else: MTOM transport, INS patient ids, CDA documents.

Beside the XDS.b metadata rules (:mod:`.rules`) and the CDA ↔ metadata consistency
(:mod:`.consistency`), three facts the DMP simulator checks on every submission of a DUI
(:func:`mocks.dmp.iti41.handle`), each a finding on its requirement:

* ``xds.transport.mtom`` (DMP-XDS-01): ITI-41 goes as SOAP 1.2 with MTOM/XOP (IHE ITI TF-2b
  §3.41.5.1: "shall use MTOM/XOP"; the CI-SIS Partage de documents de santé keeps it); a document
  inlined in base64 in a plain SOAP message is refused;
* ``xds.patient_id.ins`` (DMP-CON-01): the SubmissionSet and DocumentEntry patientId are an INS
  (``<INS>^^^&<OID INS>&ISO[^NH]``, OID 1.2.250.1.213.1.4.8/.9/.10/.11), never a local IPP or
  another domain's identifier, even when the document carries the same id;
* ``xds.document.cda`` (DMP-DOC-03): each document is a CDA R2 ``ClinicalDocument`` sent as
  ``text/xml`` (a PDF goes inside an N1 CDA, XDS-SD): a bare PDF or a FHIR JSON resource is refused.
"""

from __future__ import annotations

from collections.abc import Mapping

from harness.core.findings import Finding, Severity
from harness.core.ins import INS_OIDS
from harness.core.rules import rule
from harness.validators.cda import CdaReport
from harness.validators.xds.ebrim import DE, SS, Submission
from harness.validators.xds.formats import parse_cx
from harness.validators.xds.mime import SoapMessage

__all__ = ["CDA_ROOT", "check_admission", "check_cda_documents", "check_ins_patient_ids", "check_mtom"]

CDA_ROOT = "{urn:hl7-org:v3}ClinicalDocument"


@rule(
    "xds.transport.mtom",
    requirement="DMP-XDS-01",
    summary="ITI-41 (ITI-43: DMP-GET-02) sent as SOAP 1.2 MTOM/XOP",
    also=("DMP-GET-02",),
)
def check_mtom(message: SoapMessage, transaction: str = "ITI-41", requirement: str = "DMP-XDS-01") -> list[Finding]:
    """A finding when the request is plain SOAP, not MTOM/XOP (multipart/related, application/xop+xml)."""
    if message.mtom:
        return []
    return [
        Finding(
            "xds.transport.mtom",
            requirement,
            f"{transaction} envoyée sans MTOM / sent without MTOM/XOP: the DMP requires SOAP 1.2 MTOM "
            '(multipart/related; type="application/xop+xml", documents as binary parts)',
            Severity.ERROR,
            "HTTP Content-Type",
        )
    ]


@rule("xds.patient_id.ins", requirement="DMP-CON-01", summary="patientId is an INS (INS assigning authority)")
def check_ins_patient_ids(submission: Submission) -> list[Finding]:
    """A finding for each SubmissionSet or DocumentEntry patientId that is not an INS."""
    findings = []
    for objects, scheme in ((submission.submission_sets, SS.PATIENT_ID), (submission.documents, DE.PATIENT_ID)):
        for obj in objects:
            value = obj.identifiers.get(scheme, "")
            cx, problems = parse_cx(value) if value else (None, [])
            if not value or (cx is not None and not problems and cx.oid in INS_OIDS and cx.type in ("", "NH")):
                continue  # absent: xds.patient_id.missing (DMP-XDS-02); malformed: xds.format (DMP-XDS-05)
            if cx is None or problems:
                continue
            findings.append(
                Finding(
                    "xds.patient_id.ins",
                    "DMP-CON-01",
                    f"patientId {value!r} n'est pas un INS / is not an INS: the DMP indexes documents by the INS "
                    f"(OID {', '.join(sorted(INS_OIDS))}, type NH), not by {cx.oid}",
                    Severity.ERROR,
                    obj.identifier_locations.get(scheme, obj.location),
                )
            )
    return findings


@rule("xds.document.cda", requirement="DMP-DOC-03", summary="each document is a CDA R2 ClinicalDocument (text/xml)")
def check_cda_documents(
    submission: Submission, documents: Mapping[str, bytes], cda: Mapping[str, CdaReport]
) -> list[Finding]:
    """A finding for each document that is not a CDA R2 ``ClinicalDocument`` sent as ``text/xml``."""
    findings = []
    for entry in submission.documents:
        content = documents.get(entry.id)
        if content is None:
            continue  # xds.structure.document_missing
        report = cda.get(entry.id)
        root = report.root if report is not None else None
        if root is not None and root.tag == CDA_ROOT:
            continue  # a CDA with another mimeType: xds.mime_type (DMP-XDS-02)
        if (
            entry.mime_type in ("text/xml", "")
            and report is not None
            and root is None
            and not _sniff(content).startswith(("PDF", "JSON"))
        ):
            continue  # unreadable XML: the CDA validation says why (DMP-DOC-01)
        what = _sniff(content)
        findings.append(
            Finding(
                "xds.document.cda",
                "DMP-DOC-03",
                f"le document {entry.id} n'est pas un CDA / is not a CDA R2 document: mimeType "
                f"{entry.mime_type or '(none)'}, content {what}; the DMP takes CDA R2 (text/xml), a PDF inside an "
                "N1 CDA (XDS-SD)",
                Severity.ERROR,
                f"{entry.location}/@mimeType",
            )
        )
    return findings


def _sniff(content: bytes) -> str:
    head = content[:64].lstrip()
    if head.startswith(b"%PDF"):
        return "PDF"
    if head.startswith((b"{", b"[")):
        return "JSON"
    if head.startswith(b"<"):
        return "XML without a CDA ClinicalDocument root"
    return f"{len(content)} bytes of unknown type"


def check_admission(
    message: SoapMessage, submission: Submission | None, documents: Mapping[str, bytes], cda: Mapping[str, CdaReport]
) -> list[Finding]:
    """Every admission check of one ITI-41 submission (see the module doc)."""
    findings = check_mtom(message)
    if submission is not None:
        findings += check_ins_patient_ids(submission) + check_cda_documents(submission, documents, cda)
    return findings
