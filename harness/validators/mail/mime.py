"""Parse one RFC 5322 / MIME message safely and say what is wrong with its form.

The stdlib parser (``email`` with the ``default`` policy) does the parsing; this module
bounds what it is given (size, depth, number of parts), turns the parser's defects into
findings located by MIME part, and collects the attachments (decoded, in memory). A
``message/rfc822`` part (the original message inside an MDN) is kept whole, never walked.
"""

from __future__ import annotations

import email
import email.policy
import re
from dataclasses import dataclass, field
from email.message import EmailMessage, Message
from email.utils import getaddresses
from typing import Any

from harness.core.findings import Finding, Severity
from harness.core.rules import rule
from harness.validators.mail.headerregistry import SharedHeaderRegistry

__all__ = ["REQ_MIME", "Attachment", "ParsedMessage", "addresses", "parse_message"]

REQ_MIME = "MSS-MIME-01"
MAX_MESSAGE_BYTES = 64 * 1024 * 1024
MAX_PARTS = 200
MAX_DEPTH = 16
MAX_LINE = 998  # RFC 5322 §2.1.1, without CRLF
#: headers RFC 5322 §3.6 allows at most once
SINGLE_HEADERS = ("from", "sender", "reply-to", "to", "cc", "subject", "date", "message-id", "in-reply-to")
_HEADER_END = re.compile(rb"\r?\n\r?\n")


class _OncePolicy(email.policy.EmailPolicy):
    """Policy ``default``, each header value parsed once.

    With ``default``, every read of a header (``message["Content-Type"]``, ``get_content_type()``,
    ``get_filename()``…) parses its value again into a structured header: the checks of one
    MSSanté message read ~50 of them, and that parsing was most of the operator's CPU per message
    (issue 18). Here the structured header is kept per ``(name, value)`` for the life of the message,
    and parsed by a :class:`~.headerregistry.SharedHeaderRegistry` (short values shared by every message
    of the process); header objects are immutable."""

    def __init__(self, **kw: Any) -> None:
        kw.setdefault("header_factory", _REGISTRY)
        super().__init__(**kw)
        object.__setattr__(self, "_parsed", {})

    def header_fetch_parse(self, name: str, value: str) -> str:
        if hasattr(value, "name"):
            return value
        parsed: dict[tuple[str, str], str] = self.__dict__["_parsed"]
        key = (name, value)
        if key not in parsed:
            parsed[key] = super().header_fetch_parse(name, value)
        return parsed[key]


_REGISTRY = SharedHeaderRegistry()


_MULTIPART_LINE = re.compile(rb"(?im)^content-type:[ \t]*multipart/")
_DELIMITER_LINE = re.compile(rb"(?m)^--")


@dataclass(frozen=True)
class Attachment:
    """One decoded leaf part that carries a file name or is not text."""

    filename: str
    content_type: str
    data: bytes
    location: str


@dataclass
class ParsedMessage:
    """A parsed message, its attachments and the findings about its form."""

    message: EmailMessage | None
    raw_size: int
    attachments: list[Attachment] = field(default_factory=list)
    parts: list[tuple[str, Message]] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    def header(self, name: str) -> str | None:
        """The first value of header ``name`` (decoded, unfolded), or None."""
        if self.message is None:
            return None
        values = self.headers(name)
        return values[0] if values else None

    def headers(self, name: str) -> list[str]:
        if self.message is None:
            return []
        try:
            return [str(v).strip() for v in self.message.get_all(name, [])]
        except (ValueError, TypeError, IndexError):  # a header the policy cannot decode
            return [str(v) for v in self.message.get_all(name, [])]


def addresses(values: list[str]) -> list[str]:
    """Lower-cased addr-specs of address header values (display names dropped)."""
    return [addr.lower() for _, addr in getaddresses(values) if addr]


def _finding(rule: str, message: str, location: str, severity: Severity = Severity.ERROR) -> Finding:
    return Finding(rule, REQ_MIME, message, severity, location)


def _header_findings(raw: bytes, message: EmailMessage) -> list[Finding]:
    findings: list[Finding] = []
    match = _HEADER_END.search(raw)
    head = raw[: match.start()] if match else raw
    if any(b > 0x7F for b in head):
        findings.append(
            _finding(
                "mail.header.8bit",
                "the header section carries raw 8-bit bytes: non-ASCII "
                "header text must be encoded (RFC 2047) unless SMTPUTF8 was negotiated",
                "header section",
            )
        )
    for name in ("From", "Date"):
        if message.get(name) is None:
            findings.append(
                _finding("mail.header.required", f"no {name} header (RFC 5322 §3.6: mandatory)", f"header {name}")
            )
    if message.get("Message-ID") is None:
        findings.append(
            _finding(
                "mail.header.message_id",
                "no Message-ID header: MSSanté acknowledgements "
                "(MDN Original-Message-ID) and replies cannot refer to this message",
                "header Message-ID",
            )
        )
    for name in SINGLE_HEADERS:
        count = len(message.get_all(name, []))
        if count > 1:
            findings.append(
                _finding(
                    "mail.header.repeated",
                    f"header {name} appears {count} times (RFC 5322 §3.6: at most once)",
                    f"header {name}",
                )
            )
    if message.get_content_maintype() == "multipart" and message.get("MIME-Version") is None:
        findings.append(
            _finding(
                "mail.mime.version",
                "multipart message without a MIME-Version header (RFC 2045 §4)",
                "header MIME-Version",
            )
        )
    return findings


