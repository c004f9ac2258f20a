"""Run the reference DUI as a real HTTP server on 127.0.0.1."""

from __future__ import annotations

from types import TracebackType

from mocks.common.server import SimulatorServer
from reference_dui.app import API_PREFIX, build_app
from reference_dui.config import ReferenceDuiConfig
from reference_dui.service import DuiService
from reference_dui.store import Store

__all__ = ["ReferenceDui"]


class ReferenceDui:
    """The reference DUI: its trigger API served on 127.0.0.1 in a background thread.

    Example::

        with ReferenceDui(ReferenceDuiConfig(insi_url=url)) as dui:
            requests.post(f"{dui.base_url}/persons", json={...})
    """

    def __init__(self, config: ReferenceDuiConfig | None = None) -> None:
        self.config = config or ReferenceDuiConfig()
        self.service = DuiService(self.config)
        self._server: SimulatorServer | None = None

    def start(self, port: int = 0) -> ReferenceDui:
        if self._server is None:
            if self.service.store.closed:
                self.service.store = Store(self.config.db_path)
            self._server = SimulatorServer(build_app(self.service), name="reference-dui", port=port).start()
        return self

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the reference DUI is not started")
        return self._server.port

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>/harness/v1``."""
        if self._server is None:
            raise RuntimeError("the reference DUI is not started")
        return self._server.base_url + API_PREFIX

    def stop(self) -> None:
        """Stop the server and close the store (an in-memory store is lost)."""
        if self._server is not None:
            self._server.stop()
            self._server = None
        for feature in self.service.features:
            feature.close()
        self.service.store.close()

    close = stop

    def __enter__(self) -> ReferenceDui:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
