"""XDS.b metadata validation for DMP feeding: one ITI-41 message in, findings out.

``validate_submission(body, content_type)`` reads an ITI-41 *Provide and Register Document
Set-b* request (inline SOAP 1.2 or MTOM/XOP), checks its metadata (:mod:`.rules`), extracts
each document, validates every CDA document with :func:`harness.validators.cda.validate_cda`
and compares each DocumentEntry with its document (:mod:`.consistency`). The DMP simulator,
the DMP suite and ``dui-harness validate xds`` share it. The VIHF is checked by
:mod:`.vihf` (it needs the trusted CA).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from harness.core.findings import Finding, Severity
from harness.core.rules import rule
from harness.validators.cda import CdaHeader, CdaReport, validate_cda
from harness.validators.soap12 import Envelope, SoapError, parse_envelope
from harness.validators.xds.consistency import check_consistency
from harness.validators.xds.ebrim import NS, Submission, read_submission
from harness.validators.xds.mime import MimeError, SoapMessage, document_bytes, split_message
from harness.validators.xds.rules import check_submission
from harness.validators.xds.valuesets import Pack

__all__ = ["ACTION_ITI41", "XdsReport", "check_iti41", "read_envelope", "validate_submission"]

ACTION_ITI41 = "urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-b"
MAX_ENVELOPE_BYTES = 20 * 1024 * 1024


@dataclass
class XdsReport:
    """The outcome of validating one ITI-41 message."""

    message: SoapMessage | None = None
    envelope: Envelope | None = None
    submission: Submission | None = None
    documents: dict[str, bytes] = field(default_factory=dict)
    cda: dict[str, CdaReport] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(f.severity is Severity.ERROR for f in self.findings)

    def errors(self, requirement: str | None = None) -> list[Finding]:
        return [
            f
            for f in self.findings
            if f.severity is Severity.ERROR and (requirement is None or f.requirement == requirement)
        ]


def _fail(report: XdsReport, rule: str, message: str, location: str) -> XdsReport:
    report.findings.append(Finding(rule, "DMP-XDS-01", message, Severity.ERROR, location))
    return report


@rule(
    "xds.mime", requirement="DMP-XDS-01", summary="MTOM/XOP message readable (multipart/related, XOP includes resolved)"
)
@rule("xds.soap", requirement="DMP-XDS-01", summary="a SOAP 1.2 envelope")
def read_envelope(body: bytes, content_type: str | None, report: XdsReport) -> etree._Element | None:
    """Split the MIME layer and parse the envelope; findings on the report when impossible."""
    try:
        report.message = split_message(body, content_type)
    except MimeError as exc:
        _fail(report, "xds.mime", f"MTOM/XOP message unreadable: {exc.reason}", exc.location or "MIME")
        return None
    try:
        report.envelope = parse_envelope(report.message.envelope, max_bytes=MAX_ENVELOPE_BYTES)
    except SoapError as exc:
        _fail(report, "xds.soap", f"not a SOAP 1.2 envelope: {exc}", exc.location or "/")
        return None
    return report.envelope.body_child


def validate_submission(
    body: bytes, content_type: str | None = None, *, pack: Pack = None, validate_documents: bool = True
) -> XdsReport:
    """Validate an ITI-41 request (HTTP body and its Content-Type).

    Args:
        body: the HTTP body (SOAP envelope, or the whole multipart/related MTOM body).
        content_type: the HTTP ``Content-Type`` (None: the body is a bare SOAP envelope).
        pack: CI-SIS artefact pack (value sets, and the schematrons used by ``validate_cda``).
        validate_documents: False skips the CDA validation of the documents (their
            metadata consistency is still checked).
    """
    report = XdsReport()
    if read_envelope(body, content_type, report) is None:
        return report
    assert report.message is not None and report.envelope is not None
    return check_iti41(report.message, report.envelope, pack=pack, validate_documents=validate_documents, report=report)


@rule(
    "xds.iti41",
    requirement="DMP-XDS-01",
    summary="an ITI-41 ProvideAndRegisterDocumentSetRequest with its SubmitObjectsRequest",
)
@rule("xds.document", requirement="DMP-XDS-01", summary="each xdsb:Document readable")
def check_iti41(
    message: SoapMessage,
    envelope: Envelope,
    *,
    pack: Pack = None,
    validate_documents: bool = True,
    report: XdsReport | None = None,
) -> XdsReport:
    """Validate an ITI-41 request already split (:func:`split_message`) and parsed (SOAP 1.2)."""
    report = report or XdsReport(message=message, envelope=envelope)
    request = envelope.body_child
    if request.tag != f"{{{NS['xdsb']}}}ProvideAndRegisterDocumentSetRequest":
        return _fail(
            report,
            "xds.iti41.body",
            f"the SOAP Body holds {request.tag}, not xdsb:ProvideAndRegisterDocumentSetRequest (ITI-41)",
            "/soap:Envelope/soap:Body",
        )
    submit = request.find(f"{{{NS['lcm']}}}SubmitObjectsRequest")
    if submit is None:
        return _fail(
            report,
            "xds.iti41.submit",
            "ProvideAndRegisterDocumentSetRequest has no lcm:SubmitObjectsRequest",
            "/soap:Envelope/soap:Body/xdsb:ProvideAndRegisterDocumentSetRequest",
        )
    report.submission = read_submission(submit)
    for document in request.findall(f"{{{NS['xdsb']}}}Document"):
        doc_id = document.get("id", "")
        try:
            report.documents[doc_id] = document_bytes(document, message)
        except MimeError as exc:
            _fail(
                report,
                "xds.document.content",
                f"xdsb:Document id={doc_id!r}: {exc.reason}",
                f"/xdsb:ProvideAndRegisterDocumentSetRequest/xdsb:Document[@id='{doc_id}']",
            )
    report.findings += check_submission(report.submission, report.documents.keys(), pack)
    for entry in report.submission.documents:
        content = report.documents.get(entry.id)
        if content is None:
            continue
        cda = validate_cda(content, pack=pack) if entry.mime_type in ("text/xml", "") else None
        if cda is not None:
            report.cda[entry.id] = cda
            if validate_documents:
                report.findings += [_as_document_finding(f, entry.id) for f in cda.findings]
        report.findings += check_consistency(entry, content, cda or CdaReport(header=CdaHeader()))
    return report


def _as_document_finding(finding: Finding, entry_id: str) -> Finding:
    """A CDA finding, placed in the document it comes from (its requirement is kept)."""
    return Finding(
        finding.rule,
        finding.requirement,
        finding.message,
        finding.severity,
        f"document {entry_id}: {finding.location}",
        finding.evidence,
    )
