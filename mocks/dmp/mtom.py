"""MTOM/XOP on the simulator side: split requests (stdlib ``email``), package responses.

Reading is :func:`harness.validators.xds.mime.split_message` (shared with the validators and
``dui-harness validate xds``): a real MIME parser, at most :data:`MAX_PARTS` parts, the total
size bounded by the simulator's ``max_body``. Responses to an MTOM request are MTOM too
(multipart/related, root part ``application/xop+xml``), with documents as binary parts
referenced by ``xop:Include`` (ITI-43).
"""

from __future__ import annotations

import uuid

from harness.validators.xds.mime import MAX_PARTS, MimeError, SoapMessage, document_bytes, split_message

__all__ = ["MAX_PARTS", "MimeError", "SoapMessage", "document_bytes", "package", "split_message"]

SOAP12 = "application/soap+xml"


def package(
    envelope: bytes,
    action: str,
    *,
    mtom: bool,
    attachments: dict[str, tuple[bytes, str]] | None = None,
) -> tuple[bytes, str]:
    """``(body, content_type)`` of a response: plain SOAP 1.2, or MTOM with ``attachments``
    (Content-ID -> (bytes, media type))."""
    if not mtom:
        return envelope, f'{SOAP12}; charset=utf-8; action="{action}"'
    boundary = f"MIMEBoundary_{uuid.uuid4().hex}"
    root_id = f"root.{uuid.uuid4().hex}@dui-harness"
    lines = [
        f"--{boundary}".encode(),
        f'Content-Type: application/xop+xml; charset=UTF-8; type="{SOAP12}"; action="{action}"'.encode(),
        b"Content-Transfer-Encoding: binary",
        f"Content-ID: <{root_id}>".encode(),
        b"",
        envelope,
    ]
    chunks = [b"\r\n".join(lines)]
    for cid, (data, media_type) in (attachments or {}).items():
        head = [
            f"--{boundary}".encode(),
            f"Content-Type: {media_type}".encode(),
            b"Content-Transfer-Encoding: binary",
            f"Content-ID: <{cid}>".encode(),
            b"",
            b"",
        ]
        chunks.append(b"\r\n".join(head) + data)
    body = b"\r\n".join(chunks) + f"\r\n--{boundary}--\r\n".encode()
    ctype = (
        f'multipart/related; type="application/xop+xml"; boundary="{boundary}"; start="<{root_id}>"; '
        f'start-info="{SOAP12}"'
    )
    return body, ctype
