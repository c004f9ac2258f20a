"""Message Disposition Notifications (RFC 8098) as MSSanté uses them to acknowledge documents.

Structure (MSS-MDN-01): ``multipart/report; report-type=disposition-notification``, part 1 a
human-readable text, part 2 ``message/disposition-notification`` with ``Final-Recipient``,
``Disposition`` and ``Original-Message-ID``, part 3 the original message. ``Disposition``
reads ``automatic-action/MDN-sent-automatically; processed`` on success and
``…; processed/Error: <code>^<libellé>`` when the document could not be integrated
(MSS-MDN-02), with the application error codes 900-906 of the CI-SIS volet
*Transmission de documents CDA via MSSanté*.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from email.message import Message

from harness.core.findings import Finding, Severity
from harness.core.rules import rule
from harness.validators.mail.mime import ParsedMessage

__all__ = ["ERROR_CODES", "REQ_MDN", "REQ_MDN_ERROR", "MdnReport", "is_mdn", "read_mdn"]

REQ_MDN = "MSS-MDN-01"
REQ_MDN_ERROR = "MSS-MDN-02"
#: application error codes (ERR-5) of the volet, with their labels
ERROR_CODES = {
    "900": "Version du document incorrecte lors d'une demande de remplacement/suppression",
    "901": "Auteur non autorisé à remplacer ou supprimer un document",
    "902": "Identifiant patient inconnu",
    "903": "INS non présent dans le document",
    "904": "L'INS transmis ne correspond pas exactement à celui stocké dans la base du consommateur",
    "905": "L'INS transmis n'est pas complet (matricule présent mais traits INS incomplets)",
    "906": "Erreur 'Autre'",
}
KO_SUBJECT = "[KO Intégration système !]"
_DISPOSITION = re.compile(
    r"^\s*(?P<action>manual-action|automatic-action)\s*/\s*(?P<sending>MDN-sent-manually|MDN-sent-automatically)"
    r"\s*;\s*(?P<type>displayed|deleted|dispatched|processed)(?:\s*/\s*(?P<modifier>.*))?$",
    re.IGNORECASE | re.DOTALL,
)
_ERROR = re.compile(r"^error\s*:\s*(?P<code>[^^\s]*)\s*(?:\^(?P<label>[^^]*))?", re.IGNORECASE)


@dataclass
class MdnReport:
    """What an MDN says, and the findings about its form."""

    disposition: str = ""
    disposition_type: str = ""
    error_code: str | None = None
    error_label: str | None = None
    original_message_id: str = ""
    final_recipient: str = ""
    original_recipient: str = ""
    findings: list[Finding] = field(default_factory=list)

    @property
    def success(self) -> bool:
        return self.disposition_type.lower() == "processed" and self.error_code is None


def is_mdn(parsed: ParsedMessage) -> bool:
    message = parsed.message
    return (
        message is not None
        and message.get_content_type() == "multipart/report"
        and str(message.get_param("report-type", "")).lower() == "disposition-notification"
    )


def _fields(part: Message) -> dict[str, str]:
    """The fields of a message/disposition-notification part, names lower-cased."""
    payload = part.get_payload()
    blocks = payload if isinstance(payload, list) else []
    fields: dict[str, str] = {}
    for block in blocks:
        if isinstance(block, Message):
            for name, value in block.items():
                fields.setdefault(name.lower(), " ".join(str(value).split()))
    if not blocks and isinstance(payload, str):
        for line in re.sub(r"\r?\n[ \t]+", " ", payload).splitlines():
            name, sep, value = line.partition(":")
            if sep:
                fields.setdefault(name.strip().lower(), value.strip())
    return fields


@rule("mdn", requirement="MSS-MDN-01", summary="an RFC 8098 disposition notification with the original message")
@rule(
    "mdn.disposition.modifier", requirement="MSS-MDN-02", summary="an error disposition reads Error: <code>^<libellé>"
)
@rule("mdn.error", requirement="MSS-MDN-02", summary="error acknowledgement: code of the volet, label, subject")
def read_mdn(parsed: ParsedMessage) -> MdnReport:
    """Read an MDN (call :func:`is_mdn` first) and check its structure and disposition."""
    report = MdnReport()

    def finding(
        rule: str, message: str, location: str, requirement: str = REQ_MDN, severity: Severity = Severity.ERROR
    ) -> None:
        report.findings.append(Finding(rule, requirement, message, severity, location))

    message = parsed.message
    if message is None or not is_mdn(parsed):
        finding(
            "mdn.content_type",
            "not a multipart/report; report-type=disposition-notification message",
            "header Content-Type",
        )
        return report
    payload = message.get_payload()
    parts: list[Message] = [p for p in payload if isinstance(p, Message)] if isinstance(payload, list) else []
    if len(parts) < 2:
        finding(
            "mdn.parts",
            f"the report has {len(parts)} part(s); RFC 8098 §3 needs a human-readable part "
            "and a message/disposition-notification part",
            "message",
        )
        return report
    if parts[0].get_content_maintype() != "text":
        finding("mdn.human", f"part 1 is {parts[0].get_content_type()}, not the human-readable text", "part 1")
    notification = parts[1]
    if notification.get_content_type() != "message/disposition-notification":
        finding(
            "mdn.notification",
            f"part 2 is {notification.get_content_type()}, not message/disposition-notification",
            "part 2",
        )
        return report
    fields = _fields(notification)
    report.disposition = fields.get("disposition", "")
    report.original_message_id = fields.get("original-message-id", "")
    report.final_recipient = fields.get("final-recipient", "")
    report.original_recipient = fields.get("original-recipient", "")
    for name in ("Final-Recipient", "Disposition", "Original-Message-ID"):
        if not fields.get(name.lower()):
            finding("mdn.field", f"the notification has no {name} field", f"part 2 {name}")
    if len(parts) < 3:
        finding(
            "mdn.original",
            "no part 3: the original message (with its attachments) is not returned",
            "message",
            severity=Severity.WARNING,
        )
    if not report.disposition:
        return report
    match = _DISPOSITION.match(report.disposition)
    if match is None:
        finding(
            "mdn.disposition.syntax",
            f"Disposition {report.disposition!r} does not follow RFC 8098 §3.2.6 "
            "(action-mode/sending-mode; disposition-type[/modifier])",
            "part 2 Disposition",
        )
        return report
    report.disposition_type = match["type"].lower()
    modifier = (match["modifier"] or "").strip()
    if modifier:
        error = _ERROR.match(modifier)
        if error is None:
            finding(
                "mdn.disposition.modifier",
                f"modifier {modifier!r}: MSSanté expects Error: <code>^<libellé>",
                "part 2 Disposition",
                REQ_MDN_ERROR,
            )
            return report
        report.error_code = error["code"]
        report.error_label = (error["label"] or "").strip()
        if report.error_code not in ERROR_CODES:
            finding(
                "mdn.error.code",
                f"error code {report.error_code!r} is not an application error code of the "
                f"volet ({', '.join(ERROR_CODES)})",
                "part 2 Disposition",
                REQ_MDN_ERROR,
            )
        if not report.error_label:
            finding(
                "mdn.error.label",
                "the error has no label after its code (<code>^<libellé>)",
                "part 2 Disposition",
                REQ_MDN_ERROR,
            )
        subject = parsed.header("Subject") or ""
        expected = f"{KO_SUBJECT}[{report.error_code}]"
        if not subject.startswith(expected):
            finding(
                "mdn.error.subject",
                f"subject {subject!r} of an error acknowledgement does not start with {expected}",
                "header Subject",
                REQ_MDN_ERROR,
            )
    return report
