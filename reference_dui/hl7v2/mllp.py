"""The reference DUI's MLLP transport (HL7 v2.5 Appendix C): a bounded threaded listener and a client.

Frames are ``0x0B`` payload ``0x1C 0x0D``. The listener reads within bounds (frame size,
time to finish a frame, idle time, noise): bytes outside a frame are skipped until the next
start block, a frame cut by a new start block is dropped (its sender gets no ACK and resends),
an oversized frame is answered by the handler with what could be kept.
"""

from __future__ import annotations

import socket
import socketserver
import ssl
import threading
from collections.abc import Callable

__all__ = ["MllpServer", "exchange", "frame"]

START, END = b"\x0b", b"\x1c\r"
MAX_FRAME = 1024 * 1024
MAX_NOISE = 64 * 1024

#: handler(payload, oversized) -> the answer payload (an ACK), or None to answer nothing
Handler = Callable[[bytes, bool], bytes | None]


def frame(payload: bytes) -> bytes:
    return START + payload + END


class _Connection(socketserver.BaseRequestHandler):
    server: MllpServer

    def handle(self) -> None:
        sock: socket.socket = self.request
        sock.settimeout(self.server.idle_timeout)
        buffer, in_frame, noise, oversized = bytearray(), False, 0, False
        while True:
            try:
                data = sock.recv(65536)
            except (TimeoutError, OSError):
                return
            if not data:
                return
            position = 0
            while position < len(data):
                if not in_frame:
                    start = data.find(START, position)
                    noise += (len(data) if start < 0 else start) - position
                    if noise > MAX_NOISE:
                        return
                    if start < 0:
                        break
                    in_frame, position, oversized = True, start + 1, False
                    buffer.clear()
                    sock.settimeout(self.server.frame_timeout)
                    continue
                end = data.find(END, position)
                restart = data.find(START, position)
                if restart >= 0 and (end < 0 or restart < end):
                    buffer.clear()  # the open frame is cut by a new one: dropped, never half-integrated
                    position = restart + 1
                    continue
                stop = len(data) if end < 0 else end
                room = MAX_FRAME - len(buffer)
                buffer += data[position : position + max(room, 0)][: stop - position]
                oversized = oversized or (stop - position) > room
                if end < 0:
                    break
                answer = self.server.handler(bytes(buffer), oversized)
                in_frame, position = False, end + len(END)
                buffer.clear()
                sock.settimeout(self.server.idle_timeout)
                if answer is not None:
                    try:
                        sock.sendall(frame(answer))
                    except OSError:
                        return


class MllpServer(socketserver.ThreadingTCPServer):
    """An MLLP listener on 127.0.0.1 (port 0: a free one) calling ``handler`` for each complete frame."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self, handler: Handler, *, port: int = 0, frame_timeout: float = 10.0, idle_timeout: float = 60.0
    ) -> None:
        self.handler = handler
        self.frame_timeout = frame_timeout
        self.idle_timeout = idle_timeout
        super().__init__(("127.0.0.1", port), _Connection)
        self._thread = threading.Thread(
            target=self.serve_forever, kwargs={"poll_interval": 0.2}, name="reference-dui-mllp", daemon=True
        )

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    def start(self) -> MllpServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()


def exchange(
    host: str, port: int, payload: bytes, *, timeout: float = 10.0, context: ssl.SSLContext | None = None
) -> bytes:
    """Send one framed message and return the payload of the answer frame (``OSError`` / ``TimeoutError``)."""
    raw = socket.create_connection((host, port), timeout=timeout)
    conn = raw
    try:
        if context is not None:
            conn = context.wrap_socket(raw, server_hostname=host)
        conn.settimeout(timeout)
        conn.sendall(frame(payload))
        received = bytearray()
        while len(received) <= MAX_FRAME:
            data = conn.recv(65536)
            if not data:
                break
            received += data
            start, end = received.find(START), received.find(END)
            if start >= 0 and end > start:
                return bytes(received[start + 1 : end])
        raise ConnectionError("the MLLP peer closed the connection without a complete answer frame")
    finally:
        conn.close()
        if conn is not raw:
            raw.close()
