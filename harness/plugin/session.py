"""One conformance run: the recorder, the test PKI, the simulators and the DUI driver.

Built lazily by the session fixture ``dui_run`` and torn down at the end of the session.
With no ``--dui-sut``, the bundled reference DUI is started and pointed at the simulators.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.core.recorder import Recorder
from harness.errors import HarnessError
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


def _start_psc(ctx: RunContext) -> Simulator:
    from mocks.psc import PscSimulator

    # a fixed port for a DUI configured beforehand; a free one when INSi is on a free one too (--insi-port 0)
    port = 0 if ctx.settings.free_ports else 8706
    return PscSimulator(ctx.recorder, port=port, tls=ctx.server_tls()).start()


def _start_mss(ctx: RunContext) -> Simulator:
    from harness.plugin.mss_session import start_mss

    return start_mss(ctx)


def _start_fhir(ctx: RunContext, service: str, fixed_port: int) -> Simulator:
    """The FHIR simulators (e-parcours TDDUI consumer, e-prescription), SQLite under the reports."""
    from mocks.fhir import EparcoursSimulator, EprescSimulator

    port = 0 if ctx.settings.free_ports else fixed_port  # fixed for a DUI configured beforehand
    ctx.settings.reports.mkdir(parents=True, exist_ok=True)
    db = ctx.settings.reports / f"fhir-{service.lower()}.sqlite3"
    db.unlink(missing_ok=True)
    kind = EparcoursSimulator if service == "EPARCOURS" else EprescSimulator
    return kind(ctx.recorder, port=port, tls=ctx.server_tls(), db_path=db).start()


def _start_dmp(ctx: RunContext) -> Simulator:
    """The DMP simulator (XDS.b registry/repository, SQLite under the reports; fixed port 8702 for a
    DUI configured beforehand)."""
    from mocks.dmp import DmpSimulator

    port = 0 if ctx.settings.free_ports else 8702
    ctx.settings.reports.mkdir(parents=True, exist_ok=True)
    db = ctx.settings.reports / "dmp-registry.sqlite3"
    db.unlink(missing_ok=True)
    signing = ctx.pki.client("signing-vihf") if ctx.pki is not None else None
    return DmpSimulator(ctx.recorder, port=port, tls=ctx.server_tls(), db_path=db, signing=signing).start()


#: service name -> factory starting its simulator. Each simulated service adds one entry.
SIMULATORS: dict[str, Callable[[RunContext], Simulator]] = {"INSi": _start_insi}
SIMULATORS["PSC"] = _start_psc
SIMULATORS["MSSante"] = _start_mss
SIMULATORS["EPARCOURS"] = lambda ctx: _start_fhir(ctx, "EPARCOURS", 8707)
SIMULATORS["EPRESC"] = lambda ctx: _start_fhir(ctx, "EPRESC", 8708)
SIMULATORS["DMP"] = lambda ctx: _start_dmp(ctx)

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
    #: the DUI's usage indicators (trigger API ``GET /indicators``) read at the end of the run
    indicators: dict[str, Any] | None = None

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
            self.driver = AttendedDriver(self.recorder, exchange_timeout=self.settings.exchange_timeout,
                                         reports=self.settings.reports)
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
            entry.update(sim.endpoint_details())  # a service's own details (e.g. its client certificate) win
            out[service.lower()] = entry
        return out

    def close(self) -> None:
        if self.driver is not None:
            try:
                self.indicators = self.driver.indicators()
            except (HarnessError, AssertionError) as exc:  # an unreachable DUI or a broken answer
                self.indicators = {"error": str(exc)[:500]}
            self.driver.close()
        servers = [*([self.reference_dui] if self.reference_dui is not None else []), *self.simulators.values()]
        with ThreadPoolExecutor(max_workers=max(1, len(servers))) as pool:  # each shutdown waits ~0.2 s
            list(pool.map(lambda server: server.stop(), servers))
