"""The HL7 v2 simulator (IHE PAM France): an MLLP listener for the DUI's ADT messages, a feed sender.

:class:`Hl7v2Simulator` runs its asyncio MLLP server on 127.0.0.1 in a thread of its own (port
0: a free port), plain or over TLS (server certificate of the test PKI, client certificate asked,
not required). It records every exchange in the run's :class:`~harness.core.recorder.Recorder`
under service ``HL7V2``. In a run it is owned by :class:`mocks.hl7v2.service.Hl7v2Service` (control API);
``python -m mocks.hl7v2`` runs it alone.

Example:
    >>> from harness.core.recorder import Recorder
    >>> sim = Hl7v2Simulator(Recorder()).start()
    >>> sim.endpoints()["mllp"].startswith("mllp://127.0.0.1:")
    True
    >>> sim.stop()
"""

from __future__ import annotations

import asyncio
import ssl
import threading
from typing import Any

from harness.core.recorder import Exchange, Recorder
from harness.errors import SimulatorError
from mocks.common.server import LOOPBACK, TlsSettings
from mocks.hl7v2.listener import ListenerLimits, MllpListener
from mocks.hl7v2.recording import SERVICE
from mocks.hl7v2.sender import send_feed

__all__ = ["Hl7v2Simulator", "server_context"]


def server_context(tls: TlsSettings) -> ssl.SSLContext:
    """TLS 1.2+ server context asking (not requiring, unless configured) a test-PKI client certificate."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(str(tls.certfile), str(tls.keyfile))
    if tls.client_ca is not None:
        context.load_verify_locations(str(tls.client_ca))
        context.verify_mode = ssl.CERT_REQUIRED if tls.require_client_cert else ssl.CERT_OPTIONAL
    return context


class Hl7v2Simulator:
    """Simulated HL7 v2 partner of a DUI (an identity source and an ADT receiver).

    Args:
        recorder: the run's shared recorder.
        port: MLLP listener port on 127.0.0.1 (0: a free one).
        tls: serve MLLP over TLS with these settings (None: plain TCP).
        limits: frame size, timeouts, noise and connection bounds.
    """

    service = SERVICE

    def __init__(
        self, recorder: Recorder, *, port: int = 0, tls: TlsSettings | None = None, limits: ListenerLimits | None = None
    ) -> None:
        self.recorder = recorder
        self.requested_port = port
        self.tls = tls
        self.listener = MllpListener(recorder, limits)
        self.port = 0
        self._context = server_context(tls) if tls is not None else None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._stopping: asyncio.Event | None = None
        self._failure: BaseException | None = None

    # -- lifecycle ------------------------------------------------------------------------------
    def start(self, timeout: float = 10.0) -> Hl7v2Simulator:
        """Listen on 127.0.0.1 and return once the port is bound (``SimulatorError`` otherwise)."""
        self._thread = threading.Thread(target=self._run, name="sim-hl7v2-mllp", daemon=True)
        self._thread.start()
        if not self._ready.wait(timeout) or self._failure is not None:
            raise SimulatorError(
                "simulateur HL7 v2 : écoute impossible / HL7 v2 simulator: cannot listen on "
                f"{LOOPBACK}:{self.requested_port} "
                f"({self._failure or 'timeout'})",
                tip="choose another port, or 0 for a free one / choisissez un autre port",
            )
        return self

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            loop.run_until_complete(self._serve())
        finally:
            loop.close()

    async def _serve(self) -> None:
        self._stopping = asyncio.Event()
        try:
            server = await asyncio.start_server(
                self.listener.handle,
                LOOPBACK,
                self.requested_port,
                ssl=self._context,
                limit=64 * 1024,
                ssl_handshake_timeout=15.0 if self._context else None,
            )
        except OSError as exc:
            self._failure = exc
            self._ready.set()
            return
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        async with server:
            await self._stopping.wait()
            server.close()
            self.listener.close_all()  # handlers read the end of their stream and return
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            if tasks:
                _, pending = await asyncio.wait(tasks, timeout=2.0)
                for task in pending:
                    task.cancel()
                await asyncio.gather(*pending, return_exceptions=True)

    def stop(self, timeout: float = 5.0) -> None:
        """Stop listening and close open connections."""
        loop, stopping = self._loop, self._stopping
        if loop is not None and stopping is not None and loop.is_running():
            loop.call_soon_threadsafe(stopping.set)
        if self._thread is not None:
            self._thread.join(timeout)

    def __enter__(self) -> Hl7v2Simulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- addresses and actions ------------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"{'mllps' if self.tls else 'mllp'}://{LOOPBACK}:{self.port}"

    def endpoints(self) -> dict[str, str]:
        return {"mllp": self.url}

    def endpoint_details(self) -> dict[str, Any]:
        """What a DUI needs to send its ADT messages here (a future ``PUT /config/endpoints`` entry)."""
        details: dict[str, Any] = {"host": LOOPBACK, "port": self.port, "tls": self.tls is not None}
        if self.tls is not None and self.tls.client_ca is not None:
            details["ca"] = str(self.tls.client_ca)
        return details

    def send_feed(
        self, scenario: str, host: str, port: int, *, timeout: float = 10.0, tls_context: ssl.SSLContext | None = None
    ) -> Exchange:
        """Send the ADT feed of ``scenario`` to a DUI's MLLP endpoint; the recorded exchange."""
        return send_feed(self.recorder, scenario, host, port, timeout=timeout, tls_context=tls_context)
