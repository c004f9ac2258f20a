"""A small closed-loop HTTP/1.1 load client: N keep-alive connections (TLS or not), for a fixed time.

Written on asyncio streams rather than ``requests`` so that the client costs little beside the
server measured (both share the same cores): one process, one event loop, each connection
sends its next request as soon as the previous answer arrived. Every connection makes one
request before the clock starts (the TLS handshake is not measured); only the answers
completed inside the window count, each with its latency (write of the request to the last
byte of the answer).
"""

from __future__ import annotations

import asyncio
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from benchmarks.common import cpu_seconds, percentile

RequestMaker = Callable[[], tuple[bytes, dict[str, str]]]
AnswerCheck = Callable[[int, bytes], bool]


@dataclass
class Window:
    """What the clients saw during the measured window."""

    latencies_ms: list[float] = field(default_factory=list)
    ok: int = 0
    failed: int = 0


async def _read_answer(reader: asyncio.StreamReader) -> tuple[int, bytes, bool]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
    if "content-length" in headers:
        body = await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        parts = []
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            parts.append(await reader.readexactly(size + 2))
            if size == 0:
                break
        body = b"".join(p[:-2] for p in parts)
    else:
        body = await reader.read()
    return status, body, headers.get("connection", "").lower() == "close"


class _Connection:
    def __init__(self, host: str, port: int, context: ssl.SSLContext | None, path: str) -> None:
        self.host, self.port, self.context, self.path = host, port, context, path
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(
            self.host, self.port, ssl=self.context, server_hostname=self.host if self.context else None
        )

    async def send(self, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        if self.writer is None or self.writer.is_closing():
            await self.open()
        assert self.reader is not None and self.writer is not None
        head = [
            f"POST {self.path} HTTP/1.1",
            f"Host: {self.host}:{self.port}",
            f"Content-Length: {len(body)}",
            *[f"{k}: {v}" for k, v in headers.items()],
        ]
        self.writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body)
        status, answer, close = await _read_answer(self.reader)
        if close:
            self.writer.close()
        return status, answer

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


async def _load(
    url: str, clients: int, seconds: float, make: RequestMaker, check: AnswerCheck, context: ssl.SSLContext | None
) -> tuple[Window, float]:
    parts = urlsplit(url)
    connections = [
        _Connection(parts.hostname or "127.0.0.1", parts.port or 80, context, parts.path or "/") for _ in range(clients)
    ]
    for connection in connections:  # warm-up: handshake and first request outside the window
        status, answer = await connection.send(*make())
        if not check(status, answer):
            raise RuntimeError(f"{url}: the warm-up request was refused ({status}): {answer[:300]!r}")
    window = Window()
    start = time.perf_counter()
    deadline = start + seconds

    async def drive(connection: _Connection) -> None:
        while time.perf_counter() < deadline:
            body, headers = make()
            sent = time.perf_counter()
            try:
                status, answer = await connection.send(body, headers)
                good = check(status, answer)
            except (OSError, asyncio.IncompleteReadError, ValueError):
                good = False
                connection.close()
                connection.writer = None
            done = time.perf_counter()
            if done <= deadline:
                window.latencies_ms.append((done - sent) * 1000)
                window.ok += good
                window.failed += not good

    await asyncio.gather(*(drive(c) for c in connections))
    for connection in connections:
        connection.close()
    return window, seconds


def measure(
    url: str,
    *,
    clients: int,
    seconds: float,
    make: RequestMaker,
    check: AnswerCheck,
    context: ssl.SSLContext | None,
    server_pid: int = 0,
) -> dict[str, Any]:
    """Requests per second, p50/p99 latency and the server's CPU per request for ``clients`` connections."""
    cpu_before = cpu_seconds(server_pid) if server_pid else 0.0
    window, elapsed = asyncio.run(_load(url, clients, seconds, make, check, context))
    cpu = cpu_seconds(server_pid) - cpu_before if server_pid else 0.0
    count = window.ok + window.failed
    return {
        "clients": clients,
        "per_second": round(window.ok / elapsed, 1),
        "p50_ms": round(percentile(window.latencies_ms, 0.50), 2),
        "p99_ms": round(percentile(window.latencies_ms, 0.99), 2),
        "ok": window.ok,
        "failed": window.failed,
        "server_cpu_ms_each": round(cpu * 1000 / count, 2) if count and server_pid else None,
    }


def client_context(ca: str, cert: str, key: str) -> ssl.SSLContext:
    """The client side of mutual TLS with the test PKI."""
    context = ssl.create_default_context(cafile=ca)
    context.load_cert_chain(cert, key)
    return context
