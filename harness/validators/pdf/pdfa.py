"""PDF/A-1 identification and the basic ISO 19005-1 constraints a maintained library can check (pikepdf).

What is checked (ISO 19005-1:2005, the clause in each finding's rule): the file opens and is not
encrypted (§6.1.3), the trailer has an ``/ID`` (§6.1.3), the XMP metadata identify PDF/A-1
(``pdfaid:part`` = 1, ``pdfaid:conformance`` A or B, §6.7.11), a ``GTS_PDFA1`` output intent
with its ICC profile (§6.2.2), every font embedded (§6.3.4), no JavaScript nor forbidden action
(§6.6.1, §6.6.2), no transparency (§6.4), no embedded file (§6.1.11) and no LZW filter
(§6.1.10). What is not checked (colour spaces against the output intent, XMP/Info
consistency, the full grammar): a real PDF/A validator (veraPDF) does it; the harness says so in
the report, it does not claim it.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass, field

import pikepdf

from harness.core.findings import Finding, Severity
from harness.core.rules import rule

__all__ = ["MAX_OBJECTS", "MAX_PDF_BYTES", "REQ_PDFA", "PdfaReport", "check_pdfa"]

REQ_PDFA = "MSS-PDF-02"
MAX_PDF_BYTES = 20 * 1024 * 1024
MAX_OBJECTS = 100_000
FORBIDDEN_ACTIONS = {"/JavaScript", "/Launch", "/Sound", "/Movie", "/ResetForm", "/ImportData"}
BLEND_MODES = {"/Normal", "/Compatible"}
NOT_CHECKED = (
    "colour spaces against the output intent",
    "XMP / document information consistency",
    "the full PDF/A-1 grammar (use a PDF/A validator such as veraPDF for it)",
)


@dataclass
class PdfaReport:
    """What the PDF/A-1 checks saw: whether the file opened, its PDF/A identification, the findings."""

    opened: bool = False
    part: str = ""
    conformance: str = ""
    pages: int = 0
    findings: list[Finding] = field(default_factory=list)

    @property
    def identified(self) -> bool:
        return self.part == "1" and self.conformance.upper() in ("A", "B")


def _finding(
    report: PdfaReport, rule_id: str, message: str, location: str = "/", severity: Severity = Severity.ERROR
) -> None:
    report.findings.append(Finding(rule_id, REQ_PDFA, message, severity, location))


@rule("pdf.file", requirement=REQ_PDFA, summary="a readable, unencrypted PDF with a trailer ID (ISO 19005-1 §6.1.3)")
@rule("pdf.pdfa", requirement=REQ_PDFA, summary="XMP pdfaid part 1, conformance A or B, GTS_PDFA1 output intent")
@rule("pdf.font", requirement=REQ_PDFA, summary="every font embedded (ISO 19005-1 §6.3.4)")
@rule("pdf.action", requirement=REQ_PDFA, summary="no JavaScript, no forbidden action (ISO 19005-1 §6.6)")
@rule("pdf.transparency", requirement=REQ_PDFA, summary="no transparency (ISO 19005-1 §6.4)")
@rule("pdf.content", requirement=REQ_PDFA, summary="no embedded file, no LZW (ISO 19005-1 §6.1.10-11)")
def check_pdfa(data: bytes) -> PdfaReport:
    """The PDF/A-1 checks of one PDF file (bytes in memory, at most :data:`MAX_PDF_BYTES`)."""
    report = PdfaReport()
    if len(data) > MAX_PDF_BYTES:
        _finding(report, "pdf.file.size", f"{len(data)} bytes, larger than the {MAX_PDF_BYTES} bytes accepted")
        return report
    if data.lstrip()[:5] != b"%PDF-":
        _finding(report, "pdf.file.header", "not a PDF file (no %PDF- header)")
        return report
    try:
        pdf = pikepdf.open(io.BytesIO(data))
    except pikepdf.PasswordError:
        _finding(report, "pdf.file.encrypted", "the PDF is encrypted with a user password (ISO 19005-1 §6.1.3)")
        return report
    except (pikepdf.PdfError, ValueError, OSError) as exc:
        _finding(report, "pdf.file.unreadable", f"the PDF cannot be read: {exc}")
        return report
    with pdf:
        report.opened = True
        report.pages = len(pdf.pages)
        if pdf.is_encrypted or "/Encrypt" in pdf.trailer:
            _finding(
                report,
                "pdf.file.encrypted",
                "the trailer has /Encrypt: encryption is forbidden (ISO 19005-1 §6.1.3)",
                "trailer /Encrypt",
            )
        if "/ID" not in pdf.trailer:
            _finding(report, "pdf.file.id", "the trailer has no /ID (ISO 19005-1 §6.1.3)", "trailer /ID")
        _identification(pdf, report)
        _catalog(pdf, report)
        for number, obj in _objects(pdf, report):
            _object(obj, number, report)
    return report


def _identification(pdf: pikepdf.Pdf, report: PdfaReport) -> None:
    if "/Metadata" not in pdf.Root:
        _finding(
            report,
            "pdf.pdfa.xmp",
            "no XMP metadata stream in the catalog: the file does not identify itself "
            "as PDF/A-1 (ISO 19005-1 §6.7.2, §6.7.11)",
            "/Root/Metadata",
        )
    else:
        try:
            meta = pdf.open_metadata()
            report.part = str(meta.get("pdfaid:part", "") or "")
            report.conformance = str(meta.get("pdfaid:conformance", "") or "")
        except Exception as exc:  # any XMP parsing fault (lxml, pikepdf) is a finding about the document
            _finding(report, "pdf.pdfa.xmp", f"the XMP metadata cannot be read: {exc}", "/Root/Metadata")
        if not report.identified:
            _finding(
                report,
                "pdf.pdfa.part",
                f"the XMP metadata identify pdfaid:part={report.part or '(none)'} "
                f"conformance={report.conformance or '(none)'}, not PDF/A-1 (part 1, conformance A or B; "
                "ISO 19005-1 §6.7.11)",
                "/Root/Metadata pdfaid",
            )
    intents = pdf.Root.get("/OutputIntents")
    found = [i for i in (intents or []) if isinstance(i, pikepdf.Dictionary) and i.get("/S") == "/GTS_PDFA1"]
    if not found:
        _finding(
            report,
            "pdf.pdfa.output_intent",
            "no output intent /S /GTS_PDFA1 (ISO 19005-1 §6.2.2)",
            "/Root/OutputIntents",
        )
    elif not all("/DestOutputProfile" in i for i in found):
        _finding(
            report,
            "pdf.pdfa.output_intent",
            "the GTS_PDFA1 output intent has no ICC profile (/DestOutputProfile, ISO 19005-1 §6.2.2)",
            "/Root/OutputIntents",
        )


def _catalog(pdf: pikepdf.Pdf, report: PdfaReport) -> None:
    names = pdf.Root.get("/Names")
    if isinstance(names, pikepdf.Dictionary):
        if "/JavaScript" in names:
            _finding(
                report,
                "pdf.action.javascript",
                "the name tree /JavaScript is present (ISO 19005-1 §6.6.1)",
                "/Root/Names/JavaScript",
            )
        if "/EmbeddedFiles" in names:
            _finding(
                report,
                "pdf.content.embedded_file",
                "the name tree /EmbeddedFiles is present (ISO 19005-1 §6.1.11)",
                "/Root/Names/EmbeddedFiles",
            )
    if "/AA" in pdf.Root:
        _finding(
            report, "pdf.action.additional", "the catalog has additional actions /AA (ISO 19005-1 §6.6.2)", "/Root/AA"
        )


def _objects(pdf: pikepdf.Pdf, report: PdfaReport) -> Iterator[tuple[int, pikepdf.Object]]:
    for number, obj in enumerate(pdf.objects):
        if number >= MAX_OBJECTS:
            _finding(
                report,
                "pdf.file.objects",
                f"more than {MAX_OBJECTS} objects: not examined further",
                severity=Severity.WARNING,
            )
            return
        if isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
            yield number, obj


def _object(obj: pikepdf.Object, number: int, report: PdfaReport) -> None:
    where = f"object {number}"
    kind = obj.get("/Type")
    if kind == "/Font":
        _font(obj, where, report)
    action = obj.get("/S")
    if action in FORBIDDEN_ACTIONS and ("/Type" not in obj or kind == "/Action"):
        _finding(report, "pdf.action.forbidden", f"action {action} (ISO 19005-1 §6.6.1)", where)
    if kind == "/ExtGState" or "/BM" in obj or "/ca" in obj or "/CA" in obj:
        _transparency(obj, where, report)
    if "/SMask" in obj and obj.get("/SMask") != "/None":
        _finding(report, "pdf.transparency.smask", "a soft mask (/SMask) (ISO 19005-1 §6.4)", where)
    group = obj.get("/Group")
    if isinstance(group, pikepdf.Dictionary) and group.get("/S") == "/Transparency":
        _finding(
            report, "pdf.transparency.group", "a transparency group (/Group /S /Transparency) (ISO 19005-1 §6.4)", where
        )
    filters = obj.get("/Filter") if isinstance(obj, pikepdf.Stream) else None
    listed = list(filters) if isinstance(filters, pikepdf.Array) else [filters]
    if "/LZWDecode" in listed:
        _finding(report, "pdf.content.lzw", "an LZW-compressed stream (ISO 19005-1 §6.1.10)", where)


def _transparency(obj: pikepdf.Object, where: str, report: PdfaReport) -> None:
    for key in ("/CA", "/ca"):
        value = obj.get(key)
        if value is not None and float(value) != 1.0:
            _finding(
                report, "pdf.transparency.alpha", f"{key} {float(value)} (only 1.0 allowed, ISO 19005-1 §6.4)", where
            )
    mode = obj.get("/BM")
    if mode is not None and str(mode) not in BLEND_MODES:
        _finding(report, "pdf.transparency.blend", f"blend mode {mode} (ISO 19005-1 §6.4)", where)


def _font(font: pikepdf.Object, where: str, report: PdfaReport) -> None:
    subtype = font.get("/Subtype")
    if subtype == "/Type3":  # glyphs are content streams of the file: nothing to embed
        return
    if subtype == "/Type0":  # the descendant CIDFont carries the descriptor, checked as its own object
        return
    descriptor = font.get("/FontDescriptor")
    name = str(font.get("/BaseFont", "(unnamed)"))
    embedded = isinstance(descriptor, pikepdf.Dictionary) and any(
        k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")
    )
    if not embedded:
        _finding(report, "pdf.font.not_embedded", f"font {name} is not embedded (ISO 19005-1 §6.3.4)", where)
