"""One conformance run: the recorder, the test PKI, the simulators and the DUI driver.

Built lazily by the session fixture ``dui_run`` and torn down at the end of the session.
With no ``--dui-sut``, the bundled reference DUI is started and pointed at the simulators.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.core.recorder import Recorder
from harness.pki import TestPki, ensure_pki
from harness.plugin.options import RunSettings
from harness.sut.attended import AttendedDriver
from harness.sut.driver import SutDriver, SutInfo
from harness.sut.http_trigger import HttpTriggerDriver
from mocks.common.server import TlsSettings
from mocks.common.simulator import Simulator

__all__ = ["RunContext"]


def _start_insi(ctx: RunContext) -> Simulator:
    from mocks.insi import InsiSimulator

    return InsiSimulator(ctx.recorder, port=ctx.settings.insi_port, tls=ctx.server_tls()).start()


def _reference_dui_insi(ctx: RunContext) -> dict[str, Any]:
    client_cert = client_key = ca = None
    if ctx.pki is not None:
        client_cert, client_key = ctx.pki.client("client-insi-auto")
        ca = ctx.pki.ca_cert
    return {"insi_url": ctx.simulators["INSi"].url, "client_cert": client_cert, "client_key": client_key,
            "ca_cert": ca}


#: service name -> factory starting its simulator. Each simulated service adds one entry.
SIMULATORS: dict[str, Callable[[RunContext], Simulator]] = {"INSi": _start_insi}

#: service name -> the ReferenceDuiConfig keyword arguments that point the reference DUI at it.
REFERENCE_DUI_SETTINGS: dict[str, Callable[[RunContext], dict[str, Any]]] = {"INSi": _reference_dui_insi}


@dataclass
class RunContext:
    """Everything a conformance test needs, shared by the session."""

    settings: RunSettings
    recorder: Recorder
    pki: TestPki | None = None
    simulators: dict[str, Simulator] = field(default_factory=dict)
    driver: SutDriver | None = None
    reference_dui: Any = None
    sut_info: SutInfo | None = None

    @classmethod
    def open(cls, settings: RunSettings) -> RunContext:
        ctx = cls(settings=settings, recorder=Recorder(settings.reports / "exchanges"))
        try:
            ctx._start()
        except BaseException:
            ctx.close()
            raise
        return ctx

    def server_tls(self) -> TlsSettings | None:
        if self.pki is None:
            return None
        return TlsSettings(self.pki.server_cert, self.pki.server_key, client_ca=self.pki.ca_cert)

    def _start(self) -> None:
        if self.settings.tls:
            self.pki = ensure_pki(self.settings.pki_dir)
        for service, factory in SIMULATORS.items():
            self.simulators[service] = factory(self)
        if self.settings.attended:
            self.driver = AttendedDriver(self.recorder, exchange_timeout=self.settings.exchange_timeout)
        elif self.settings.sut_url:
            self.driver = HttpTriggerDriver(self.settings.sut_url)
        else:
            self.driver = HttpTriggerDriver(self._start_reference_dui())
        self.driver.configure_endpoints(self.endpoints())
        self.sut_info = self.driver.info()

    def _start_reference_dui(self) -> str:
        from reference_dui import ReferenceDui, ReferenceDuiConfig

        settings: dict[str, Any] = {}
        for contribute in REFERENCE_DUI_SETTINGS.values():
            settings.update(contribute(self))
        config = ReferenceDuiConfig(
            **settings,
            pki_dir=self.pki.directory if self.pki else None,
            db_path=self.settings.reports / "reference-dui.sqlite3",
            defects=frozenset(self.settings.defects),
        )
        db: Path = config.db_path  # type: ignore[assignment]
        db.unlink(missing_ok=True)
        self.reference_dui = ReferenceDui(config).start()
        return str(self.reference_dui.base_url)

    def endpoints(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for service, sim in self.simulators.items():
            entry: dict[str, Any] = {"url": sim.url}
            if self.pki is not None:
                cert, key = self.pki.client("client-insi-auto")
                entry.update(client_cert=str(cert), client_key=str(key), ca=str(self.pki.ca_cert))
            out[service.lower()] = entry
        return out

    def close(self) -> None:
        if self.driver is not None:
            self.driver.close()
        if self.reference_dui is not None:
            self.reference_dui.stop()
        for sim in self.simulators.values():
            sim.stop()
