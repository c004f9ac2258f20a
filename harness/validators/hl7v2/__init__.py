"""HL7 v2.5 identity feeds (IHE PAM France): ER7 bytes in, findings out.

:func:`validate_hl7v2` reads one ER7 message (:mod:`.er7`), judges its header, segment structure
and datatypes (:mod:`.structure`, with hl7apy's HL7 v2.5 reference) and the identity of each PID
segment (:mod:`.pid`: INS in PID-3, status in PID-32, strict traits). Requirement ids are those
of ``profiles/catalog/hl7v2.csv`` (``HL7-MSG-*``, ``HL7-INS-*``), each citing the official Ségur
ids (``RI.INS/va1.64``, ``RI.INS/va1.66``, ``SC.INS/va1.16``) and RNIV rules it rests on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from harness.core.findings import Finding, Severity
from harness.validators.hl7v2.er7 import Er7Message, read_er7
from harness.validators.hl7v2.pid import PatientIdentity, check_pid
from harness.validators.hl7v2.structure import check_datatypes, check_header, check_required, check_structure

__all__ = ["Hl7v2Report", "validate_hl7v2"]


@dataclass
class Hl7v2Report:
    """What the validator found in one message, and what it read (for exchanges and ACKs)."""

    findings: list[Finding] = field(default_factory=list)
    message: Er7Message | None = None
    identities: list[PatientIdentity] = field(default_factory=list)

    @property
    def readable(self) -> bool:
        """The bytes were an ER7 message at all (MSH, delimiters, text)."""
        return self.message is not None

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.ERROR]

    def summary(self) -> dict[str, Any]:
        """MSH facts and identities, as recorded in an exchange's summary."""
        message = self.message
        if message is None:
            return {"readable": False}
        msh = message.first("MSH")
        _, event, structure = message.type_parts()
        return {
            "readable": True,
            "message_type": message.message_type,
            "event": event,
            "structure": structure,
            "control_id": msh.field(10) if msh else "",
            "sending_application": msh.field(3) if msh else "",
            "version": msh.field(12) if msh else "",
            "segments": [s.name for s in message.segments],
            "identities": [i.as_dict() for i in self.identities],
        }


def validate_hl7v2(data: bytes, *, emitted: bool = True, wire: bool = False) -> Hl7v2Report:
    """Judge one HL7 v2 ER7 message.

    Args:
        data: the message bytes (an MLLP payload or a file's content).
        emitted: the DUI produced the message (an INS then needs a qualified identity, EXI SI 08).
        wire: the bytes came over MLLP (segments must end with CR alone).

    Example:
        >>> report = validate_hl7v2(b"MSH|^~\\\\&|A|B|C|D|20260101||ADT^A28^ADT_A05|1|P|2.5^FRA^2.11\\rEVN||20260101")
        >>> sorted({f.requirement for f in report.errors})
        ['HL7-MSG-03']
    """
    message, findings = read_er7(data, wire=wire)
    report = Hl7v2Report(findings=findings, message=message)
    if message is None:
        return report
    report.findings += check_header(message)
    report.findings += check_structure(message)
    report.findings += check_required(message)
    report.findings += check_datatypes(message)
    identity_findings, report.identities = check_pid(message, emitted=emitted)
    report.findings += identity_findings
    return report
