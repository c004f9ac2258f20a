"""Build the simulator's HL7 v2.5 ACK (original acknowledgment mode), with hl7apy.

HL7 v2.5 §2.9.2: MSA-1 ``AA`` accepted, ``AE`` application error (content), ``AR`` rejected
(unreadable, unsupported type, version, processing id or segment sequence); MSA-2 echoes the
received MSH-10. Each error finding becomes one ERR segment (§2.14.5): ERR-2 error location
(``PID^1^3^2^4^2``), ERR-3 HL7 error code (table 0357), ERR-4 severity (table 0516: E, W, I),
ERR-7 diagnostic (our rule and requirement ids), ERR-8 user message (the finding, bilingual).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from hl7apy.consts import VALIDATION_LEVEL
from hl7apy.core import Message
from hl7apy.parser import parse_segment

from harness.core.findings import Finding, Severity
from harness.validators.hl7v2.er7 import Er7Message

__all__ = ["ack_code", "build_ack", "error_code", "escape"]

#: requirement ids whose failure rejects the message (AR) rather than flags its content (AE)
_REJECTING = ("HL7-MSG-01", "HL7-MSG-02", "HL7-MSG-03")
_TABLE_0357 = {
    100: "Segment sequence error",
    101: "Required field missing",
    102: "Data type error",
    103: "Table value not found",
    200: "Unsupported message type",
    201: "Unsupported event code",
    202: "Unsupported processing id",
    203: "Unsupported version id",
    207: "Application internal error",
}
_MISSING = ("missing", "birth-name", "empty", "first-names", "birth-date", "birth-place", "control-id")
_TABLE = ("unknown", "hl7.ins.type", "hl7.ins.namespace", "hl7.ins.oid", "hl7.ins.oid-type", "hl7.pid8")
_LOCATION = re.compile(r"^([A-Z][A-Z0-9]{2})\[(\d+)\]-(\d+)(?:\[(\d+)\])?(?:\.(\d+))?(?:\.(\d+))?$")


def escape(text: str, delimiters: str = "|^~\\&") -> str:
    """HL7 escape sequences (§2.7.4) for text put in a field: ``\\F\\ \\S\\ \\R\\ \\E\\ \\T\\``."""
    field, component, repetition, escape_char, subcomponent = tuple(delimiters)
    out = text.replace(escape_char, "\\E\\").replace(field, "\\F\\").replace(component, "\\S\\")
    out = out.replace(repetition, "\\R\\").replace(subcomponent, "\\T\\")
    return re.sub(r"[\r\n]+", " ", out)


def error_code(finding: Finding) -> int:
    """The HL7 table 0357 code that best names a finding."""
    rule = finding.rule
    if rule == "hl7.field.required":
        return 101
    if finding.requirement in ("HL7-MSG-01", "HL7-MSG-03"):
        return 100
    if rule == "hl7.msh.type":
        return 200
    if rule == "hl7.msh.structure":
        return 201
    if rule == "hl7.msh.processing-id":
        return 202
    if rule == "hl7.msh.version":
        return 203
    if any(word in rule for word in _MISSING):
        return 101
    if any(rule.startswith(prefix) or prefix in rule for prefix in _TABLE):
        return 103
    if rule.startswith(("hl7.datatype", "ins.", "hl7.pid7")):
        return 102
    return 207


def ack_code(findings: Iterable[Finding]) -> str:
    """``AR`` when a finding rejects the message, ``AE`` for any other error, else ``AA``."""
    errors = [f for f in findings if f.severity is Severity.ERROR]
    if any(f.requirement in _REJECTING for f in errors):
        return "AR"
    return "AE" if errors else "AA"


def _err_location(location: str) -> str:
    match = _LOCATION.match(location)
    if match is None:
        return ""
    return "^".join(part or "" for part in match.groups()).rstrip("^")


def build_ack(
    received: Er7Message | None,
    findings: list[Finding],
    *,
    control_id: str,
    application: str = "DUI-HARNESS-HL7",
    facility: str = "DUI-HARNESS",
) -> bytes:
    """The ACK of ``received`` (None: unreadable bytes; MSA-2 is then empty) for ``findings``.

    Only ERROR and WARNING findings get an ERR segment (at most 50, the rest summed up).
    """
    msh = received.first("MSH") if received is not None else None
    code, event, _ = received.type_parts() if received is not None else ("", "", "")
    ack = Message("ACK", version="2.5", validation_level=VALIDATION_LEVEL.TOLERANT)
    ack.msh.msh_3 = application
    ack.msh.msh_4 = facility
    if msh is not None:
        ack.msh.msh_5 = msh.field(3)
        ack.msh.msh_6 = msh.field(4)
    ack.msh.msh_9 = f"ACK^{event}^ACK" if event and code == "ADT" else "ACK"
    ack.msh.msh_10 = control_id
    ack.msh.msh_11 = "P"
    ack.msh.msh_12 = "2.5^FRA^2.11"
    ack.msh.msh_18 = "UNICODE UTF-8"
    answer = ack_code(findings)
    received_id = escape(msh.field(10)) if msh is not None else ""
    ack.add(parse_segment(f"MSA|{answer}|{received_id}", version="2.5"))
    reported = [f for f in findings if f.severity in (Severity.ERROR, Severity.WARNING)]
    for finding in reported[:50]:
        number = error_code(finding)
        severity = "E" if finding.severity is Severity.ERROR else "W"
        diagnostic = escape(f"{finding.requirement} {finding.rule}")
        text = escape(f"{finding.message}" + (f" ({finding.location})" if finding.location else ""))
        ack.add(
            parse_segment(
                f"ERR||{_err_location(finding.location)}|{number}^{_TABLE_0357[number]}^HL70357|"
                f"{severity}|||{diagnostic}|{text}",
                version="2.5",
            )
        )
    if len(reported) > 50:
        ack.add(parse_segment(f"ERR||||W||||{len(reported) - 50} more finding(s) not listed", version="2.5"))
    return str(ack.to_er7()).encode("utf-8") + b"\r"
