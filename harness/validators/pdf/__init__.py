"""PDF/A-1 copies of documents: PDF/A-1 constraints, the identity block and the INS datamatrix.

``validate_pdf(data, identity=…)`` judges one PDF: the PDF/A-1 identification and basic
constraints (:mod:`.pdfa`, requirement ``MSS-PDF-02``), the identity block a reader sees
(traits minimaux, matricule INS and its nature: SC.INS.55, ``MSS-PDF-03``) and the INS
datamatrix (:mod:`.ins_datamatrix`, SC.INS.57 / SC.DOC.03.MS1, ``MSS-PDF-04``) against the
identity of the document's CDA (or, offline without a CDA, against the symbol itself). A reading
this machine cannot do (no renderer, no Data Matrix decoder: :mod:`.render`) leaves its
requirement *not judged* (:attr:`PdfReport.not_judged`), never failed and never passed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from harness.core.findings import Finding
from harness.core.rules import rule
from harness.errors import InputError
from harness.validators.broken import broken_document, oversized_document
from harness.validators.input_file import OversizedInput, read_input_file
from harness.validators.pdf.ins_datamatrix import (
    GS,
    REQ_DATAMATRIX,
    DataMatrixContent,
    InsIdentity,
    compare,
    normalise,
    parse_2ddoc,
)
from harness.validators.pdf.pdfa import MAX_PDF_BYTES, NOT_CHECKED, REQ_PDFA, PdfaReport, check_pdfa
from harness.validators.pdf.render import Unavailable, UnreadablePdf, datamatrix_payloads, page_texts
from harness.validators.result import Layer, ValidateOptions, ValidationResult

__all__ = [
    "REQ_DATAMATRIX",
    "REQ_IDENTITY",
    "REQ_PDFA",
    "InsIdentity",
    "PdfReport",
    "validate_pdf",
    "validate_pdf_file",
]

KIND = "pdf"
REQ_IDENTITY = "MSS-PDF-03"
NATURES = ("NIR", "NIA")


@dataclass
class PdfReport:
    """What one PDF showed: PDF/A-1 facts, its text, its INS datamatrix, findings and what was not judged."""

    location: str
    pdfa: PdfaReport
    text: str = ""
    datamatrix: list[DataMatrixContent] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    #: requirement -> why it could not be judged on this machine
    not_judged: dict[str, str] = field(default_factory=dict)

    def summary(self) -> dict[str, object]:
        return {
            "location": self.location,
            "pdfa_part": self.pdfa.part,
            "pdfa_conformance": self.pdfa.conformance,
            "pages": self.pdfa.pages,
            "datamatrix": [d.fields or d.text[:60] for d in self.datamatrix],
            "not_judged": dict(self.not_judged),
        }


def _identity_of(content: DataMatrixContent) -> InsIdentity:
    """Offline (no CDA): the identity the symbol itself announces (matricule and OID when recognisable)."""
    values = [part[2:].replace(" ", "") for part in content.data.split(GS)]
    matricule = next((v for v in values if re.fullmatch(r"[12378]\d{2}(?:\d{2}|2[AB])\d{10}", v)), "")
    oid = next((v for v in values if re.fullmatch(r"1\.2\.250\.1\.213\.1\.4\.\d+", v)), "")
    return InsIdentity(ins=matricule, ins_oid=oid)


@rule(
    "pdf.identity",
    requirement=REQ_IDENTITY,
    summary="identity block: birth name, first name, birth date, matricule INS and its nature (SC.INS.55)",
)
def check_identity_block(text: str, identity: InsIdentity, location: str) -> list[Finding]:
    """The traits a reader of the printed document must see for a qualified identity (règle 32)."""
    seen = normalise(text)
    compact = seen.replace(" ", "")
    date = identity.birth_date
    wanted = {
        "nom de naissance / birth name": (identity.birth_name, normalise(identity.birth_name) in seen),
        "premier prénom / first name": (identity.first_name, normalise(identity.first_name) in seen),
        "date de naissance / birth date": (date, len(date) == 8 and f"{date[6:8]}/{date[4:6]}/{date[:4]}" in compact),
        "matricule INS": (identity.ins, identity.ins in compact),
        "nature du matricule (NIR/NIA) / kind of matricule": (
            identity.ins,
            any(re.search(rf"\b{n}\b", seen) for n in NATURES),
        ),
    }
    return [
        Finding(
            "pdf.identity.missing",
            REQ_IDENTITY,
            f"the printed identity does not show the {label} {value!r}",
            location=location,
        )
        for label, (value, present) in wanted.items()
        if value and not present
    ]


def validate_pdf(data: bytes, *, identity: InsIdentity | None = None, location: str = "/") -> PdfReport:
    """Judge one PDF copy of a document.

    Args:
        data: the PDF bytes.
        identity: the identity of the document's CDA (None offline: the datamatrix is judged on
            its own form, the identity block against what the datamatrix announces).
        location: where the PDF was found (MIME part and file name), for the findings.
    """
    pdfa = check_pdfa(data)
    report = PdfReport(location, pdfa, findings=[_located(f, location) for f in pdfa.findings])
    if not pdfa.opened:
        report.not_judged.update(
            {REQ_IDENTITY: "PDF illisible / unreadable PDF", REQ_DATAMATRIX: "PDF illisible / unreadable PDF"}
        )
        return report
    try:
        payloads = datamatrix_payloads(data)
        texts = page_texts(data)
    except UnreadablePdf as exc:
        report.findings.append(
            Finding("pdf.file.unreadable", REQ_PDFA, f"PDFium cannot render the PDF: {exc}", location=location)
        )
        return report
    if isinstance(payloads, Unavailable):
        report.not_judged[REQ_DATAMATRIX] = payloads.reason
    else:
        report.datamatrix = [parse_2ddoc(p) for p in payloads]
    ins_symbols = [d for d in report.datamatrix if d.is_2ddoc]
    if identity is None and ins_symbols:
        identity = _identity_of(ins_symbols[0])
    if REQ_DATAMATRIX not in report.not_judged:
        report.findings += _datamatrix_findings(report, identity, location)
    if isinstance(texts, Unavailable):
        report.not_judged[REQ_IDENTITY] = texts.reason
    else:
        report.text = "\n".join(texts)
        if identity is not None and identity.qualified:
            report.findings += check_identity_block(report.text, identity, location)
    return report


def _datamatrix_findings(report: PdfReport, identity: InsIdentity | None, location: str) -> list[Finding]:
    where = f"{location} datamatrix INS"
    qualified = identity is not None and identity.qualified
    if not report.datamatrix:
        if qualified:
            return [
                Finding(
                    "pdf.datamatrix.missing",
                    REQ_DATAMATRIX,
                    "no Data Matrix symbol could be read on the "
                    "document, whose CDA carries a qualified INS (SC.INS.57, SC.DOC.03.MS1)",
                    location=where,
                )
            ]
        return []
    if identity is None or not identity.qualified:
        if identity is not None and any(d.is_2ddoc for d in report.datamatrix):
            return [
                Finding(
                    "pdf.datamatrix.unqualified",
                    REQ_DATAMATRIX,
                    "an INS datamatrix is printed although the "
                    "document's CDA carries no qualified INS (SC.INS.57: qualified identities only)",
                    location=where,
                )
            ]
        return []
    symbols = [d for d in report.datamatrix if d.is_2ddoc] or report.datamatrix
    results = [compare(d, identity, where) for d in symbols]
    return min(results, key=len)  # the symbol closest to the identity (others may be unrelated codes)


def _located(finding: Finding, location: str) -> Finding:
    where = f"{location} {finding.location}".strip() if finding.location != "/" else location
    return Finding(finding.rule, finding.requirement, finding.message, finding.severity, where, finding.evidence)


def validate_pdf_file(target: str, options: ValidateOptions) -> list[ValidationResult]:
    """The :data:`~harness.validators.result.Validator` of kind ``pdf``: one PDF file, offline.

    Without its CDA, the datamatrix is judged on its form (2D-Doc, matricule, OID) and the identity
    block against the matricule the datamatrix announces; ``validate mail`` compares both with
    the CDA of the same message.

    Raises:
        InputError: the file is missing or unreadable (a PDF over the size limit, not a PDF,
            encrypted or broken is a finding: :mod:`harness.validators.broken`).
    """
    path = Path(target)
    tip = "donnez un fichier PDF lisible / give a readable PDF file"
    if not path.exists():
        raise InputError(f"{target}: fichier introuvable / no such file", tip=tip)
    try:
        data = read_input_file(path, target, MAX_PDF_BYTES, tip=tip)
    except OversizedInput as exc:
        return [
            oversized_document(
                target, KIND, size=exc.size, limit=MAX_PDF_BYTES, rule="pdf.file.size", requirement=REQ_PDFA
            )
        ]
    report = validate_pdf(data, location=path.name)
    if not report.pdfa.opened:  # the broken-document rule of every validate kind
        fault = report.findings[0]
        return [broken_document(target, KIND, rule=fault.rule, requirement=REQ_PDFA, message=fault.message)]
    layers = (
        Layer(
            "PDF/A-1 (pikepdf)",
            report.pdfa.opened,
            "" if report.pdfa.opened else "PDF illisible / unreadable PDF",
            sum(1 for f in report.findings if f.requirement == REQ_PDFA),
            notes=tuple(f"not checked: {n}" for n in NOT_CHECKED),
        ),
        _layer("identity block (PDFium text)", REQ_IDENTITY, report),
        _layer("INS datamatrix (PDFium + Data Matrix decoder)", REQ_DATAMATRIX, report),
    )
    return [ValidationResult(target, KIND, tuple(report.findings), checked=1, layers=layers)]


def _layer(name: str, requirement: str, report: PdfReport) -> Layer:
    reason = report.not_judged.get(requirement, "")
    count = sum(1 for f in report.findings if f.requirement == requirement)
    return Layer(name, not reason, reason, count)
