"""Read an ITI-41 message from a file, whatever form it was captured in.

Accepted: a raw HTTP request as the recorder writes it (``POST /… HTTP/1.1``, headers, blank
line, body); a MIME entity (``Content-Type:`` header first); a bare multipart body (first line
``--<boundary>``); a bare SOAP envelope (XML).
"""

from __future__ import annotations

import re

__all__ = ["read_capture"]

_REQUEST_LINE = re.compile(rb"^[A-Z]+ \S+ HTTP/\d(\.\d)?\r?\n")
_BOUNDARY_LINE = re.compile(rb"^--([^\r\n]{1,200})\r?\n")


def _split_head(data: bytes) -> tuple[dict[str, str], bytes]:
    for separator in (b"\r\n\r\n", b"\n\n"):
        head, found, body = data.partition(separator)
        if found:
            headers = {}
            for line in head.decode("latin-1").splitlines():
                name, colon, value = line.partition(":")
                if colon:
                    headers[name.strip().lower()] = value.strip()
            return headers, body
    return {}, data


def read_capture(data: bytes) -> tuple[bytes, str | None]:
    """``(body, content_type)`` of a captured message (content type None for bare XML)."""
    stripped = data.lstrip()
    if _REQUEST_LINE.match(stripped):
        first_end = stripped.index(b"\n") + 1
        headers, body = _split_head(stripped[first_end:])
        return body, headers.get("content-type")
    if stripped[:13].lower() == b"content-type:" or stripped[:13].lower() == b"mime-version:":
        headers, body = _split_head(stripped)
        return body, headers.get("content-type")
    match = _BOUNDARY_LINE.match(stripped)
    if match:
        boundary = match.group(1).decode("latin-1").strip()
        start = re.search(rb"Content-ID:\s*(<[^>\r\n]+>)", stripped, re.IGNORECASE)
        start_param = f'; start="{start.group(1).decode("latin-1")}"' if start else ""
        return stripped, f'multipart/related; type="application/xop+xml"; boundary="{boundary}"{start_param}'
    return data, None
