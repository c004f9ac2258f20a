"""MLLP framing (HL7 v2 Minimal Lower Layer Protocol): ``0x0B`` payload ``0x1C 0x0D``, bounded and resyncing.

HL7 v2.5 Appendix C (and IHE ITI TF-2x Appendix C.2.1) frames each message with a start block
``<VT>`` (0x0B) and an end block ``<FS><CR>`` (0x1C 0x0D). The network is hostile, so
:class:`MllpDecoder` turns any byte stream into :class:`FrameEvent` objects without ever growing
without bound:

* ``message`` — a complete frame's payload;
* ``noise`` — bytes outside any frame (binary garbage, a client that forgot the framing); the
  decoder resynchronises at the next start block;
* ``truncated`` — a frame cut by a new start block, by the end of the connection or by a timeout;
* ``oversized`` — a frame longer than ``max_frame``: its first ``max_frame`` bytes are kept, the
  rest is skipped up to its end block.

Nothing a client sent is silently dropped: every byte ends in an event (kept up to the limit,
with the count of bytes skipped beyond it).
"""

from __future__ import annotations

import asyncio
import socket
from dataclasses import dataclass

__all__ = ["END", "START", "FrameEvent", "MllpDecoder", "frame", "read_frames", "send_and_receive"]

START = b"\x0b"
END = b"\x1c\r"
_IGNORABLE = frozenset(b"\r\n")


def frame(payload: bytes) -> bytes:
    """Wrap one message for the wire."""
    return START + payload + END


@dataclass(frozen=True)
class FrameEvent:
    """What the decoder made of some bytes: a message, noise, a truncated or an oversized frame.

    Attributes:
        kind: ``message``, ``noise``, ``truncated`` or ``oversized``.
        payload: the bytes (at most the decoder's limit).
        skipped: bytes beyond the limit that were counted but not kept.
        reason: for ``truncated``: ``new start block``, ``connection closed`` or ``timeout``.
    """

    kind: str
    payload: bytes
    skipped: int = 0
    reason: str = ""


class MllpDecoder:
    """Incremental MLLP decoder with a frame size limit.

    Args:
        max_frame: largest payload kept, in bytes (a larger frame gives an ``oversized`` event).
    """

    def __init__(self, max_frame: int = 1024 * 1024) -> None:
        self.max_frame = max_frame
        self._buffer = bytearray()
        self._in_frame = False
        self._skipped = 0
        self._oversized = False
        self._pending_fs = False

    @property
    def in_frame(self) -> bool:
        """A start block was read and its end block not yet."""
        return self._in_frame

    def feed(self, data: bytes) -> list[FrameEvent]:
        """Consume ``data``; return the events it completes (in order)."""
        events: list[FrameEvent] = []
        view = memoryview(data)
        position = 0
        while position < len(view):
            if not self._in_frame:
                start = data.find(START, position)
                stop = len(data) if start < 0 else start
                self._add_noise(data[position:stop], events)
                if start < 0:
                    break
                self._flush_noise(events)
                self._in_frame, self._oversized, self._skipped = True, False, 0
                position = start + 1
                continue
            if self._pending_fs and data[position : position + 1] == b"\r":
                self._drop_last_byte()  # the end block was split across two reads
                events.append(self._close("oversized" if self._oversized else "message"))
                position += 1
                continue
            self._pending_fs = False
            end = data.find(END, position)
            restart = data.find(START, position)
            if restart >= 0 and (end < 0 or restart < end):
                self._add_payload(data[position:restart])
                events.append(self._close("truncated", "new start block"))
                self._in_frame, self._oversized, self._skipped = True, False, 0
                position = restart + 1
                continue
            if end < 0:
                chunk = data[position:]
                self._add_payload(chunk)
                # an FS at the very end may be the first half of the end block
                self._pending_fs = chunk.endswith(b"\x1c")
                break
            self._add_payload(data[position:end])
            events.append(self._close("oversized" if self._oversized else "message"))
            position = end + len(END)
        return events

    def finish(self, reason: str = "connection closed") -> list[FrameEvent]:
        """The stream ended (EOF or timeout): what is pending becomes an event."""
        events: list[FrameEvent] = []
        if self._in_frame:
            events.append(self._close("truncated", reason))
        else:
            self._flush_noise(events)
        return events

    # -- internals --------------------------------------------------------------------------
    def _add_payload(self, chunk: bytes) -> None:
        room = self.max_frame - len(self._buffer)
        if len(chunk) <= room:
            self._buffer += chunk
            return
        self._buffer += chunk[: max(room, 0)]
        self._skipped += len(chunk) - max(room, 0)
        self._oversized = True

    def _drop_last_byte(self) -> None:
        if self._skipped:
            self._skipped -= 1
        elif self._buffer:
            del self._buffer[-1]

    def _close(self, kind: str, reason: str = "") -> FrameEvent:
        event = FrameEvent(kind, bytes(self._buffer), self._skipped, reason)
        self._buffer.clear()
        self._skipped = 0
        self._in_frame = False
        self._oversized = False
        self._pending_fs = False
        return event

    def _add_noise(self, chunk: bytes, events: list[FrameEvent]) -> None:
        if not chunk:
            return
        self._add_payload(chunk)
        if len(self._buffer) >= self.max_frame:
            self._flush_noise(events)

    def _flush_noise(self, events: list[FrameEvent]) -> None:
        if self._buffer or self._skipped:
            if self._skipped or any(b not in _IGNORABLE for b in self._buffer):
                events.append(FrameEvent("noise", bytes(self._buffer), self._skipped))
            self._buffer.clear()
            self._skipped = 0
            self._oversized = False


async def read_frames(reader: asyncio.StreamReader, decoder: MllpDecoder, timeout: float) -> list[FrameEvent]:
    """Read once from ``reader`` (at most ``timeout`` seconds); the events that read completed.

    At end of stream or timeout, the pending bytes become events (``finish``) followed by a
    marker event of kind ``eof`` (reason ``connection closed`` or ``timeout``).
    """
    try:
        data = await asyncio.wait_for(reader.read(64 * 1024), max(timeout, 0.0))
    except TimeoutError:
        return [*decoder.finish("timeout"), FrameEvent("eof", b"", reason="timeout")]
    except (ConnectionError, OSError):
        data = b""
    if not data:
        return [*decoder.finish(), FrameEvent("eof", b"", reason="connection closed")]
    return decoder.feed(data)


def send_and_receive(
    host: str,
    port: int,
    payload: bytes,
    *,
    timeout: float = 10.0,
    max_frame: int = 1024 * 1024,
    sock: socket.socket | None = None,
) -> bytes:
    """A minimal blocking MLLP client: send one framed message, return the payload of the answer.

    Raises:
        TimeoutError: no complete answer frame within ``timeout``.
        ConnectionError: the peer closed the connection before answering.
    """
    own = sock is None
    conn = sock or socket.create_connection((host, port), timeout=timeout)
    try:
        conn.settimeout(timeout)
        conn.sendall(frame(payload))
        decoder = MllpDecoder(max_frame)
        while True:
            data = conn.recv(64 * 1024)
            if not data:
                raise ConnectionError("the MLLP peer closed the connection without an answer")
            for event in decoder.feed(data):
                if event.kind in ("message", "oversized"):
                    return event.payload
    except TimeoutError:
        raise
    except OSError as exc:
        if isinstance(exc, socket.timeout):
            raise TimeoutError(f"no MLLP answer within {timeout} s") from exc
        raise
    finally:
        if own:
            conn.close()
