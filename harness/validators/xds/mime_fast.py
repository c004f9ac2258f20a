"""The parts of a plain MTOM body, split without the :mod:`email` parser when the body is simple enough
that the parser would find exactly the same parts (issue 18: the parser took ~1.2 ms of an ITI-41).

"Simple enough", checked before anything is trusted: the body starts with the delimiter (no preamble);
every delimiter is preceded by CRLF and followed by CRLF, or by ``--`` for the last one, after which
at most a CRLF follows (no epilogue); each part has header lines ``Name: value`` in ASCII (no folded line),
then an empty line; no part is itself multipart or a message; each ``Content-Transfer-Encoding`` is ``binary``,
``8bit``, ``7bit`` or ``base64`` written without surrounding spaces, and base64 content decodes
strictly. Anything else returns None and :func:`harness.validators.xds.mime.split_message` uses the
standard parser, so every odd or hostile body still gets its precise :class:`MimeError`.

What each part answers is what :class:`email.message.Message` (policy ``compat32``) answers for the
same part: the first header of a name, ``get_content_type()`` (``text/plain`` when absent or
malformed), and the payload with the line ending before the next delimiter removed.
"""

from __future__ import annotations

import base64
import binascii
import re

__all__ = ["SimplePart", "simple_parts"]

_ENCODINGS = (b"binary", b"8bit", b"7bit", b"base64")
#: a header name as the standard parser reads one (``email.feedparser.headerRE``)
_NAME = re.compile(rb"[\041-\071\073-\176]+")


class SimplePart:
    """One MIME part: the few :class:`email.message.Message` methods :mod:`.mime` calls, same answers."""

    def __init__(self, headers: dict[str, str], payload: bytes) -> None:
        self._headers = headers  # lower-case name -> the first value, as compat32 gives it
        self._payload = payload

    def get(self, name: str, failobj: object = None) -> object:
        return self._headers.get(name.lower(), failobj)

    def get_content_type(self) -> str:
        value = self._headers.get("content-type")
        if value is None:
            return "text/plain"
        ctype = value.partition(";")[0].strip().lower()
        return ctype if ctype.count("/") == 1 else "text/plain"

    def is_multipart(self) -> bool:
        return False

    def get_payload(self, decode: bool = False) -> bytes:
        return self._payload


def _part(chunk: bytes) -> SimplePart | None:
    head, sep, payload = chunk.partition(b"\r\n\r\n")
    if not sep or not head:
        return None
    headers: dict[str, str] = {}
    for line in head.split(b"\r\n"):
        name, colon, value = line.partition(b":")
        if not colon or not _NAME.fullmatch(name) or b"\r" in line or b"\n" in line or not line.isascii():
            return None  # a folded, broken or non-ASCII header line: the standard parser says what it is
        headers.setdefault(name.decode("ascii").lower(), value.decode("ascii").lstrip(" \t"))
    part = SimplePart(headers, payload)
    if part.get_content_type().split("/")[0] in ("multipart", "message"):
        return None  # the standard parser reads these as nested messages
    encoding = headers.get("content-transfer-encoding", "binary").encode("ascii").lower()
    if encoding not in _ENCODINGS:
        return None
    if encoding == b"base64":
        data = b"".join(payload.splitlines())
        if len(data) % 4:
            return None
        try:
            part._payload = base64.b64decode(data, validate=True)
        except (binascii.Error, ValueError):
            return None
    return part


def simple_parts(body: bytes, boundary: str) -> list[SimplePart] | None:
    """The parts of ``body`` split on ``boundary``, or None when the body is not simple (module doc)."""
    try:
        delimiter = b"--" + boundary.encode("ascii")
    except UnicodeEncodeError:
        return None
    if not body.startswith(delimiter):
        return None
    chunks = (b"\r\n" + body).split(b"\r\n" + delimiter)
    if chunks[0] or body.count(delimiter) != len(chunks) - 1 or len(chunks) < 3:
        return None
    *middle, last = chunks[1:]
    if last not in (b"--", b"--\r\n"):
        return None
    parts = []
    for chunk in middle:
        if not chunk.startswith(b"\r\n"):
            return None
        part = _part(chunk[2:])
        if part is None:
            return None
        parts.append(part)
    return parts
