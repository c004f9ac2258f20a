"""What a DUI offers when it opens TLS with the operator: the ClientHello, parsed and kept.

SC.MSS/CONF.03 (référentiel socle MSSanté #2, ECO.1.1.3) says which suites and groups the DUI
may *use* in the TLS negotiation with the operator's API LPS. Presenting weak operators
(:mod:`mocks.mssante.server_tls`) shows only what the DUI accepts; what it *offers* a sound
operator is in its ClientHello, which the server's TLS library reads before any mail protocol.
CPython calls an ``SSLContext``'s message callback (``_msg_callback``, OpenSSL's
``SSL_CTX_set_msg_callback``) with each handshake message it reads, so the operator's server
context hands every ClientHello to :class:`HelloLog` (RFC 8446 §4.1.2, RFC 5246 §7.4.1.2): the
versions (``supported_versions``, else ``legacy_version``), the cipher suites, the groups
(``supported_groups``) and the server name.

The callback cannot tell which listener or client the message came from: entries are ordered
(:meth:`HelloLog.mark`), and a scenario reads the ones that arrived during it.
"""

from __future__ import annotations

import ssl
import struct
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Any

__all__ = ["ClientHello", "HelloLog", "parse_client_hello", "watch"]

CLIENT_HELLO = 1
EXT_SERVER_NAME = 0x0000
EXT_SUPPORTED_GROUPS = 0x000A
EXT_SUPPORTED_VERSIONS = 0x002B


@dataclass(frozen=True)
class ClientHello:
    """What one ClientHello offered (codes as on the wire)."""

    versions: tuple[int, ...]
    suites: tuple[int, ...]
    groups: tuple[int, ...]
    server_name: str = ""
    at: float = 0.0
    position: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "versions": [f"0x{v:04X}" for v in self.versions],
            "suites": [f"0x{s:04X}" for s in self.suites],
            "groups": [f"0x{g:04X}" for g in self.groups],
            "server_name": self.server_name,
            "position": self.position,
        }


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.at = 0

    def take(self, size: int) -> bytes:
        if self.at + size > len(self.data):
            raise ValueError("truncated ClientHello")
        chunk = self.data[self.at : self.at + size]
        self.at += size
        return chunk

    def number(self, size: int) -> int:
        return int.from_bytes(self.take(size), "big")

    def vector(self, length_size: int) -> bytes:
        return self.take(self.number(length_size))


def _pairs(data: bytes) -> tuple[int, ...]:
    return tuple(struct.unpack(f">{len(data) // 2}H", data[: len(data) // 2 * 2]))


def parse_client_hello(message: bytes) -> ClientHello:
    """The offer of a ClientHello handshake message (its 4-byte header included).

    Raises:
        ValueError: not a ClientHello, or a truncated one.
    """
    reader = _Reader(message)
    if reader.number(1) != CLIENT_HELLO:
        raise ValueError("not a ClientHello")
    body = _Reader(reader.take(reader.number(3)))
    legacy_version = body.number(2)
    body.take(32)  # random
    body.vector(1)  # legacy_session_id
    suites = _pairs(body.vector(2))
    body.vector(1)  # legacy_compression_methods
    versions: tuple[int, ...] = (legacy_version,)
    groups: tuple[int, ...] = ()
    server_name = ""
    if body.at < len(body.data):
        extensions = _Reader(body.vector(2))
        while extensions.at < len(extensions.data):
            kind, data = extensions.number(2), extensions.vector(2)
            if kind == EXT_SUPPORTED_VERSIONS and data:
                versions = _pairs(data[1 : 1 + data[0]])
            elif kind == EXT_SUPPORTED_GROUPS and len(data) >= 2:
                groups = _pairs(data[2 : 2 + int.from_bytes(data[:2], "big")])
            elif kind == EXT_SERVER_NAME and len(data) > 5:
                server_name = data[5 : 5 + int.from_bytes(data[3:5], "big")].decode("ascii", "replace")
    return ClientHello(versions, suites, groups, server_name)


class HelloLog:
    """The last ``size`` ClientHellos the operator read, oldest first (thread-safe)."""

    def __init__(self, size: int = 512) -> None:
        self._entries: deque[ClientHello] = deque(maxlen=size)
        self._count = 0
        self._lock = threading.Lock()
        self.unreadable = 0  # ClientHellos that could not be parsed

    def add(self, message: bytes) -> None:
        try:
            hello = parse_client_hello(message)
        except ValueError:
            with self._lock:
                self.unreadable += 1
            return
        with self._lock:
            self._count += 1
            self._entries.append(
                ClientHello(hello.versions, hello.suites, hello.groups, hello.server_name, time.time(), self._count)
            )

    def mark(self) -> int:
        """A position: :meth:`since` gives what arrived after it."""
        with self._lock:
            return self._count

    def since(self, mark: int = 0) -> list[ClientHello]:
        with self._lock:
            return [hello for hello in self._entries if hello.position > mark]


def watch(context: ssl.SSLContext, log: HelloLog) -> None:
    """Hand every ClientHello that ``context`` (a server context) reads to ``log``."""

    def callback(_conn: Any, direction: str, _version: Any, content_type: Any, msg_type: Any, data: bytes) -> None:
        if direction == "read" and msg_type == CLIENT_HELLO and content_type == 22:  # handshake
            log.add(bytes(data))

    context._msg_callback = callback  # type: ignore[attr-defined]  # CPython's hook, see the module text
