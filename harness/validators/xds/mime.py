"""Read a SOAP 1.2 message as sent over HTTP: plain (inline) or MTOM/XOP multipart/related.

The MIME layer is parsed by the standard library's :mod:`email` package (a real MIME parser:
boundaries, part headers, ``Content-Transfer-Encoding``); a plain, well-formed MTOM body is split by
:mod:`.mime_fast` instead, which gives the same parts and steps aside for anything else; with limits
on the number of parts and the total size; a broken boundary, a missing root part or an unresolvable ``xop:Include``
is a :class:`MimeError` that says what and where, never an exception of the parser.

Reference: W3C XOP 1.0 (§3 ``xop:Include href="cid:…"``), SOAP MTOM 1.2, RFC 2387
(multipart/related ``type``, ``start``, ``start-info``), IHE ITI TF-2x V.3.6 (MTOM in XDS.b).
"""

from __future__ import annotations

import base64
import email.policy
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from email.message import Message
from email.parser import BytesParser
from urllib.parse import unquote

from lxml import etree

from harness.validators.xds.mime_fast import SimplePart, simple_parts

__all__ = ["MAX_PARTS", "MimeError", "SoapMessage", "document_bytes", "split_message"]

MAX_PARTS = 200
#: deepest multipart nesting looked at (MTOM allows none; deeper is refused before parsing)
MAX_DEPTH = 8
_NESTED_MULTIPART = re.compile(rb"(?im)^content-type:[ \t]*multipart/")
XOP_NS = "http://www.w3.org/2004/08/xop/include"
XOP_MEDIA_TYPE = "application/xop+xml"


class MimeError(ValueError):
    """The HTTP body is not a usable SOAP or MTOM message.

    Attributes:
        reason: what is wrong.
        location: where (``MIME part 2``, ``Content-Type``…).
    """

    def __init__(self, reason: str, location: str = "") -> None:
        super().__init__(reason + (f" ({location})" if location else ""))
        self.reason = reason
        self.location = location


@dataclass
class SoapMessage:
    """The SOAP envelope bytes and, for MTOM, the attachments by Content-ID (without ``<>``)."""

    envelope: bytes
    mtom: bool = False
    attachments: dict[str, bytes] = field(default_factory=dict)
    attachment_types: dict[str, str] = field(default_factory=dict)
    root_content_type: str = ""


def _content_id(part: Message | SimplePart) -> str:
    raw = str(part.get("Content-ID", "")).strip()
    return raw[1:-1] if raw.startswith("<") and raw.endswith(">") else raw


def _prescan(body: bytes, boundary: str, max_parts: int, max_depth: int) -> None:
    """Refuse too many parts or too deep a nesting by counting delimiters, before the parser builds anything.

    One pass in C over the bytes (``bytes.count``): a body of a million parts or of 2000 nested
    multiparts costs no more than its size (issue 17: 12.8 CPU-s and +1 GB before, or a
    ``RecursionError`` in the standard parser).
    """
    delimiters = body.count(b"--" + boundary.encode("latin-1", errors="replace"))
    if delimiters > max_parts + 1:  # one delimiter per part, plus the closing one
        raise MimeError(
            f"more than {max_parts} MIME parts ({delimiters - 1} boundaries): more than the limit of {max_parts}",
            "body",
        )
    # the pattern only where it can match (a case-insensitive scan of every line start is ~0.2 ms per ITI-41)
    nested = len(_NESTED_MULTIPART.findall(body, 0, len(body))) if b"multipart/" in body.lower() else 0
    if nested > max_depth:
        raise MimeError(
            f"{nested} nested multipart parts: more than the limit of {max_depth} (and MTOM allows none)", "body"
        )


