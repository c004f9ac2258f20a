"""Read HL7 v2 ER7 bytes into segments, fields, repetitions and components, with exact locations.

HL7 v2.5 chapter 2 (§2.5 "Message construction rules", §2.5.4 "Message delimiters"): a message
is a sequence of segments terminated by a carriage return, the first being ``MSH``; MSH-1 is the
field separator and MSH-2 the component, repetition, escape and subcomponent separators, in that
order. IHE ITI TF-2x Appendix C (HL7 profiling conventions), which IHE PAM and its French
extension follow, requires the recommended values ``|`` and ``^~\\&``.

This module does not judge identities; it turns bytes into an :class:`Er7Message` and reports
what makes the bytes unreadable as ER7 (no MSH, binary noise, wrong delimiters, undecodable
text) as findings of ``HL7-MSG-01``. Locations read ``PID[1]-3[2].4.2``: first PID segment, field
3, second repetition, component 4, subcomponent 2.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from harness.core.findings import Finding, Severity

__all__ = [
    "MAX_MESSAGE_BYTES",
    "REQ_MESSAGE",
    "STANDARD_DELIMITERS",
    "Delimiters",
    "Er7Message",
    "Segment",
    "location",
    "read_er7",
    "split_messages",
]

REQ_MESSAGE = "HL7-MSG-01"
#: an identity feed message is a few kilobytes; anything beyond is refused unread
MAX_MESSAGE_BYTES = 1024 * 1024
STANDARD_DELIMITERS = "|^~\\&"
_SEGMENT_ID = re.compile(r"^[A-Z][A-Z0-9]{2}$")
#: bytes that never appear in ER7 text: C0 controls except TAB, LF, CR (and the MLLP frame bytes)
_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CHARSETS = {
    "": "utf-8",  # HL7 default is ASCII; UTF-8 is a superset and what PAM.Fr messages declare
    "ASCII": "ascii",
    "UNICODE UTF-8": "utf-8",
    "8859/1": "latin-1",
    "8859/15": "iso8859-15",
}


@dataclass(frozen=True)
class Delimiters:
    """The five ER7 delimiters of a message (MSH-1 and MSH-2)."""

    field: str = "|"
    component: str = "^"
    repetition: str = "~"
    escape: str = "\\"
    subcomponent: str = "&"

    @property
    def encoding_characters(self) -> str:
        return self.component + self.repetition + self.escape + self.subcomponent


@dataclass
class Segment:
    """One segment: its id, its occurrence number among segments of that id, and its fields.

    ``fields[n]`` is field *n* (1-based), as in the HL7 numbering: for MSH, ``fields[1]`` is the
    field separator and ``fields[2]`` the encoding characters.
    """

    name: str
    occurrence: int
    line: int
    fields: list[str]

    def field(self, number: int) -> str:
        return self.fields[number] if number < len(self.fields) else ""

    @property
    def where(self) -> str:
        return f"{self.name}[{self.occurrence}]"


@dataclass
class Er7Message:
    """A message read from ER7 text: delimiters, segments in order, the text they came from."""

    text: str
    delimiters: Delimiters
    segments: list[Segment] = field(default_factory=list)
    terminators: frozenset[str] = frozenset({"\r"})

    def segments_named(self, name: str) -> list[Segment]:
        return [s for s in self.segments if s.name == name]

    def first(self, name: str) -> Segment | None:
        found = self.segments_named(name)
        return found[0] if found else None

    def repetitions(self, value: str) -> list[str]:
        return value.split(self.delimiters.repetition) if value else []

    def components(self, value: str) -> list[str]:
        return value.split(self.delimiters.component)

    def subcomponents(self, value: str) -> list[str]:
        return value.split(self.delimiters.subcomponent)

    def component(self, value: str, number: int) -> str:
        parts = self.components(value)
        return parts[number - 1] if number - 1 < len(parts) else ""

    def subcomponent(self, value: str, number: int) -> str:
        parts = self.subcomponents(value)
        return parts[number - 1] if number - 1 < len(parts) else ""

    @property
    def message_type(self) -> str:
        """MSH-9 as sent (``ADT^A28^ADT_A05``), empty without MSH."""
        msh = self.first("MSH")
        return msh.field(9) if msh else ""

    def type_parts(self) -> tuple[str, str, str]:
        """MSH-9.1 message code, MSH-9.2 trigger event, MSH-9.3 message structure."""
        value = self.message_type
        return self.component(value, 1), self.component(value, 2), self.component(value, 3)


def location(
    segment: Segment,
    field_number: int,
    repetition: int | None = None,
    component: int | None = None,
    subcomponent: int | None = None,
) -> str:
    """``PID[1]-3[2].4.2``: segment and occurrence, field, repetition, component, subcomponent."""
    text = f"{segment.where}-{field_number}"
    if repetition is not None:
        text += f"[{repetition}]"
    if component is not None:
        text += f".{component}"
        if subcomponent is not None:
            text += f".{subcomponent}"
    return text


def _finding(rule: str, message: str, where: str = "", severity: Severity = Severity.ERROR) -> Finding:
    return Finding(rule=rule, requirement=REQ_MESSAGE, message=message, severity=severity, location=where)


def split_messages(data: bytes) -> list[bytes]:
    """Split a file holding several ER7 messages (a batch without FHS/BHS) at each ``MSH`` line."""
    starts = [m.start() for m in re.finditer(rb"(?:^|(?<=[\r\n]))MSH", data)]
    if len(starts) <= 1:
        return [data]
    head = data[: starts[0]]
    parts = [data[a:b] for a, b in zip(starts, [*starts[1:], len(data)], strict=True)]
    return [head + parts[0], *parts[1:]] if head.strip() else parts


def read_er7(data: bytes, *, wire: bool = False) -> tuple[Er7Message | None, list[Finding]]:
    """Read one ER7 message; ``None`` with findings when the bytes are not an HL7 v2 message.

    Args:
        data: the message bytes (a file's content or an MLLP frame's payload).
        wire: the bytes crossed the network: segments must end with CR alone (HL7 v2.5 §2.5.4).
            Files are also accepted with LF or CR LF line ends, as editors save them.
    """
    findings: list[Finding] = []
    if len(data) > MAX_MESSAGE_BYTES:
        return None, [
            _finding(
                "hl7.size",
                f"message of {len(data)} bytes; at most {MAX_MESSAGE_BYTES} bytes are read / message trop grand",
                "message",
            )
        ]
    if data.startswith(b"\x0b") and data.rstrip(b"\r\n").endswith(b"\x1c"):
        data = data[1:].rstrip(b"\r\n")[:-1]  # an MLLP frame saved as is
        findings.append(
            _finding(
                "hl7.mllp-frame",
                "the file holds an MLLP frame (0x0B … 0x1C 0x0D); its payload was read",
                severity=Severity.INFO,
            )
        )
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    stripped = data.strip(b"\r\n\t ")
    if not stripped:
        return None, [
            *findings,
            _finding(
                "hl7.empty",
                "no HL7 message: the input is empty / message vide; "
                "trouvé / found: 0 segment; attendu / expected: MSH first",
                "message",
            ),
        ]
    noise = _CONTROL.search(stripped)
    if noise is not None:
        count = len(_CONTROL.findall(stripped))
        return None, [
            *findings,
            _finding(
                "hl7.binary",
                f"not ER7 text: {count} control byte(s), the first 0x{noise.group()[0]:02X} at offset "
                f"{noise.start()}; trouvé / found: binary data; attendu / expected: printable text segments ending "
                "with CR "
                "(HL7 v2.5 §2.5) / contenu binaire, pas un message HL7 v2",
                f"message, offset {noise.start()}",
            ),
        ]
    if not stripped.startswith(b"MSH"):
        shown = stripped[:20].decode("latin-1")
        return None, [
            *findings,
            _finding(
                "hl7.msh.missing",
                f"a message starts with the MSH segment (HL7 v2.5 §2.5); trouvé / found: {shown!r}; "
                "attendu / expected: 'MSH|^~\\&|…' / segment MSH absent",
                "MSH[1]",
            ),
        ]
    text, charset_findings = _decode(stripped)
    findings += charset_findings
    if text is None:
        return None, findings
    delimiters, delimiter_findings = _delimiters(text)
    findings += delimiter_findings
    if delimiters is None:
        return None, findings
    lines = re.split(r"\r\n|\r|\n", text)
    terminators = frozenset(re.findall(r"\r\n|\r|\n", text)) or frozenset({"\r"})
    if wire and terminators != {"\r"}:
        shown = ", ".join(sorted(repr(t) for t in terminators))
        findings.append(
            _finding(
                "hl7.terminator",
                f"segments end with CR alone (HL7 v2.5 §2.5.4); "
                f"trouvé / found: {shown}; attendu / expected: '\\r' "
                "/ terminateur de segment incorrect",
            )
        )
    message = Er7Message(text=text, delimiters=delimiters, terminators=terminators)
    counts: dict[str, int] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        name = line[:3]
        if not _SEGMENT_ID.match(name) or (len(line) > 3 and line[3] != delimiters.field):
            findings.append(
                _finding(
                    "hl7.segment.id",
                    f"line {number} is not a segment: it starts with "
                    f"{line[:12]!r}; expected a 3-character id (A-Z, 0-9) then "
                    f"{delimiters.field!r}",
                    f"line {number}",
                )
            )
            continue
        counts[name] = counts.get(name, 0) + 1
        if name == "MSH":
            fields = ["MSH", delimiters.field, *line[4:].split(delimiters.field)]
        else:
            fields = line.split(delimiters.field)
        message.segments.append(Segment(name, counts[name], number, fields))
    if counts.get("MSH", 0) > 1:
        findings.append(
            _finding(
                "hl7.msh.repeated",
                f"one message has one MSH; trouvé / found: {counts['MSH']} MSH "
                "segments; attendu / expected: 1 (split batches into messages)",
                "MSH[2]",
            )
        )
    return message, findings


def _decode(data: bytes) -> tuple[str | None, list[Finding]]:
    """Decode with the character set MSH-18 declares (HL7 table 0211; PAM.Fr uses UTF-8 or 8859/x)."""
    head = data.split(b"\r", 1)[0].split(b"\n", 1)[0]
    separator = head[3:4] or b"|"
    parts = head.split(separator)
    declared = parts[17].split(b"^")[0].decode("latin-1").strip() if len(parts) > 17 else ""
    codec = _CHARSETS.get(declared.upper())
    findings: list[Finding] = []
    if codec is None:
        findings.append(
            _finding(
                "hl7.charset",
                f"MSH-18 character set not recognised; trouvé / found: {declared!r}; "
                f"expected one of {', '.join(repr(c) for c in _CHARSETS if c)} (HL7 table 0211)",
                "MSH[1]-18",
                Severity.WARNING,
            )
        )
        codec = "utf-8"
    try:
        return data.decode(codec), findings
    except UnicodeDecodeError as exc:
        if not declared:  # nothing declared: accept Latin-1 text, with a warning
            findings.append(
                _finding(
                    "hl7.charset",
                    "text is not UTF-8 and MSH-18 declares no character set; "
                    "read as ISO 8859-1; attendu / expected: MSH-18 'UNICODE UTF-8' or '8859/1'",
                    "MSH[1]-18",
                    Severity.WARNING,
                )
            )
            return data.decode("latin-1"), findings
        findings.append(
            _finding(
                "hl7.charset",
                f"the bytes are not {declared}: byte 0x{data[exc.start]:02X} at "
                f"offset {exc.start} cannot be decoded; trouvé / found: other encoding; "
                f"attendu / expected: text in the MSH-18 character set {declared!r}",
                "MSH[1]-18",
            )
        )
        return None, findings


def _delimiters(text: str) -> tuple[Delimiters | None, list[Finding]]:
    """MSH-1 and MSH-2: five distinct, non-alphanumeric characters; IHE requires ``|^~\\&``."""
    if len(text) < 8:
        return None, [
            _finding(
                "hl7.msh.delimiters",
                f"MSH too short to hold its delimiters; trouvé / found: {text!r}; attendu / expected: 'MSH|^~\\&'",
                "MSH[1]-2",
            )
        ]
    chars = text[3:8]
    # MSH-2 may be followed by the field separator at once (4 encoding characters)
    if chars[4] == chars[0]:
        return None, [
            _finding(
                "hl7.msh.delimiters",
                f"MSH-2 has 3 encoding characters; trouvé / found: {text[4:7]!r}; "
                "attendu / expected: '^~\\&' (component, repetition, escape, subcomponent)",
                "MSH[1]-2",
            )
        ]
    bad = [c for c in chars if c.isalnum() or c in " \r\n\t"]
    if bad or len(set(chars)) != 5:
        return None, [
            _finding(
                "hl7.msh.delimiters",
                f"MSH-1/MSH-2 must be five distinct separators; trouvé / found: "
                f"{chars!r}; attendu / expected: {STANDARD_DELIMITERS!r}",
                "MSH[1]-2",
            )
        ]
    delimiters = Delimiters(*chars)
    findings = []
    if len(text) > 8 and text[8] != chars[0]:
        findings.append(
            _finding(
                "hl7.msh.delimiters",
                "MSH-2 must hold exactly 4 encoding characters; "
                f"trouvé / found: {text[4:].split(chars[0], 1)[0]!r}; attendu / expected: '^~\\&'",
                "MSH[1]-2",
            )
        )
        return None, findings
    if chars != STANDARD_DELIMITERS:
        findings.append(
            _finding(
                "hl7.msh.delimiters",
                f"IHE ITI TF-2x App. C requires the standard delimiters; "
                f"trouvé / found: {chars!r}; attendu / expected: {STANDARD_DELIMITERS!r} "
                "/ délimiteurs non standard",
                "MSH[1]-2",
            )
        )
    return delimiters, findings
