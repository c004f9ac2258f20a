"""MSSanté messages: one entry point for the simulator, the suites and ``dui-harness validate mail``.

``validate_message(raw, …)`` parses one RFC 5322 message safely (:mod:`.mime`), reads every
IHE_XDM archive it carries (:mod:`.xdm`, :mod:`.ziparchive`: in memory, bounded), validates
the CDA documents with :func:`harness.validators.cda.validate_cda`, checks the MSSanté
headers (:mod:`.headers`), the PDF/A-1 copies of the documents
(:mod:`.pdfcopy`) and, for an acknowledgement, its RFC 8098 structure (:mod:`.mdn`).
Every finding names its requirement (``SC.MSS/CONF.nn`` or ``MSS-…``) and its MIME location.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.core.findings import Finding
from harness.errors import InputError
from harness.validators.broken import oversized_document
from harness.validators.cda import CdaReport
from harness.validators.cda.pack import CdaPack, resolve_pack
from harness.validators.input_file import OversizedInput, read_input_file
from harness.validators.mail.headers import (
    PATIENT_DOMAIN,
    check_ack,
    check_from,
    check_invisible,
    check_mss_headers,
    check_subject,
    patient_recipients,
)
from harness.validators.mail.mdn import MdnReport, is_mdn, read_mdn
from harness.validators.mail.mime import MAX_MESSAGE_BYTES, REQ_MIME, ParsedMessage, addresses, parse_message
from harness.validators.mail.pdfcopy import check_pdf_copies
from harness.validators.mail.sender import check_application_mailbox, check_body_format, check_display_name
from harness.validators.mail.xdm import XdmReport, qualified_ins, read_xdm
from harness.validators.pdf import PdfReport
from harness.validators.result import ValidateOptions, ValidationResult

__all__ = ["MailReport", "is_xdm_attachment", "patient_recipients", "validate_mail_file", "validate_message"]

KIND = "mail"


@dataclass
class MailReport:
    """Everything known about one message: parsed form, archives, acknowledgement, findings."""

    parsed: ParsedMessage
    xdm: list[XdmReport] = field(default_factory=list)
    mdn: MdnReport | None = None
    findings: list[Finding] = field(default_factory=list)
    pdf: list[PdfReport] = field(default_factory=list)

    @property
    def not_judged(self) -> dict[str, str]:
        """Requirement -> why this machine could not judge it (a PDF reading without its library)."""
        return {req: why for report in self.pdf for req, why in report.not_judged.items()}

    @property
    def cdas(self) -> list[CdaReport]:
        return [c for report in self.xdm for c in report.cda_reports]

    def summary(self) -> dict[str, Any]:
        """The facts a recorded exchange shows (headers, documents, acknowledgement)."""
        p = self.parsed
        facts: dict[str, Any] = {
            "message_id": p.header("Message-ID"),
            "from": p.header("From"),
            "to": p.headers("To"),
            "subject": p.header("Subject"),
            "x_mss_nil": p.header("X-MSS-NIL"),
            "x_mss_codecda": p.header("X-MSS-CODECDA"),
            "x_mss_ins": p.header("X-MSS-INS"),
            "x_mss_mes": p.header("X-MSS-MES"),
            "disposition_notification_to": p.header("Disposition-Notification-To"),
            "attachments": [f"{a.filename or '(unnamed)'} {a.content_type} {len(a.data)} B" for a in p.attachments],
            "documents": [
                {
                    "path": d.path,
                    "code": d.cda.header.code if d.cda else None,
                    "confidentiality": list(d.confidentiality),
                    "ins": d.cda.header.ins if d.cda else None,
                    "qualified_ins": qualified_ins(d.cda) if d.cda else False,
                }
                for x in self.xdm
                for d in x.documents
            ],
            "pdf": [r.summary() for r in self.pdf],
        }
        if self.mdn is not None:
            facts["mdn"] = {
                "disposition": self.mdn.disposition,
                "error_code": self.mdn.error_code,
                "original_message_id": self.mdn.original_message_id,
            }
        return facts


def is_xdm_attachment(filename: str, content_type: str) -> bool:
    """An attachment that is an IHE XDM archive (by name, or a ZIP named as such)."""
    name = filename.upper()
    return (name.endswith(".ZIP") and "IHE_XDM" in name) or (content_type == "application/zip" and "XDM" in name)


def validate_message(
    raw: bytes,
    *,
    envelope_sender: str | None = None,
    recipients: Sequence[str] = (),
    ack_requested: bool | None = None,
    patient_domain: str = PATIENT_DOMAIN,
    max_bytes: int = MAX_MESSAGE_BYTES,
    kind_of: Callable[[str], str | None] | None = None,
    pack: CdaPack | None = None,
) -> MailReport:
    """Check one message a DUI sent.

    Args:
        raw: the message bytes as submitted (RFC 5322).
        envelope_sender: SMTP ``MAIL FROM`` (the authenticated mailbox), when known.
        recipients: SMTP ``RCPT TO`` addresses, when known (patient mailboxes among them need
            ``X-MSS-MES: FIN``).
        ack_requested: True when the scenario asked for an acknowledgement (the message must
            then carry ``Disposition-Notification-To``); None when unknown.
        patient_domain: the domain of patient mailboxes.
        max_bytes: larger messages are refused before parsing.
        kind_of: the directory's kind of a mailbox (``applicative``, ``organisational``…), when
            known (the operator simulator's); the application-mailbox rules need it.
        pack: the official CI-SIS artefact pack the attached CDA documents are judged with (the run's
            ``--cda-pack``, ``validate mail --cda-pack``); None: the embedded CDA rules only.
    """
    parsed = parse_message(raw, max_bytes=max_bytes)
    report = MailReport(parsed, findings=list(parsed.findings))
    if parsed.message is None:
        return report
    for attachment in parsed.attachments:
        if is_xdm_attachment(attachment.filename, attachment.content_type):
            xdm = read_xdm(attachment.data, location=f"{attachment.location} {attachment.filename}", pack=pack)
            report.xdm.append(xdm)
            report.findings += xdm.findings
    if is_mdn(parsed):
        report.mdn = read_mdn(parsed)
        report.findings += report.mdn.findings
    cdas = report.cdas
    report.findings += check_mss_headers(parsed, cdas, recipients, patient_domain=patient_domain)
    if report.mdn is None:
        report.findings += check_subject(parsed, cdas)
        report.pdf, pdf_findings = check_pdf_copies(parsed, cdas)
        report.findings += pdf_findings
        report.findings += check_body_format(parsed)
        if kind_of is not None:
            report.findings += check_application_mailbox(parsed, kind_of)
    report.findings += check_display_name(parsed)
    report.findings += check_from(parsed, envelope_sender)
    report.findings += check_ack(parsed, ack_requested)
    codes = [code for x in report.xdm for d in x.documents for code in d.confidentiality]
    report.findings += check_invisible(parsed, codes, recipients, patient_domain=patient_domain)
    return report


def validate_mail_file(target: str, options: ValidateOptions) -> list[ValidationResult]:
    """The :data:`~harness.validators.result.Validator` of kind ``mail``: one ``.eml`` file.

    Recipients are read from the To/Cc headers (there is no envelope in a file).

    Raises:
        InputError: the file is missing or unreadable (a message over the size limit, empty or
            not parseable is a finding: :mod:`harness.validators.broken`).
    """
    path = Path(target)
    tip = "donnez un fichier .eml (RFC 5322) lisible / give a readable .eml (RFC 5322) file"
    if not path.exists():
        raise InputError(f"{target}: fichier introuvable / no such file", tip=tip)
    try:
        raw = read_input_file(path, target, MAX_MESSAGE_BYTES, tip=tip)  # bounded even if the file grows
    except OversizedInput as exc:  # a broken document (harness.validators.broken): a finding, not read
        return [
            oversized_document(
                target, KIND, size=exc.size, limit=MAX_MESSAGE_BYTES, rule="mail.size", requirement=REQ_MIME
            )
        ]
    first = parse_message(raw)
    recipients = addresses([*first.headers("To"), *first.headers("Cc")]) if first.message is not None else []
    pack = resolve_pack(options.cda_pack, route=options.schematron_engine)
    report = validate_message(raw, recipients=recipients, pack=pack)
    return [ValidationResult(target, KIND, tuple(report.findings), checked=1)]
