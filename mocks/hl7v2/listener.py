"""The simulator's MLLP listener: receive the DUI's ADT messages, judge them, record, answer an ACK.

One asyncio task per connection. Each frame event of :class:`~mocks.hl7v2.mllp.MllpDecoder` is
recorded as one exchange (nothing the client sent is dropped). A complete frame is judged by
:func:`harness.validators.hl7v2.validate_hl7v2` (as a message *emitted by the DUI*, on the wire)
and answered with an ACK (AA, AE or AR with ERR segments). A truncated or oversized frame whose
MSH can be read is answered AR; noise gets no answer, and a connection that sends more noise than
``max_noise`` bytes, or takes longer than ``frame_timeout`` to finish a frame, is closed.
"""

from __future__ import annotations

import asyncio
import itertools
import ssl
import time
from dataclasses import dataclass

from harness.core.findings import Finding, Severity
from harness.core.recorder import Recorder
from harness.validators.hl7v2 import Hl7v2Report, validate_hl7v2
from mocks.hl7v2.ack import ack_code, build_ack
from mocks.hl7v2.mllp import FrameEvent, MllpDecoder, frame, read_frames
from mocks.hl7v2.recording import framing_finding, record_received

__all__ = ["ListenerLimits", "MllpListener"]


@dataclass(frozen=True)
class ListenerLimits:
    """Bounds of the listener (bytes and seconds)."""

    max_frame: int = 1024 * 1024
    frame_timeout: float = 10.0
    idle_timeout: float = 120.0
    max_noise: int = 64 * 1024
    max_connections: int = 32
    write_timeout: float = 10.0


class MllpListener:
    """Connection handler for ``asyncio.start_server`` (plain or TLS)."""

    def __init__(self, recorder: Recorder, limits: ListenerLimits | None = None) -> None:
        self.recorder = recorder
        self.limits = limits or ListenerLimits()
        self.active = 0
        self._ids = itertools.count(1)
        self._writers: set[asyncio.StreamWriter] = set()

    def close_all(self) -> None:
        """Close every open connection (the handlers then see the end of their stream and return)."""
        for writer in list(self._writers):
            writer.close()

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peername = writer.get_extra_info("peername")
        peer = f"{peername[0]}:{peername[1]}" if isinstance(peername, tuple) else str(peername or "")
        ssl_object = writer.get_extra_info("ssl_object")
        tls = (ssl_object.version() or "tls") if isinstance(ssl_object, ssl.SSLObject) else "none"
        subject = _subject(ssl_object)
        if self.active >= self.limits.max_connections:
            record_received(
                self.recorder,
                kind="refused",
                payload=b"",
                skipped=0,
                peer=peer,
                tls=tls,
                report=None,
                ack=None,
                ack_code="",
                client_subject=subject,
                extra=[
                    Finding(
                        "mllp.connections",
                        "HL7-MSG-01",
                        f"connection refused: {self.limits.max_connections} "
                        "connections already open; trouvé / found: one more; attendu / expected: at most "
                        f"{self.limits.max_connections} / trop de connexions",
                        Severity.WARNING,
                        "MLLP",
                    )
                ],
            )
            writer.close()
            return
        self.active += 1
        self._writers.add(writer)
        try:
            await self._serve(reader, writer, peer, tls, subject)
        finally:
            self.active -= 1
            self._writers.discard(writer)
            writer.close()

    async def _serve(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, peer: str, tls: str, subject: str | None
    ) -> None:
        limits = self.limits
        decoder = MllpDecoder(limits.max_frame)
        noise = 0
        deadline: float | None = None
        loop = asyncio.get_running_loop()
        while True:
            if decoder.in_frame and deadline is None:
                deadline = loop.time() + limits.frame_timeout
            timeout = (deadline - loop.time()) if deadline is not None else limits.idle_timeout
            for event in await read_frames(reader, decoder, timeout):
                if event.kind == "eof":
                    return
                if event.kind == "noise":
                    noise += len(event.payload) + event.skipped
                    await self._answer(event, writer, peer, tls, subject, can_write=False)
                    if noise > limits.max_noise:
                        return
                    continue
                deadline = None
                await self._answer(event, writer, peer, tls, subject, can_write=event.reason != "connection closed")
            if not decoder.in_frame:
                deadline = None

    async def _answer(
        self,
        event: FrameEvent,
        writer: asyncio.StreamWriter,
        peer: str,
        tls: str,
        subject: str | None,
        *,
        can_write: bool,
    ) -> None:
        started = time.perf_counter()
        report: Hl7v2Report | None = None
        extra: list[Finding] = []
        if event.kind != "message":
            extra.append(
                framing_finding(
                    event.kind, len(event.payload) + event.skipped, reason=event.reason, limit=self.limits.max_frame
                )
            )
        if event.kind != "noise":
            loop = asyncio.get_running_loop()
            report = await loop.run_in_executor(None, _judge, event.payload)
        ack: bytes | None = None
        findings = extra + (report.findings if report is not None else [])
        answerable = event.kind == "message" or (report is not None and report.message is not None)
        if can_write and answerable:
            ack = build_ack(
                report.message if report is not None else None, findings, control_id=f"HL7SIM{next(self._ids):06d}"
            )
        # recorded before the ACK leaves: whoever reads the ACK finds the exchange already there
        exchange = record_received(
            self.recorder,
            kind=event.kind,
            payload=event.payload,
            skipped=event.skipped,
            peer=peer,
            tls=tls,
            report=report,
            ack=ack,
            ack_code=ack_code(findings),
            extra=extra,
            client_subject=subject,
            duration_ms=(time.perf_counter() - started) * 1000,
        )
        if ack is None:
            return
        try:
            writer.write(frame(ack))
            await asyncio.wait_for(writer.drain(), self.limits.write_timeout)
        except (ConnectionError, OSError, TimeoutError) as exc:
            exchange.findings.append(
                Finding("mllp.write", "HL7-ACK-01", f"the ACK could not be sent: {exc!r}", location="MLLP")
            )


def _judge(payload: bytes) -> Hl7v2Report:
    return validate_hl7v2(payload, emitted=True, wire=True)


def _subject(ssl_object: object) -> str | None:
    if not isinstance(ssl_object, ssl.SSLObject):
        return None
    cert = ssl_object.getpeercert() or {}
    parts = [f"{pair[0]}={pair[1]}" for rdn in cert.get("subject", ()) for pair in rdn]
    return ",".join(parts) or None