def split_message(
    body: bytes, content_type: str | None, *, max_parts: int = MAX_PARTS, max_depth: int = MAX_DEPTH
) -> SoapMessage:
    """Split an HTTP body into the SOAP envelope and its MTOM attachments.

    Args:
        body: the raw HTTP request or response body.
        content_type: its ``Content-Type`` header (``application/soap+xml…`` or
            ``multipart/related; type="application/xop+xml"; boundary=…``).
        max_parts: more MIME parts than this is refused (counted before parsing).
        max_depth: more nested multiparts than this is refused (counted before parsing).

    Raises:
        MimeError: a multipart body without boundary, with a broken or missing boundary, no
            root part, too many parts, or an undecodable part.
    """
    ctype = (content_type or "").strip()
    if not ctype.lower().startswith("multipart/"):
        return SoapMessage(envelope=body, root_content_type=ctype)
    if "\r" in ctype or "\n" in ctype:
        raise MimeError("the Content-Type header holds a line break", "Content-Type")
    header = b"MIME-Version: 1.0\r\nContent-Type: " + ctype.encode("latin-1", errors="replace") + b"\r\n\r\n"
    head = BytesParser(policy=email.policy.compat32).parsebytes(header)
    boundary = head.get_boundary()
    if not boundary:
        raise MimeError("multipart/related without a boundary parameter", "Content-Type")
    _prescan(body, boundary, max_parts, max_depth)
    simple = simple_parts(body, boundary) if head.get_content_type() == "multipart/related" else None
    parts: Sequence[Message | SimplePart] = simple if simple is not None else _parsed_parts(header, body, max_depth)
    if len(parts) > max_parts:
        raise MimeError(f"{len(parts)} MIME parts: more than the limit of {max_parts}", "body")
    if not parts:
        raise MimeError("multipart/related body without any part", "body")
    start = str(head.get_param("start") or "").strip()
    start = start[1:-1] if start.startswith("<") and start.endswith(">") else start
    root_index = 0
    if start:
        found = [i for i, p in enumerate(parts) if _content_id(p) == start]
        if not found:
            raise MimeError(f"no MIME part has the Content-ID <{start}> named by the start parameter", "Content-Type")
        root_index = found[0]
    root = parts[root_index]
    root_type = root.get_content_type()
    if root_type not in (XOP_MEDIA_TYPE, "application/soap+xml"):
        raise MimeError(
            f"the root MIME part is {root_type}, not {XOP_MEDIA_TYPE} (MTOM/XOP)", f"MIME part {root_index + 1}"
        )
    result = SoapMessage(
        envelope=_payload(root, root_index), mtom=True, root_content_type=str(root.get("Content-Type"))
    )
    for index, part in enumerate(parts):
        if index == root_index:
            continue
        cid = _content_id(part)
        if not cid:
            raise MimeError("an attachment MIME part has no Content-ID", f"MIME part {index + 1}")
        if cid in result.attachments:
            raise MimeError(f"two MIME parts have the Content-ID <{cid}>", f"MIME part {index + 1}")
        result.attachments[cid] = _payload(part, index)
        result.attachment_types[cid] = part.get_content_type()
    return result


def _parsed_parts(header: bytes, body: bytes, max_depth: int) -> list[Message]:
    """The parts found by the standard parser (every body :func:`simple_parts` does not take), or why not."""
    try:
        message = BytesParser(policy=email.policy.compat32).parsebytes(header + body)
    except RecursionError:  # a nesting the pre-scan could not see (no Content-Type line at a line start)
        raise MimeError(f"multipart parts nested too deep (more than {max_depth} levels)", "body") from None
    if message.get_content_type() != "multipart/related":
        raise MimeError(f"MTOM needs multipart/related, not {message.get_content_type()}", "Content-Type")
    problems = [type(d).__name__ for d in message.defects]
    if not message.is_multipart() or "StartBoundaryNotFoundDefect" in problems:
        raise MimeError(
            f"the MIME boundary {message.get_boundary()!r} of the Content-Type never starts a part "
            "in the body (broken or missing MIME boundary)",
            "body",
        )
    if "CloseBoundaryNotFoundDefect" in problems:
        raise MimeError(
            f"the closing MIME boundary --{message.get_boundary()}-- is missing (truncated or broken multipart body)",
            "body",
        )
    payload = message.get_payload()
    assert isinstance(payload, list)
    return [p for p in payload if isinstance(p, Message)]


def _payload(part: Message | SimplePart, index: int) -> bytes:
    if part.is_multipart():
        raise MimeError("a nested multipart part is not allowed in MTOM", f"MIME part {index + 1}")
    encoding = str(part.get("Content-Transfer-Encoding", "binary")).strip().lower()
    if encoding not in ("binary", "8bit", "7bit", "base64", "quoted-printable"):
        raise MimeError(f"unknown Content-Transfer-Encoding {encoding!r}", f"MIME part {index + 1}")
    data = part.get_payload(decode=True)
    if not isinstance(data, bytes):
        raise MimeError("the MIME part cannot be decoded", f"MIME part {index + 1}")
    return data


def document_bytes(document: etree._Element, message: SoapMessage) -> bytes:
    """The content of an ``xdsb:Document`` (or ``xdsb:Document`` of a retrieve response).

    Inline: the element text is base64 (``xs:base64Binary``). MTOM: one ``xop:Include``
    whose ``href="cid:…"`` names an attachment.

    Raises:
        MimeError: an unknown Content-ID, a non-cid href, or invalid base64.
    """
    include = document.find(f"{{{XOP_NS}}}Include")
    if include is not None:
        href = include.get("href", "")
        if not href.startswith("cid:"):
            raise MimeError(f"xop:Include href {href!r} is not a cid: URL", "xop:Include/@href")
        cid = unquote(href[4:])
        if cid not in message.attachments:
            known = ", ".join(sorted(message.attachments)) or "none"
            raise MimeError(
                f"xop:Include names cid:{cid}, but no MIME part has that Content-ID (parts: {known})",
                "xop:Include/@href",
            )
        return message.attachments[cid]
    text = "".join(document.itertext()).strip()
    try:
        return base64.b64decode(text, validate=True) if text else b""
    except ValueError:
        cleaned = "".join(text.split())
        try:
            return base64.b64decode(cleaned, validate=True)
        except ValueError as exc:
            raise MimeError(f"the inline document is not valid base64 ({exc})", "xdsb:Document") from None
