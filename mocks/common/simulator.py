"""Base class of every simulated service: one recorder, one fault plan, one real server."""

from __future__ import annotations

from typing import Any

from starlette.applications import Starlette
from starlette.routing import BaseRoute

from harness.core.recorder import Recorder
from mocks.common.control import control_routes
from mocks.common.faults import FaultPlan
from mocks.common.limits import DEFAULT_LIMITS, Limits
from mocks.common.recording import RecordingMiddleware
from mocks.common.server import SimulatorServer, TlsSettings

__all__ = ["Simulator"]


class Simulator:
    """A simulated national service. Subclasses give ``service``, ``routes()`` and state.

    Args:
        recorder: the recorder shared by every simulator of the run.
        port: 0 for a free port, or a fixed one.
        tls: TLS / mutual TLS settings; None for plain HTTP.
    """

    service = "base"
    fault_kinds: tuple[str, ...] = ()
    max_body = 10 * 1024 * 1024
    #: bounds of every listener of the simulator (issue 17); assign before ``start()`` to change them
    limits: Limits = DEFAULT_LIMITS

    def __init__(self, recorder: Recorder, *, port: int = 0, tls: TlsSettings | None = None) -> None:
        self.recorder = recorder
        self.faults = FaultPlan(self.fault_kinds)
        self.server = SimulatorServer(self.build_app(), name=self.service.lower(), port=port, tls=tls)

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

    def endpoint_details(self) -> dict[str, Any]:
        """Entries a DUI needs besides ``url`` in ``PUT /config/endpoints`` (e.g. an issuer)."""
        return {}

    # -- shared -------------------------------------------------------------------------
    def build_app(self) -> Any:
        app = Starlette(routes=[*control_routes(self), *self.routes()])
        return RecordingMiddleware(
            app, self.recorder, self.service, max_body=self.max_body, on_oversize=self.oversize_response
        )

    @property
    def url(self) -> str:
        return self.server.base_url

    def start(self) -> Simulator:
        self.server.start()
        return self

    def stop(self) -> None:
        self.server.stop()

    def __enter__(self) -> Simulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
