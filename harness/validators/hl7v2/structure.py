"""Judge an ER7 message's header, segment structure and field datatypes against HL7 v2.5.

* ``HL7-MSG-02`` — MSH: MSH-7 date/time, MSH-9 ``ADT^Axx^ADT_Ayy`` (or ``ACK``), MSH-10 control id,
  MSH-11 processing id (table 0103), MSH-12 version 2.5 (PAM.Fr: ``2.5^FRA^2.x``), per HL7 v2.5
  §2.14.9 and IHE PAM France (ITI-30/ITI-31, MSH-12 ``2.5^FRA^<PAM.Fr version>``).
* ``HL7-MSG-03`` — the required fields of each segment (EVN-2, PID-3, PID-5, PV1-2, MRG-1…) and
  the segments of the message structure, in order and with their cardinality, as
  hl7apy's HL7 v2.5 reference defines them (``ADT_A05`` for A28/A31, ``ADT_A01`` for A01/A04/A08,
  ``ADT_A39`` for A40, ``ADT_A30`` for A47, ``ACK``); Z segments (PAM.Fr ZBE, ZFA, ZFD…) are allowed.
* ``HL7-MSG-04`` — each field value against its HL7 v2.5 datatype (hl7apy strict parsing: dates,
  numbers, set ids) and the number of components the datatype has.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from hl7apy import load_reference
from hl7apy.consts import VALIDATION_LEVEL
from hl7apy.exceptions import ChildNotFound, HL7apyException
from hl7apy.parser import parse_field

from harness.core.findings import Finding, Severity
from harness.validators.hl7v2.er7 import Er7Message, Segment, location

__all__ = [
    "REQ_DATATYPE",
    "REQ_HEADER",
    "REQ_STRUCTURE",
    "STRUCTURES",
    "check_datatypes",
    "check_header",
    "check_required",
    "check_structure",
]

REQ_HEADER = "HL7-MSG-02"
REQ_STRUCTURE = "HL7-MSG-03"
REQ_DATATYPE = "HL7-MSG-04"
VERSION = "2.5"
#: trigger event -> message structure in HL7 v2.5 (chapter 3 and the PAM.Fr transactions)
STRUCTURES = {
    "A01": "ADT_A01",
    "A04": "ADT_A01",
    "A08": "ADT_A01",
    "A28": "ADT_A05",
    "A31": "ADT_A05",
    "A40": "ADT_A39",
    "A47": "ADT_A30",
}
_DTM = re.compile(r"^\d{4}(\d{2}(\d{2}(\d{2}(\d{2}(\d{2}(\.\d{1,4})?)?)?)?)?)?([+-]\d{4})?$", re.ASCII)
_PROCESSING_IDS = ("P", "D", "T")


def _finding(rule: str, requirement: str, message: str, where: str, severity: Severity = Severity.ERROR) -> Finding:
    return Finding(rule=rule, requirement=requirement, message=message, severity=severity, location=where)


def check_header(message: Er7Message) -> list[Finding]:
    """MSH-7, -9, -10, -11, -12 of a message (HL7-MSG-02)."""
    msh = message.first("MSH")
    if msh is None:
        return []
    findings: list[Finding] = []
    when = message.component(msh.field(7), 1)
    if not _DTM.match(when):
        findings.append(
            _finding(
                "hl7.msh.datetime",
                REQ_HEADER,
                f"MSH-7 date/time of message (HL7 DTM "
                f"YYYYMMDD[HHMM[SS]]); trouvé / found: {when!r}; expected e.g. '20260312094500'",
                location(msh, 7),
            )
        )
    code, event, structure = message.type_parts()
    expected = STRUCTURES.get(event) if code == "ADT" else ("ACK" if code == "ACK" else None)
    if code not in ("ADT", "ACK") or (code == "ADT" and expected is None):
        known = ", ".join(f"ADT^{e}^{s}" for e, s in STRUCTURES.items())
        findings.append(
            _finding(
                "hl7.msh.type",
                REQ_HEADER,
                f"MSH-9 message type not handled by the PAM.Fr "
                f"identity feed; trouvé / found: {message.message_type!r}; expected one of {known}",
                location(msh, 9),
            )
        )
    elif code == "ADT" and structure != expected:
        findings.append(
            _finding(
                "hl7.msh.structure",
                REQ_HEADER,
                f"MSH-9.3 message structure of ADT^{event} "
                f"(HL7 v2.5 table 0354); trouvé / found: {structure!r}; "
                f"attendu / expected: {expected!r}",
                location(msh, 9, component=3),
            )
        )
    if not msh.field(10).strip():
        findings.append(
            _finding(
                "hl7.msh.control-id",
                REQ_HEADER,
                "MSH-10 message control id is required "
                "(the ACK echoes it in MSA-2); trouvé / found: empty; attendu / expected: a unique id",
                location(msh, 10),
            )
        )
    processing = message.component(msh.field(11), 1)
    if processing not in _PROCESSING_IDS:
        findings.append(
            _finding(
                "hl7.msh.processing-id",
                REQ_HEADER,
                f"MSH-11 processing id (HL7 table 0103); trouvé / found: {processing!r}; expected one of P, D, T",
                location(msh, 11),
            )
        )
    version = message.component(msh.field(12), 1)
    if version != VERSION:
        findings.append(
            _finding(
                "hl7.msh.version",
                REQ_HEADER,
                f"MSH-12 version id: IHE PAM France is built on "
                f"HL7 v2.5; trouvé / found: {version!r}; "
                "attendu / expected: '2.5' (e.g. '2.5^FRA^2.11')",
                location(msh, 12),
            )
        )
    elif message.component(msh.field(12), 2) != "FRA":
        findings.append(
            _finding(
                "hl7.msh.version",
                REQ_HEADER,
                f"MSH-12.2 internationalization code of the "
                f"French extension; trouvé / found: {message.component(msh.field(12), 2)!r}; "
                "attendu / expected: 'FRA' (e.g. '2.5^FRA^2.11')",
                location(msh, 12, component=2),
                Severity.WARNING,
            )
        )
    return findings


# -- segment structure ------------------------------------------------------------------------------
def _children(name: str, kind: str) -> list[tuple[str, int, int]]:
    """(child name, min, max) of a message structure or group in the HL7 v2.5 reference (max -1: any)."""
    reference: Any = load_reference(name, kind, VERSION)
    return [(child[0], child[2][0], child[2][1]) for child in reference[1]]


def _match(children: list[tuple[str, int, int]], names: list[str], start: int, missing: list[str]) -> int:
    """Greedy HL7 matching of ``names[start:]`` against a sequence; returns the next unmatched index."""
    index = start
    for child, low, high in children:
        count = 0
        while index < len(names) and (high == -1 or count < high):
            if len(child) == 3:
                if names[index] != child:
                    break
                index += 1
            else:
                inner: list[str] = []
                after = _match(_children(child, "Group"), names, index, inner)
                if after == index:
                    break
                missing.extend(inner)
                index = after
            count += 1
        if count < low:
            missing.append(child if len(child) == 3 else f"{child} (group)")
    return index


def check_structure(message: Er7Message) -> list[Finding]:
    """The segments against the v2.5 message structure of MSH-9 (HL7-MSG-03)."""
    code, event, _ = message.type_parts()
    structure = "ACK" if code == "ACK" else STRUCTURES.get(event) if code == "ADT" else None
    if structure is None:
        return []  # already reported by check_header
    segments = [s for s in message.segments if not s.name.startswith("Z")]
    names = [s.name for s in segments]
    missing: list[str] = []
    try:
        end = _match(_children(structure, "Message"), names, 0, missing)
    except ChildNotFound:  # pragma: no cover - STRUCTURES only names structures of the reference
        return []
    order = " ".join(names)
    findings = [
        _finding(
            "hl7.structure.missing",
            REQ_STRUCTURE,
            f"{structure} (HL7 v2.5) requires segment "
            f"{name} here; trouvé / found: {order}; expected the {structure} order",
            f"{structure}.{name}",
        )
        for name in missing
    ]
    for segment in segments[end:]:
        findings.append(
            _finding(
                "hl7.structure.unexpected",
                REQ_STRUCTURE,
                f"segment {segment.name} (line "
                f"{segment.line}) is not allowed at this place of {structure}; "
                f"trouvé / found: {order}",
                segment.where,
            )
        )
    return findings


# -- datatypes --------------------------------------------------------------------------------------
@lru_cache(maxsize=64)
def _field_refs(segment: str) -> dict[int, tuple[str, int]] | None:
    """field number -> (datatype, number of components) of a v2.5 segment; None for unknown ones."""
    try:
        reference: Any = load_reference(segment, "Segment", VERSION)
    except ChildNotFound:
        return None
    out: dict[int, tuple[str, int]] = {}
    for child in reference[1]:
        number = int(child[0].rsplit("_", 1)[1])
        ref = child[1]
        out[number] = (str(ref[2]), len(ref[1]) if ref[0] == "sequence" else 1)
    return out


@lru_cache(maxsize=64)
def _required_fields(segment: str) -> tuple[int, ...]:
    """Field numbers HL7 v2.5 marks required (R) in ``segment`` (MSH is judged by check_header)."""
    try:
        reference: Any = load_reference(segment, "Segment", VERSION)
    except ChildNotFound:
        return ()
    return tuple(int(child[0].rsplit("_", 1)[1]) for child in reference[1] if child[2][0] >= 1)


def check_required(message: Er7Message) -> list[Finding]:
    """Required fields of every known segment but MSH (EVN-2, PID-3, PID-5, PV1-2, MRG-1…) (HL7-MSG-03)."""
    findings = []
    for segment in message.segments:
        if segment.name == "MSH":
            continue
        for number in _required_fields(segment.name):
            if not segment.field(number).strip():
                findings.append(
                    _finding(
                        "hl7.field.required",
                        REQ_STRUCTURE,
                        f"{segment.name}-{number} is required "
                        "by HL7 v2.5; trouvé / found: empty; attendu / expected: a value",
                        location(segment, number),
                    )
                )
    return findings


def check_datatypes(message: Er7Message) -> list[Finding]:
    """Each non-empty field repetition of a known segment, parsed strictly by hl7apy (HL7-MSG-04)."""
    findings: list[Finding] = []
    for segment in message.segments:
        refs = _field_refs(segment.name)
        if refs is None:
            if not segment.name.startswith("Z"):
                findings.append(
                    _finding(
                        "hl7.segment.unknown",
                        REQ_DATATYPE,
                        f"segment {segment.name} is not "
                        "defined by HL7 v2.5 and is not a Z segment; trouvé / found: "
                        f"{segment.name!r}",
                        segment.where,
                        Severity.WARNING,
                    )
                )
            continue
        last = len(segment.fields) - 1
        if last > max(refs):
            findings.append(
                _finding(
                    "hl7.field.count",
                    REQ_DATATYPE,
                    f"{segment.name} has {max(refs)} fields in HL7 v2.5; trouvé / found: {last} fields",
                    location(segment, last),
                )
            )
        first = 3 if segment.name == "MSH" else 1
        for number in range(first, min(last, max(refs)) + 1):
            findings += _field_findings(message, segment, number, refs[number])
    return findings


def _field_findings(message: Er7Message, segment: Segment, number: int, ref: tuple[str, int]) -> list[Finding]:
    datatype, size = ref
    findings = []
    for index, value in enumerate(message.repetitions(segment.field(number)), start=1):
        if not value or value == '""':
            continue
        where = location(segment, number, index)
        components = message.components(value)
        if size > 1 and len(components) > size:
            findings.append(
                _finding(
                    "hl7.datatype.components",
                    REQ_DATATYPE,
                    f"{datatype} has {size} components; trouvé / found: {len(components)} in {value!r}",
                    where,
                )
            )
            continue
        reason = _datatype_problem(
            f"{segment.name}_{number}", value, message.delimiters.field + message.delimiters.encoding_characters
        )
        if reason is not None:
            bad = reason.split(" is not ", 1)[0]
            place = next(
                (
                    i
                    for i, c in enumerate(components, start=1)
                    if c == bad or bad in c.split(message.delimiters.subcomponent)
                ),
                None,
            )
            if place is not None and size > 1:
                where = location(segment, number, index, place)
            findings.append(
                _finding(
                    "hl7.datatype.value",
                    REQ_DATATYPE,
                    f"value not valid for HL7 v2.5 datatype "
                    f"{datatype} of {segment.name}-{number}: {reason}; "
                    f"trouvé / found: {bad!r}",
                    where,
                )
            )
    return findings


@lru_cache(maxsize=4096)
def _datatype_problem(name: str, value: str, delimiters: str) -> str | None:
    """hl7apy's strict parsing of one field repetition: None when valid, else its reason (memoised)."""
    field, component, repetition, escape, subcomponent = tuple(delimiters)
    encoding = {
        "FIELD": field,
        "COMPONENT": component,
        "SUBCOMPONENT": subcomponent,
        "REPETITION": repetition,
        "ESCAPE": escape,
        "GROUP": "\r",
        "SEGMENT": "\r",
    }
    try:
        parse_field(
            value, name=name, version=VERSION, encoding_chars=encoding, validation_level=VALIDATION_LEVEL.STRICT
        )
    except (ValueError, HL7apyException) as exc:
        return str(exc)
    return None
