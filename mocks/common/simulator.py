"""Base class of every simulated service: one recorder, one fault plan, one real server."""

from __future__ import annotations

from typing import Any, Self

from starlette.applications import Starlette
from starlette.routing import BaseRoute

from harness.core.recorder import Exchange, HttpMessage, Recorder, utcnow
from mocks.common.control import control_routes
from mocks.common.control_token import authorization_header, is_authorized, run_token
from mocks.common.faults import FaultPlan
from mocks.common.limits import DEFAULT_LIMITS, Limits
from mocks.common.pipeline import Pipeline
from mocks.common.recording import RecordingMiddleware
from mocks.common.server import SimulatorServer, TlsSettings

__all__ = ["Simulator"]


class Simulator(Pipeline):
    """A simulated national service. Subclasses give ``service``, ``routes()`` and state; an HTTP
    service routes its requests to :meth:`~mocks.common.pipeline.Pipeline.endpoint` and supplies the
    pipeline's hooks (``prepare``, ``respond``, ``describe``…).

    Args:
        recorder: the recorder shared by every simulator of the run.
        port: 0 for a free port, or a fixed one.
        tls: TLS / mutual TLS settings; None for plain HTTP.
    """

    service = "base"
    fault_kinds: tuple[str, ...] = ()
    max_body = DEFAULT_LIMITS.body_bytes  # a service may set its own (DMP: 64 MiB)
    #: True: the service's routes are tried before the control API's, so that its requests skip matching every
    #: ``/_harness`` route (issue 18); only for services whose routes can never match a ``/_harness`` path
    service_routes_first = False
    _limits: Limits = DEFAULT_LIMITS

    def __init__(self, recorder: Recorder, *, port: int = 0, tls: TlsSettings | None = None) -> None:
        self.recorder = recorder
        self.faults = FaultPlan(self.fault_kinds)
        #: the run's control token, required on every ``/_harness`` call (``X-Harness-Token``)
        self.control_token = run_token()
        self._middleware: RecordingMiddleware | None = None
        self.server = SimulatorServer(
            self.build_app(),
            name=self.service.lower(),
            port=port,
            tls=tls,
            limits=self.limits,
            on_tls_failure=self.record_tls_rejection,
        )

    # -- what a subclass provides -------------------------------------------------------
    def routes(self) -> list[BaseRoute]:
        raise NotImplementedError

    def state(self) -> dict[str, Any]:
        return {}

    def update_state(self, data: dict[str, Any]) -> None:
        raise ValueError(f"{self.service} has no scenario state to change")

    def reset(self) -> None:
        self.faults.clear()

    def oversize_response(self, reason: str) -> tuple[int, str, bytes]:
        return 413, "text/plain; charset=utf-8", reason.encode()

    def transport_refusal(self, status: int, reason: str) -> tuple[int, str, bytes]:
        """The answer to a head too large (431) or a body too slow (408), in the service's own error format."""
        return status, "text/plain; charset=utf-8", reason.encode()

    def control_body_limit(self, path: str) -> int:
        """Largest body of a control call to ``path`` (read only after the token was checked)."""
        return self.limits.control_body_bytes

    def endpoint_details(self) -> dict[str, Any]:
        """Entries a DUI needs besides ``url`` in ``PUT /config/endpoints`` (e.g. an issuer)."""
        return {}

    def serve_lines(self) -> list[str]:
        """The lines ``dui-harness serve`` prints for a person configuring a DUI against this simulator."""
        return [f"  {self.service}: {self.url}", f"      control API: {self.url}/_harness/exchanges, /_harness/faults"]

    # -- shared -------------------------------------------------------------------------
    @property
    def limits(self) -> Limits:
        """Bounds of every listener of the simulator (issue 17); set them before ``start()``."""
        return self._limits

    @limits.setter
    def limits(self, value: Limits) -> None:
        self._limits = value
        if self._middleware is not None:
            self._middleware.limits = value
        server = getattr(self, "server", None)
        if server is not None:
            server.limits = value

    def record_tls_rejection(self, error: BaseException) -> None:
        """Record a TLS handshake that failed (wrong CA, expired or self-signed certificate...) as an exchange.

        The client never got an HTTP answer, so the exchange has a TLS pseudo request and the
        handshake error as its answer; the peer is unknown at that layer (asyncio does not pass it).
        """
        reason = getattr(error, "reason", None) or type(error).__name__
        detail = str(error) or reason
        exchange = Exchange(
            id=self.recorder.new_id(),
            service=self.service,
            transaction="TLS",
            started=utcnow(),
            request=HttpMessage("TLS handshake", [], b""),
            response=HttpMessage("TLS handshake failed", [], detail.encode("utf-8", "replace")),
        )
        exchange.summary.update(
            tls=True, error=f"poignée de main TLS refusée / TLS handshake failed: {detail}", tls_reason=str(reason)
        )
        self.recorder.record(exchange)

    def control_headers(self) -> dict[str, str]:
        """Headers a control call needs (the run's token)."""
        return authorization_header(self.control_token)

    def build_app(self) -> Any:
        control, own = control_routes(self), self.routes()
        app = Starlette(routes=[*own, *control] if self.service_routes_first else [*control, *own])
        self._middleware = RecordingMiddleware(
            app,
            self.recorder,
            self.service,
            max_body=self.max_body,
            on_oversize=self.oversize_response,
            on_refusal=self.transport_refusal,
            limits=self.limits,
            authorize=lambda scope: is_authorized(scope, self.control_token),
            control_limit=self.control_body_limit,
        )
        return self._middleware

    @property
    def url(self) -> str:
        return self.server.base_url

    def start(self) -> Self:
        self.server.start()
        return self

    def stop(self) -> None:
        self.server.stop()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
