"""The reference DUI's own reading and writing of HL7 v2 ER7 text (its code, not the harness's validator).

Only what an identity feed needs: segments split on CR, fields on ``|``, repetitions on ``~``,
components on ``^`` and subcomponents on ``&``, with the escape sequences of HL7 v2.5 §2.7.4.
A message whose MSH does not declare the standard delimiters ``|^~\\&`` is refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Er7Error", "Message", "escape", "parse"]

STANDARD = "^~\\&"
_UNESCAPE = {"F": "|", "S": "^", "R": "~", "E": "\\", "T": "&"}


class Er7Error(ValueError):
    """The bytes are not an ER7 message this DUI reads; ``code`` is the HL7 table 0357 error code."""

    def __init__(self, message: str, code: int = 100) -> None:
        super().__init__(message)
        self.code = code


def escape(text: str) -> str:
    """HL7 escape sequences for text put in a field."""
    out = text.replace("\\", "\\E\\").replace("|", "\\F\\").replace("^", "\\S\\").replace("~", "\\R\\")
    return re.sub(r"[\r\n]+", " ", out.replace("&", "\\T\\"))


def unescape(text: str) -> str:
    return re.sub(r"\\([FSRET])\\", lambda m: _UNESCAPE[m.group(1)], text)


@dataclass(frozen=True)
class Message:
    """A read ER7 message: its segments, each a list of raw fields (field 0 = the segment name)."""

    segments: tuple[tuple[str, ...], ...]

    def all(self, name: str) -> list[tuple[str, ...]]:
        return [s for s in self.segments if s[0] == name]

    def first(self, name: str) -> tuple[str, ...] | None:
        found = self.all(name)
        return found[0] if found else None

    def field(self, name: str, number: int) -> str:
        """Raw field ``number`` of the first ``name`` segment (MSH counted as HL7 does: MSH-1 is ``|``)."""
        segment = self.first(name)
        if segment is None:
            return ""
        index = number - 1 if name == "MSH" else number
        return segment[index] if 0 <= index < len(segment) else ""

    @property
    def control_id(self) -> str:
        return self.field("MSH", 10)

    @property
    def event(self) -> str:
        parts = self.field("MSH", 9).split("^")
        return parts[1] if len(parts) > 1 else ""


def components(value: str) -> list[str]:
    return [unescape(c) for c in value.split("^")]


def repetitions(value: str) -> list[str]:
    return [r for r in value.split("~") if r]


def parse(data: bytes, *, max_segments: int = 200) -> Message:
    """Read one ER7 message (UTF-8); :class:`Er7Error` when it is not one."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Er7Error(f"not UTF-8 text at byte {exc.start}", 102) from None
    if any(ord(ch) < 32 and ch not in "\r\n\t" for ch in text):
        raise Er7Error("control characters in the message", 102)
    lines = [line for line in re.split(r"\r\n|\r|\n", text) if line.strip()]
    if not lines or not lines[0].startswith("MSH"):
        raise Er7Error("the message does not start with an MSH segment", 100)
    if len(lines[0]) < 8 or lines[0][3] != "|" or lines[0][4:8] != STANDARD:
        raise Er7Error(f"MSH does not declare the standard delimiters |{STANDARD}", 100)
    if len(lines) > max_segments:
        raise Er7Error(f"more than {max_segments} segments", 100)
    segments = []
    for line in lines:
        fields = line.split("|")
        if not re.fullmatch(r"[A-Z][A-Z0-9]{2}", fields[0]):
            raise Er7Error(f"segment name {fields[0][:10]!r} is not an HL7 segment id", 100)
        segments.append(tuple(fields))
    return Message(tuple(segments))
