"""The MSSanté headers of a message, against the documents it carries and where it goes.

* ``X-MSS-NIL`` (SC.MSS/CONF.16, ECO.2.4.3): on every message.
* ``X-MSS-CODECDA`` (SC.MSS/CONF.15, ECO.2.4.1): exactly when an IHE_XDM archive with a CDA
  is attached; the CDA ``code@code`` values, comma separated.
* ``X-MSS-INS`` (SC.MSS/CONF.14, ECO.2.4.2): exactly when a CDA is attached; ``O`` when it
  carries a qualified INS (matricule, OID, traits), else ``N``.
* ``X-MSS-MES: FIN`` (SC.MSS/CONF.21, ECO.2.2.8): on a message to a patient mailbox.
* the subject ``XDM/1.0/DDM+<libellé> <NOM> <prénom> <date de naissance>`` (MSS-SUBJ-01);
* ``From`` is the authenticated mailbox (MSS-FROM-01);
* ``Disposition-Notification-To`` when an acknowledgement was asked for (MSS-ACK-01).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from harness.core.findings import Finding
from harness.core.rules import rule
from harness.validators.cda import CdaReport
from harness.validators.mail.mime import ParsedMessage, addresses
from harness.validators.mail.xdm import qualified_ins

__all__ = [
    "PATIENT_DOMAIN",
    "REQ_ACK",
    "REQ_CODECDA",
    "REQ_FROM",
    "REQ_INS",
    "REQ_MES",
    "REQ_NIL",
    "REQ_PATIENT",
    "REQ_SUBJECT",
    "check_ack",
    "check_from",
    "check_invisible",
    "check_mss_headers",
    "check_subject",
    "patient_recipients",
]

REQ_INS = "SC.MSS/CONF.14"
REQ_CODECDA = "SC.MSS/CONF.15"
REQ_NIL = "SC.MSS/CONF.16"
REQ_MES = "SC.MSS/CONF.21"
REQ_SUBJECT = "MSS-SUBJ-01"
REQ_FROM = "MSS-FROM-01"
REQ_ACK = "MSS-ACK-01"
REQ_PATIENT = "MSS-PAT-01"
PATIENT_DOMAIN = "patient.mssante.fr"
SUBJECT_PREFIX = "XDM/1.0/DDM+"
_PRINTABLE = re.compile(r"^[\x21-\x7e][\x20-\x7e]*$")


@rule(
    "mss.header.repeated",
    requirement="SC.MSS/CONF.14",
    summary="an X-MSS header appears once",
    also=("SC.MSS/CONF.15", "SC.MSS/CONF.16", "SC.MSS/CONF.21"),
)
def _one(parsed: ParsedMessage, name: str, requirement: str, findings: list[Finding]) -> str | None:
    values = parsed.headers(name)
    if len(values) > 1:
        findings.append(
            Finding(
                "mss.header.repeated", requirement, f"{name} appears {len(values)} times", location=f"header {name}"
            )
        )
    return values[0] if values else None


def patient_recipients(parsed: ParsedMessage, recipients: Sequence[str], domain: str = PATIENT_DOMAIN) -> list[str]:
    """Patient mailboxes among the envelope recipients and the To/Cc/Bcc headers."""
    headers = addresses([*parsed.headers("To"), *parsed.headers("Cc"), *parsed.headers("Bcc")])
    every = dict.fromkeys([r.lower() for r in recipients] + headers)
    return [r for r in every if r.endswith("@" + domain)]


@rule("mss.nil", requirement="SC.MSS/CONF.16", summary="X-MSS header naming the patient's NIL")
@rule("mss.codecda", requirement="SC.MSS/CONF.15", summary="X-MSS-CODECDA with the document's code")
@rule("mss.ins", requirement="SC.MSS/CONF.14", summary="X-MSS-INS with the patient's INS")
@rule("mss.mes", requirement="SC.MSS/CONF.21", summary="X-MSS header of a message to a patient (MES)")
def check_mss_headers(
    parsed: ParsedMessage,
    cdas: Sequence[CdaReport],
    recipients: Sequence[str] = (),
    *,
    patient_domain: str = PATIENT_DOMAIN,
) -> list[Finding]:
    """The X-MSS-* checks on one message whose attached CDA documents are ``cdas``."""
    findings: list[Finding] = []
    nil = _one(parsed, "X-MSS-NIL", REQ_NIL, findings)
    if nil is None:
        findings.append(
            Finding(
                "mss.nil.missing",
                REQ_NIL,
                "no X-MSS-NIL header: every message must carry the product reference number (ECO.2.4.3)",
                location="header X-MSS-NIL",
            )
        )
    elif not _PRINTABLE.match(nil.strip()):
        findings.append(
            Finding(
                "mss.nil.value",
                REQ_NIL,
                f"X-MSS-NIL value {nil!r} is empty or not printable ASCII",
                location="header X-MSS-NIL",
            )
        )
    codes = list(dict.fromkeys(r.header.code for r in cdas if r.header.code))
    codecda = _one(parsed, "X-MSS-CODECDA", REQ_CODECDA, findings)
    if not cdas:
        if codecda is not None:
            findings.append(
                Finding(
                    "mss.codecda.unexpected",
                    REQ_CODECDA,
                    f"X-MSS-CODECDA: {codecda} but no IHE_XDM archive with a CDA is attached",
                    location="header X-MSS-CODECDA",
                )
            )
    elif codecda is None:
        findings.append(
            Finding(
                "mss.codecda.missing",
                REQ_CODECDA,
                f"an IHE_XDM archive with a CDA is attached but X-MSS-CODECDA is absent (expected {','.join(codes)})",
                location="header X-MSS-CODECDA",
            )
        )
    else:
        sent = [v.strip() for v in codecda.split(",") if v.strip()]
        if set(sent) != set(codes):
            findings.append(
                Finding(
                    "mss.codecda.value",
                    REQ_CODECDA,
                    f"X-MSS-CODECDA: {codecda} does not match "
                    f"the code@code of the attached CDA ({','.join(codes) or 'none'})",
                    location="header X-MSS-CODECDA",
                )
            )
    ins = _one(parsed, "X-MSS-INS", REQ_INS, findings)
    if not cdas:
        if ins is not None:
            findings.append(
                Finding(
                    "mss.ins.unexpected",
                    REQ_INS,
                    f"X-MSS-INS: {ins} but no CDA is attached",
                    location="header X-MSS-INS",
                )
            )
    else:
        expected = "O" if any(qualified_ins(r) for r in cdas) else "N"
        why = (
            "a CDA carries a qualified INS (matricule, OID, traits)"
            if expected == "O"
            else "no attached CDA carries a qualified INS (matricule + INS OID + every trait)"
        )
        if ins is None:
            findings.append(
                Finding(
                    "mss.ins.missing",
                    REQ_INS,
                    f"a CDA is attached but X-MSS-INS is absent (expected {expected}: {why})",
                    location="header X-MSS-INS",
                )
            )
        elif ins.strip() != expected:
            findings.append(
                Finding(
                    "mss.ins.value",
                    REQ_INS,
                    f"X-MSS-INS: {ins} but {expected} is expected: {why}",
                    location="header X-MSS-INS",
                )
            )
    patients = patient_recipients(parsed, recipients, patient_domain)
    if patients:
        mes = _one(parsed, "X-MSS-MES", REQ_MES, findings)
        if mes is None or mes.strip().upper() != "FIN":
            findings.append(
                Finding(
                    "mss.mes.missing",
                    REQ_MES,
                    f"message to the patient mailbox "
                    f"{', '.join(patients)} without X-MSS-MES: FIN (found {mes!r}): the patient "
                    "could answer",
                    location="header X-MSS-MES",
                )
            )
    return findings


def _birth_date(value: str) -> str:
    digits = value[:8]
    return f"{digits[6:8]}/{digits[4:6]}/{digits[0:4]}" if len(digits) == 8 and digits.isdigit() else ""


@rule("mss.subject", requirement="MSS-SUBJ-01", summary="Subject of the volet (prefix, patient)")
def check_subject(parsed: ParsedMessage, cdas: Sequence[CdaReport]) -> list[Finding]:
    """``XDM/1.0/DDM+<libellé> <NOM> <prénom> <date de naissance>`` on a document message."""
    if not cdas:
        return []
    subject = parsed.header("Subject") or ""
    where = "header Subject"
    if SUBJECT_PREFIX not in subject:
        return [
            Finding(
                "mss.subject.prefix",
                REQ_SUBJECT,
                f"subject {subject!r} does not follow {SUBJECT_PREFIX}<libellé> <NOM> <prénom> <date de naissance>",
                location=where,
            )
        ]
    findings = []
    tail = subject.split(SUBJECT_PREFIX, 1)[1].upper()
    for report in cdas:
        header = report.header
        wanted = [v for v in (header.birth_name.upper(), _birth_date(header.birth_time)) if v]
        missing = [v for v in wanted if v not in tail]
        if missing:
            findings.append(
                Finding(
                    "mss.subject.patient",
                    REQ_SUBJECT,
                    f"subject {subject!r} does not name the "
                    f"patient of the document ({' '.join(wanted)}): missing {', '.join(missing)}",
                    location=where,
                )
            )
    return findings


@rule("mss.from", requirement="MSS-FROM-01", summary="one From, an MSSanté address, the envelope sender")
def check_from(parsed: ParsedMessage, envelope_sender: str | None) -> list[Finding]:
    """``From`` names exactly one MSSanté mailbox, the one that submitted the message."""
    senders = addresses(parsed.headers("From"))
    if len(senders) != 1:
        return [
            Finding(
                "mss.from.count",
                REQ_FROM,
                f"From names {len(senders)} mailboxes; exactly one is expected (the DUI's mailbox)",
                location="header From",
            )
        ]
    sender = senders[0]
    findings = []
    if not sender.endswith(".mssante.fr"):
        findings.append(
            Finding("mss.from.domain", REQ_FROM, f"From {sender} is not an MSSanté address", location="header From")
        )
    if envelope_sender and sender != envelope_sender.lower():
        findings.append(
            Finding(
                "mss.from.envelope",
                REQ_FROM,
                f"From {sender} differs from the mailbox that sent the message (MAIL FROM {envelope_sender})",
                location="header From",
            )
        )
    return findings


@rule("mss.ack", requirement="MSS-ACK-01", summary="acknowledgement asked (Disposition-Notification-To)")
def check_ack(parsed: ParsedMessage, ack_requested: bool | None) -> list[Finding]:
    """``Disposition-Notification-To`` present (one valid address) when an acknowledgement was asked for."""
    values = parsed.headers("Disposition-Notification-To")
    if ack_requested and not values:
        return [
            Finding(
                "mss.ack.missing",
                REQ_ACK,
                "an acknowledgement was asked for but the message has no "
                "Disposition-Notification-To header (RFC 8098 §2.1)",
                location="header Disposition-Notification-To",
            )
        ]
    if values and len(addresses(values)) != 1:
        return [
            Finding(
                "mss.ack.address",
                REQ_ACK,
                f"Disposition-Notification-To {values!r} must name exactly one mailbox",
                location="header Disposition-Notification-To",
            )
        ]
    return []


@rule("mss.patient", requirement="MSS-PAT-01", summary="a document invisible to the patient is not sent to the patient")
def check_invisible(
    parsed: ParsedMessage,
    confidentiality: Sequence[str],
    recipients: Sequence[str] = (),
    *,
    patient_domain: str = PATIENT_DOMAIN,
) -> list[Finding]:
    """No document marked INVISIBLE_PATIENT (XDS confidentialityCode, TRE_A07) goes to a patient mailbox."""
    patients = patient_recipients(parsed, recipients, patient_domain)
    if patients and "INVISIBLE_PATIENT" in confidentiality:
        return [
            Finding(
                "mss.patient.invisible",
                REQ_PATIENT,
                f"a document whose METADATA.XML confidentialityCode "
                f"is INVISIBLE_PATIENT is sent to the patient mailbox {', '.join(patients)}",
                location="METADATA.XML confidentialityCode",
            )
        ]
    return []
