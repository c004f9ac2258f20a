"""Read an ASGI request body within a size limit and a time limit, telling how it ended (issue 17).

A body is only *complete* when the client sent its end (``more_body`` False). A client that
disconnects, or stays silent longer than the body timeout, leaves an *incomplete* body: the
request pipeline records it as evidence and never hands it to a service handler (an aborted
DMP submission must not be stored). A body larger than the limit stops being kept at the
limit (the first bytes stay as evidence); :func:`drain` then reads and drops the rest, within
a budget and the same timeout, so that the client is there to read the refusal.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

__all__ = ["BodyEnd", "BodyRead", "drain", "read_body"]


class BodyEnd(Enum):
    """How reading a request body ended."""

    COMPLETE = "complete"
    OVERSIZED = "oversized"  # more than the limit; the rest may still be on the wire
    DISCONNECTED = "disconnected"  # the client went away before the end of its body
    TIMED_OUT = "timed-out"  # the client stopped sending in the middle of its body


@dataclass
class BodyRead:
    """A request body as far as it was read: the bytes kept, how it ended, how many bytes were seen."""

    body: bytearray = field(default_factory=bytearray)
    end: BodyEnd = BodyEnd.COMPLETE
    received: int = 0
    finished: bool = False  # the client sent the end of its body (possibly after the limit)

    @property
    def complete(self) -> bool:
        return self.end is BodyEnd.COMPLETE

    def describe(self, limit: int) -> str:
        """A bilingual sentence for the evidence and the client."""
        if self.end is BodyEnd.OVERSIZED:
            return (
                f"corps de requête > {limit} octets / request body of more than {limit} bytes "
                f"({self.received} bytes received) exceeds the simulator limit of {limit} bytes"
            )
        if self.end is BodyEnd.DISCONNECTED:
            return (
                f"requête interrompue / aborted request: the client disconnected after {self.received} "
                f"bytes of its body; not processed"
            )
        if self.end is BodyEnd.TIMED_OUT:
            return (
                f"requête incomplète / incomplete request: no body bytes for the body timeout after "
                f"{self.received} bytes; not processed"
            )
        return f"complete body of {self.received} bytes"


async def _next(receive: Any, timeout: float) -> Any:
    # asyncio.timeout, not wait_for: wait_for runs ``receive()`` in a task of its own, two more turns of the
    # event loop for each piece of every body (issue 18: ~8 % of an INSi request's CPU)
    async with asyncio.timeout(timeout):
        return await receive()


async def read_body(receive: Any, limit: int, *, timeout: float) -> BodyRead:
    """Read the body from ``receive``, keeping at most ``limit`` bytes, each piece within ``timeout`` s."""
    read = BodyRead()
    while True:
        try:
            message = await _next(receive, timeout)
        except TimeoutError:
            read.end = BodyEnd.TIMED_OUT
            return read
        if message["type"] != "http.request":
            read.end = BodyEnd.DISCONNECTED
            return read
        chunk = message.get("body", b"")
        read.received += len(chunk)
        room = limit - len(read.body)
        read.body.extend(chunk[: max(0, room)])
        more = bool(message.get("more_body", False))
        read.finished = not more
        if len(chunk) > room:
            read.end = BodyEnd.OVERSIZED
            return read
        if not more:
            return read


async def drain(receive: Any, read: BodyRead, budget: int, *, timeout: float) -> None:
    """Read and drop the unread rest of a refused body (at most ``budget`` bytes), never waiting past the end."""
    while not read.finished and budget > 0:
        try:
            message = await _next(receive, timeout)
        except TimeoutError:
            return
        if message["type"] != "http.request":
            return
        size = len(message.get("body", b""))
        read.received += size
        budget -= size
        read.finished = not message.get("more_body", False)
