"""Resource limits shared by every simulator listener, checked while bytes arrive (issue 17).

One :class:`Limits` value names each bound once: the HTTP request pipeline, the bounded body
reader (:mod:`mocks.common.bodies`), the IMAP/SMTP listeners and the parsers of DMP and FHIR
read theirs from here, so that a hostile client meets the same wall everywhere and a limit is
changed in one place. A limit is enforced *before* memory is committed: a declared size is
checked against it before reading, a streamed size while reading, a count while parsing.

Errors carry a precise, bilingual message meant for the client and the evidence; they never
name an internal exception.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DEFAULT_LIMITS", "LimitExceeded", "Limits"]

KIB = 1024
MIB = 1024 * KIB


@dataclass(frozen=True)
class Limits:
    """Bounds of one simulator (defaults sized for real DUI traffic, far below what hurts the bench).

    Attributes:
        header_bytes: largest HTTP request head (request line + headers), h11's incomplete event.
        body_bytes: largest HTTP request body of a national-service endpoint.
        control_body_bytes: largest body of a ``/_harness`` control call.
        mime_parts: most MIME parts of one multipart body (MTOM, mail).
        mime_depth: deepest nesting of multiparts.
        xml_elements: most XML elements of one SOAP envelope or metadata document (the nesting
            depth is bounded by libxml2 itself: 256 levels without ``huge_tree``).
        bundle_entries: most entries of one FHIR Bundle.
        json_depth: deepest JSON nesting of a FHIR resource.
        json_integer_digits: most digits of a JSON integer (CPython refuses more than 4300).
        imap_literal_unauthenticated: largest IMAP literal before LOGIN/AUTHENTICATE.
        imap_command_bytes: largest IMAP command line with its literals, APPEND excluded.
        imap_paren_depth: deepest parenthesis nesting of an IMAP command (SEARCH).
        imap_quota_bytes: bytes an account may APPEND over the run (RFC 9208 OVERQUOTA beyond).
        idle_timeout: seconds a mail client may stay silent (SMTP/IMAP) before it is disconnected.
        imap_idle_timeout: seconds an IMAP client may stay in IDLE (RFC 2177: clients re-issue IDLE
            every 29 minutes; RFC 3501 §5.4: an autologout timer of at least 30 minutes).
        keep_alive_timeout: seconds an idle HTTP keep-alive connection is kept.
        header_timeout: seconds a client has to send a whole request head (slow-loris bound).
        body_timeout: seconds between two pieces of an HTTP request body.
        connections: most concurrent connections of one HTTP listener (503 beyond).
    """

    header_bytes: int = 64 * KIB
    body_bytes: int = 10 * MIB
    control_body_bytes: int = 1 * MIB
    mime_parts: int = 200
    mime_depth: int = 8
    xml_elements: int = 100_000
    bundle_entries: int = 500
    json_depth: int = 64
    json_integer_digits: int = 4300
    imap_literal_unauthenticated: int = 64 * KIB
    imap_command_bytes: int = 1 * MIB
    imap_paren_depth: int = 32
    imap_quota_bytes: int = 256 * MIB
    idle_timeout: float = 120.0
    imap_idle_timeout: float = 31 * 60.0
    keep_alive_timeout: float = 5.0
    header_timeout: float = 10.0
    body_timeout: float = 30.0
    connections: int = 256


DEFAULT_LIMITS = Limits()


class LimitExceeded(ValueError):
    """Input went past a limit of :class:`Limits`; ``str()`` is the message for the client.

    Args:
        what: what was counted (``"MIME parts"``).
        limit: the bound.
        seen: how many were seen when reading stopped (a lower bound when streaming stopped early).
    """

    def __init__(self, what: str, limit: int, seen: int | None = None) -> None:
        self.what = what
        self.limit = limit
        self.seen = seen
        more = f" ({seen} seen)" if seen is not None else ""
        super().__init__(f"limite dépassée / limit exceeded: {what} > {limit}{more}")
