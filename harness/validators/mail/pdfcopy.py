"""The PDF/A-1 copies of a document message: one per CDA of the IHE_XDM archive, each judged.

SC.MSS/CONF.23, SC.MSS.17.MS1, SC.MSS.18.MS1: a message carrying documents carries the same
documents in PDF/A-1 next to IHE_XDM.ZIP (``MSS-PDF-01``). Each PDF is paired with the CDA of
the same rank in the archive (the first PDF with the first CDA…) and judged by
:func:`harness.validators.pdf.validate_pdf` against that CDA's identity (SC.CDA/DD.12: the
same data).
"""

from __future__ import annotations

from collections.abc import Sequence

from harness.core.findings import Finding
from harness.core.rules import rule
from harness.validators.cda import CdaReport
from harness.validators.mail.mime import Attachment, ParsedMessage
from harness.validators.mail.xdm import qualified_ins
from harness.validators.pdf import InsIdentity, PdfReport, validate_pdf

__all__ = ["REQ_PDF_COPY", "check_pdf_copies", "identity_of", "is_pdf_attachment"]

REQ_PDF_COPY = "MSS-PDF-01"


def is_pdf_attachment(attachment: Attachment) -> bool:
    return attachment.content_type == "application/pdf" or attachment.filename.lower().endswith(".pdf")


def identity_of(cda: CdaReport) -> InsIdentity:
    """The identity the PDF copy of ``cda`` must show: INS only when the CDA's INS is qualified."""
    h = cda.header
    qualified = qualified_ins(cda)
    return InsIdentity(
        ins=h.ins if qualified else "",
        ins_oid=h.ins_oid if qualified else "",
        birth_name=h.birth_name,
        first_names=h.first_names,
        first_name=h.first_name,
        sex=h.sex,
        birth_date=h.birth_time[:8],
        birth_place=h.birth_place,
    )


@rule(
    "mss.pdf",
    requirement=REQ_PDF_COPY,
    summary="the documents of the IHE_XDM archive also attached as PDF/A-1 (SC.MSS/CONF.23)",
)
def check_pdf_copies(parsed: ParsedMessage, cdas: Sequence[CdaReport]) -> tuple[list[PdfReport], list[Finding]]:
    """Judge the PDF attachments of a message whose archive holds ``cdas``; a finding when some are missing."""
    pdfs = [a for a in parsed.attachments if is_pdf_attachment(a)]
    findings: list[Finding] = []
    if cdas and len(pdfs) < len(cdas):
        findings.append(
            Finding(
                "mss.pdf.missing",
                REQ_PDF_COPY,
                f"{len(cdas)} CDA document(s) in IHE_XDM.ZIP but "
                f"{len(pdfs)} PDF/A-1 attachment(s): every document travels in PDF/A-1 too "
                "(SC.MSS/CONF.23, SC.MSS.17.MS1, SC.MSS.18.MS1)",
                location="attachments",
            )
        )
    reports = []
    for index, attachment in enumerate(pdfs):
        identity = identity_of(cdas[index]) if index < len(cdas) else None
        report = validate_pdf(
            attachment.data, identity=identity, location=f"{attachment.location} {attachment.filename}".strip()
        )
        reports.append(report)
        findings += report.findings
    return reports, findings