def _long_lines(raw: bytes) -> Finding | None:
    for number, line in enumerate(raw.split(b"\n"), start=1):
        length = len(line.rstrip(b"\r"))
        if length > MAX_LINE:
            return _finding(
                "mail.line.length",
                f"line {number} has {length} characters; RFC 5322 §2.1.1 allows {MAX_LINE}",
                f"line {number}",
            )
    return None


def _walk(parsed: ParsedMessage, part: Message, location: str, depth: int) -> None:
    if len(parsed.parts) >= MAX_PARTS:
        if len(parsed.parts) == MAX_PARTS:
            parsed.findings.append(
                _finding("mail.mime.parts", f"more than {MAX_PARTS} MIME parts: the rest is not examined", location)
            )
            parsed.parts.append((location, part))
        return
    parsed.parts.append((location, part))
    for defect in getattr(part, "defects", []):
        parsed.findings.append(_finding("mail.mime.defect", f"{type(defect).__name__}: {defect}", location))
    if depth > MAX_DEPTH:
        parsed.findings.append(
            _finding("mail.mime.depth", f"MIME parts nested deeper than {MAX_DEPTH} levels", location)
        )
        return
    content_type = part.get_content_type()
    if content_type == "message/rfc822" or content_type.startswith("message/"):
        return  # an enclosed message (MDN part 3) or report fields: not walked
    if part.is_multipart():
        children = part.get_payload()
        if not isinstance(children, list) or not children:
            parsed.findings.append(_finding("mail.mime.empty", "multipart part without any body part", location))
            return
        for index, child in enumerate(children, start=1):
            if isinstance(child, Message):
                _walk(parsed, child, f"{location}.{index}" if location != "message" else f"part {index}", depth + 1)
        return
    filename = part.get_filename()
    if filename is None and part.get_content_maintype() in ("text", "multipart"):
        return
    try:
        data = part.get_payload(decode=True)
    except (ValueError, TypeError, AssertionError) as exc:
        parsed.findings.append(_finding("mail.mime.decode", f"part cannot be decoded: {exc}", location))
        return
    if not isinstance(data, bytes):
        data = b""
    for defect in getattr(part, "defects", []):  # decoding may add defects (bad base64 padding)
        text = f"{type(defect).__name__}: {defect}"
        if not any(f.message == text and f.location == location for f in parsed.findings):
            parsed.findings.append(_finding("mail.mime.defect", text, location))
    parsed.attachments.append(Attachment(filename or "", content_type, data, location))


@rule("mail", requirement="MSS-MIME-01", summary="an RFC 5322 / MIME message within limits")
def parse_message(raw: bytes, *, max_bytes: int = MAX_MESSAGE_BYTES) -> ParsedMessage:
    """Parse ``raw`` (the bytes of one message as sent) and check its form.

    Returns:
        The parsed message (None when it could not be parsed at all), its attachments
        and the ``MSS-MIME-01`` findings.
    """
    if len(raw) > max_bytes:
        return ParsedMessage(
            None,
            len(raw),
            findings=[
                _finding("mail.size", f"message of {len(raw)} bytes exceeds the limit of {max_bytes} bytes", "message")
            ],
        )
    if not raw.strip():
        return ParsedMessage(None, len(raw), findings=[_finding("mail.empty", "empty message", "message")])
    containers, delimiters = len(_MULTIPART_LINE.findall(raw)), len(_DELIMITER_LINE.findall(raw))
    if containers > MAX_DEPTH or delimiters > 2 * MAX_PARTS + 2 * MAX_DEPTH:
        # counted in one pass before parsing: 2000 nested multiparts took the parser 11 s (issue 17)
        return ParsedMessage(
            None,
            len(raw),
            findings=[
                _finding(
                    "mail.mime.depth" if containers > MAX_DEPTH else "mail.mime.parts",
                    f"MIME structure refused before parsing: {containers} multipart containers (limit {MAX_DEPTH}), "
                    f"{delimiters} boundary lines (limit {2 * MAX_PARTS + 2 * MAX_DEPTH})",
                    "message",
                )
            ],
        )
    try:
        message = email.message_from_bytes(raw, _class=EmailMessage, policy=_OncePolicy())
        assert isinstance(message, EmailMessage)
        parsed = ParsedMessage(message, len(raw))
        parsed.findings += _header_findings(raw, message)
        long_line = _long_lines(raw)
        if long_line is not None:
            parsed.findings.append(long_line)
        _walk(parsed, message, "message", 0)
    except RecursionError:
        return ParsedMessage(
            None,
            len(raw),
            findings=[_finding("mail.mime.depth", "MIME structure nested too deeply to be parsed", "message")],
        )
    except (ValueError, TypeError, IndexError, LookupError, AttributeError) as exc:
        return ParsedMessage(
            None,
            len(raw),
            findings=[
                _finding(
                    "mail.mime.parse",
                    f"the message cannot be parsed as RFC 5322 / MIME: {type(exc).__name__}: {exc}",
                    "message",
                )
            ],
        )
    return parsed
