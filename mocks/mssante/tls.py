"""Implicit TLS for the smtps and imaps listeners, with failed handshakes recorded.

asyncio's ``ssl=`` listeners swallow a failed handshake silently; here the listener accepts
TCP, holds the socket still (no byte read before TLS), runs the handshake with
``loop.start_tls`` and then hands the encrypted transport to the mail protocol. A failed or
stalled handshake is reported to ``on_failure`` (the simulator records it as an exchange).

The task that runs the handshake and then the whole mail session is kept in :data:`SESSIONS`
until it ends: the event loop holds tasks only weakly, and an IMAPS session waiting on a
stream that nothing else references was collected by the garbage collector as soon as other
traffic allocated enough (issue 13: "Task was destroyed but it is pending", the client got EOF).
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Awaitable, Callable
from typing import Any

__all__ = ["SESSIONS", "TlsGate", "stream_handover"]

Handover = Callable[[asyncio.BaseTransport, bytes], Awaitable[None]]
Failure = Callable[[Any, BaseException], None]
#: the running implicit-TLS sessions (strong references; each removes itself when it ends)
SESSIONS: set[asyncio.Task[None]] = set()


class TlsGate(asyncio.Protocol):
    """The first protocol of an implicit-TLS connection: handshake, then hand over.

    Args:
        context: the server TLS context.
        handover: called with the encrypted transport (and any bytes that arrived early).
        on_failure: called with the peer address and the exception when the handshake fails.
        timeout: seconds allowed for the handshake.
    """

    def __init__(self, context: ssl.SSLContext, handover: Handover, on_failure: Failure, timeout: float = 15.0) -> None:
        self.context = context
        self.handover = handover
        self.on_failure = on_failure
        self.timeout = timeout
        self.early = bytearray()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        transport.pause_reading()  # not one byte read before the TLS layer is in place
        task = asyncio.get_running_loop().create_task(self._upgrade(transport))
        SESSIONS.add(task)
        task.add_done_callback(SESSIONS.discard)

    def data_received(self, data: bytes) -> None:
        self.early.extend(data)  # after the handshake, before the handover (clients wait for a greeting)

    async def _upgrade(self, transport: asyncio.Transport) -> None:
        loop = asyncio.get_running_loop()
        peer = transport.get_extra_info("peername")
        try:
            encrypted = await loop.start_tls(
                transport, self, self.context, server_side=True, ssl_handshake_timeout=self.timeout
            )
        except (TimeoutError, ssl.SSLError, OSError, ConnectionError, EOFError) as exc:
            self.on_failure(peer, exc)
            transport.close()
            return
        if encrypted is None:
            transport.close()
            return
        await self.handover(encrypted, bytes(self.early))


def stream_handover(
    serve: Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]], limit: int
) -> Handover:
    """A handover that gives the encrypted transport to an ``asyncio.start_server``-style callback."""

    async def handover(transport: asyncio.BaseTransport, early: bytes) -> None:
        loop = asyncio.get_running_loop()
        reader = asyncio.StreamReader(limit=limit)
        protocol = asyncio.StreamReaderProtocol(reader)
        transport.set_protocol(protocol)
        protocol.connection_made(transport)
        if early:
            reader.feed_data(early)
        assert isinstance(transport, asyncio.WriteTransport)
        writer = asyncio.StreamWriter(transport, protocol, reader, loop)
        await serve(reader, writer)

    return handover
