"""Run an ASGI simulator on a real loopback socket, in a thread, with TLS or mutual TLS.

The client certificate a DUI presents is made visible to the app as
``scope["extensions"]["tls"]["client_subject"]`` (e.g. ``"CN=INSI-AUTO,O=…"``), so that a
simulator can check it as the real service does (INSi: CN must be INSI-AUTO or INSI-MANU).
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from harness.errors import SimulatorError
from mocks.common.limits import DEFAULT_LIMITS, Limits

__all__ = ["LOOPBACK", "SimulatorServer", "TlsSettings"]

LOOPBACK = "127.0.0.1"


@dataclass(frozen=True)
class TlsSettings:
    """Server certificate and, for mutual TLS, the CA that client certificates must chain to.

    ``require_client_cert`` False still *asks* for a certificate (CERT_OPTIONAL), so that
    the simulator can answer a DUI without one with a precise fault instead of a handshake
    failure that says nothing.
    """

    certfile: Path
    keyfile: Path
    client_ca: Path | None = None
    require_client_cert: bool = False


def _subject(cert: dict[str, Any]) -> str:
    parts = []
    for rdn in cert.get("subject", ()):
        for key, value in rdn:
            short = {
                "commonName": "CN",
                "organizationName": "O",
                "organizationalUnitName": "OU",
                "countryName": "C",
            }.get(key, key)
            parts.append(f"{short}={value}")
    return ",".join(parts)


class _TlsAwareH11(H11Protocol):
    """uvicorn's h11 protocol, adding the verified client certificate to each ASGI scope.

    It also bounds the time a client has to send a request head (``header_timeout`` of
    :class:`~mocks.common.limits.Limits`): uvicorn only times out an idle keep-alive
    connection, so a client sending a head byte by byte (or nothing at all) held a
    connection forever (issue 17, defect 8).
    """

    _head_timer: asyncio.TimerHandle | None = None

    def _waiting_for_head(self) -> bool:
        return self.cycle is None or self.cycle.response_complete

    def _arm_head_timer(self) -> None:
        if self._waiting_for_head():
            if self._head_timer is None:
                timeout = getattr(self.config, "header_timeout", DEFAULT_LIMITS.header_timeout)
                self._head_timer = self.loop.call_later(timeout, self._head_timed_out)
        elif self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if self._waiting_for_head() and not self.transport.is_closing():
            self.transport.close()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        self._arm_head_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None
        super().connection_lost(exc)

    def connection_made(self, transport: Any) -> None:
        super().connection_made(transport)
        self._arm_head_timer()
        ssl_object = transport.get_extra_info("ssl_object")
        if ssl_object is None:
            return
        cert = ssl_object.getpeercert() or {}
        tls = {
            "client_cert": cert,
            "client_subject": _subject(cert) if cert else None,
            "version": ssl_object.version(),
        }
        inner = self.app

        async def app(scope: Any, receive: Any, send: Any) -> None:
            scope.setdefault("extensions", {})["tls"] = tls
            await inner(scope, receive, send)

        self.app = app


TlsFailure = Callable[[BaseException], None]


def _reporting_sslobject(on_failure: TlsFailure) -> type[ssl.SSLObject]:
    """An ``SSLObject`` class that reports a failed server handshake (asyncio only logs it at debug level)."""

    class ReportingSSLObject(ssl.SSLObject):
        def do_handshake(self) -> None:
            try:
                super().do_handshake()
            except (ssl.SSLWantReadError, ssl.SSLWantWriteError):
                raise
            except ssl.SSLError as exc:
                on_failure(exc)
                raise

    return ReportingSSLObject


class _PromptServer(uvicorn.Server):
    """uvicorn's server, started and stopped on events instead of fixed pauses.

    uvicorn checks ``should_exit`` between 0.1 s sleeps, then pauses 0.1 s more for open
    connections to close: ~0.2 s of waiting per stop, paid by every run and every test that
    starts a simulator. Here :meth:`request_exit` wakes the main loop at once, the shutdown waits
    only while connections remain open (at most the same 0.1 s), and :attr:`ready` is set when
    the server listens.
    """

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.ready = threading.Event()
        self._wake: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        self._loop, self._wake = asyncio.get_running_loop(), asyncio.Event()
        await super().startup(sockets)
        self.ready.set()

    async def main_loop(self) -> None:
        counter = 0
        should_exit = await self.on_tick(counter)
        while not should_exit:
            counter = (counter + 1) % 864000
            if self._wake is not None:
                # uvicorn's tick (date header, limits) every 0.1 s, or at once on a stop request
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), 0.1)
            should_exit = await self.on_tick(counter)

    def request_exit(self) -> None:
        """Ask the server to stop (from any thread): its loop wakes now, not at its next tick."""
        self.should_exit = True
        loop, wake = self._loop, self._wake
        if loop is not None and wake is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile: it has stopped already
                loop.call_soon_threadsafe(wake.set)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        for server in self.servers:
            server.close()
        for sock in sockets or []:
            sock.close()
        for connection in list(self.server_state.connections):
            connection.shutdown()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 0.1  # uvicorn's own grace for the connections, ended as soon as they are closed
        while self.server_state.connections and loop.time() < deadline:
            await asyncio.sleep(0.005)
        wait_tasks = getattr(self, "_wait_tasks_to_complete", None)
        if wait_tasks is not None:
            await wait_tasks()
        if not self.force_exit:
            await self.lifespan.shutdown()


class SimulatorServer:
    """A real HTTP(S) server on 127.0.0.1 running ``app`` in a background thread.

    Args:
        app: the ASGI application of the simulated service.
        name: how logs and URLs name it (``insi``).
        port: 0 for any free port (default), or a fixed port for a DUI configured beforehand.
        tls: certificate settings; None serves plain HTTP.
        limits: timeouts, head size and connection cap (:class:`~mocks.common.limits.Limits`).
        on_tls_failure: called (in the server thread) with the error of each failed TLS handshake.
    """

    def __init__(
        self,
        app: Any,
        *,
        name: str,
        port: int = 0,
        tls: TlsSettings | None = None,
        limits: Limits = DEFAULT_LIMITS,
        on_tls_failure: TlsFailure | None = None,
    ) -> None:
        self.app = app
        self.limits = limits
        self.on_tls_failure = on_tls_failure
        self.name = name
        self.requested_port = port
        self.tls = tls
        self.port = 0
        self._server: _PromptServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def scheme(self) -> str:
        return "https" if self.tls else "http"

    @property
    def base_url(self) -> str:
        return f"{self.scheme}://{LOOPBACK}:{self.port}"

    def start(self, timeout: float = 10.0) -> SimulatorServer:
        # IPPROTO_TCP explicitly: asyncio then sets TCP_NODELAY on accepted connections (no 40 ms Nagle stalls)
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((LOOPBACK, self.requested_port))
        except OSError as exc:
            sock.close()
            raise SimulatorError(
                f"simulateur / simulator {self.name}: écoute impossible / cannot listen on "
                f"{LOOPBACK}:{self.requested_port} ({exc})",
                tip="choose another port, or 0 for a free one / choisissez un autre port",
            ) from exc
        self.port = sock.getsockname()[1]
        kwargs: dict[str, Any] = {}
        if self.tls is not None:
            kwargs.update(ssl_certfile=str(self.tls.certfile), ssl_keyfile=str(self.tls.keyfile))
            if self.tls.client_ca is not None:
                kwargs.update(
                    ssl_ca_certs=str(self.tls.client_ca),
                    ssl_cert_reqs=ssl.CERT_REQUIRED if self.tls.require_client_cert else ssl.CERT_OPTIONAL,
                )
        config = uvicorn.Config(
            self.app,
            log_level="warning",
            access_log=False,
            lifespan="off",
            http=_TlsAwareH11,
            timeout_keep_alive=max(1, round(self.limits.keep_alive_timeout)),
            h11_max_incomplete_event_size=self.limits.header_bytes,
            limit_concurrency=self.limits.connections,
            **kwargs,
        )
        config.header_timeout = self.limits.header_timeout  # type: ignore[attr-defined]  # read by _TlsAwareH11
        if self.tls is not None:
            config.load()
            if self.on_tls_failure is not None and config.ssl is not None:
                config.ssl.sslobject_class = _reporting_sslobject(self.on_tls_failure)
        self._server = _PromptServer(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [sock]}, name=f"sim-{self.name}", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.ready.wait(0.05):
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise SimulatorError(
                    f"simulateur {self.name} non démarré en {timeout} s / simulator {self.name} did "
                    f"not start within {timeout} s"
                )
        return self

    @property
    def open_connections(self) -> int:
        """HTTP connections open right now (uvicorn answers 503 once ``limits.connections`` are open)."""
        return len(self._server.server_state.connections) if self._server is not None else 0

    def stop(self, timeout: float = 5.0) -> None:
        if self._server is not None:
            self._server.request_exit()
        if self._thread is not None:
            self._thread.join(timeout)
        self._server = None
        self._thread = None

    def __enter__(self) -> SimulatorServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
