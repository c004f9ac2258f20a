"""One conformance run: the recorder, the test PKI, the simulators and the DUI driver.

Built lazily by the session fixture ``dui_run`` and torn down at the end of the session.
With no ``--dui-sut``, the bundled reference DUI is started and pointed at the simulators.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.core.recorder import Recorder
from harness.errors import HarnessCheckError, HarnessError
from harness.pki import TestPki, ensure_pki
from harness.plugin.endpoints import endpoint_entries, reference_dui_settings
from harness.plugin.options import RunSettings
from harness.services import Service, resolve, simulated
from harness.sut.attended import AttendedDriver
from harness.sut.driver import SutDriver, SutInfo
from harness.sut.http_trigger import HttpTriggerDriver
from harness.validators.cda.pack import CdaPack
from harness.validators.cda.warmup import Warmup, warm_up
from mocks.common.server import TlsSettings
from mocks.common.setup import SimulatorSetup, server_tls
from mocks.common.simulator import Simulator
from mocks.mssante.auth_psc import link_simulators

__all__ = ["RunContext", "start_simulator"]
#: how long the reference DUI waits for a simulator's answer (seconds): the simulators answer in milliseconds,
#: but a bench sharing two cores with other runs (the project's own tests, CI) may take seconds, and a
#: timeout there would be charged to the reference DUI as a non-conformity it never made
REFERENCE_DUI_TIMEOUT = 20.0

#: how long a run waits for its CDA pack's artefacts to be compiled before triggering the DUI (Saxon takes
#: 20-90 s on the structuration minimale on a loaded machine)
WARMUP_TIMEOUT = 600.0


def start_simulator(ctx: RunContext, service: Service) -> Simulator:
    """Start ``service``'s simulator with the run's recorder, PKI, ports, data folder and CDA pack: on its
    declared fixed ports for a DUI configured beforehand, on free ones otherwise."""
    factory = resolve(str(service.simulator))
    ports = {key: 0 for key in service.ports} if ctx.settings.free_ports else dict(service.ports)
    ports.update(ctx.settings.ports.get(service.id, {}))
    options = {"xds_schemas": ctx.settings.xds_schemas} if ctx.settings.xds_schemas is not None else {}
    setup = SimulatorSetup(
        ctx.recorder,
        ctx.pki,
        ports,
        data_dir=ctx.settings.reports,
        cda_pack=ctx.cda_pack,
        cda_warmup=ctx.cda_warmup,
        options=options,
    )
    simulator: Simulator = factory(setup)
    return simulator.start()


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
    #: the run's CDA pack with the profile's pins (``RunSettings.cda``), handed to every simulator and suite
    cda_pack: CdaPack | None = None
    #: the compilation of that pack's artefacts, started with the simulators, awaited before the DUI is triggered
    cda_warmup: Warmup | None = None

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
        return server_tls(self.pki)

    def _start(self) -> None:
        self.cda_pack = self.settings.cda()
        if self.cda_pack is not None:  # compiled while the PKI and the simulators are set up (issue 10 item 3)
            self.cda_warmup = warm_up(self.cda_pack)
        if self.settings.tls:
            self.pki = ensure_pki(self.settings.pki_dir)
        for service in simulated():
            self.simulators[service.id] = start_simulator(self, service)
        link_simulators(self.simulators)  # the MSSanté operator checks XOAUTH2 tokens against PSC
        self._wait_for_cda()
        if self.settings.attended:
            self.driver = AttendedDriver(
                self.recorder, exchange_timeout=self.settings.exchange_timeout, reports=self.settings.reports
            )
        elif self.settings.sut_url:
            self.driver = HttpTriggerDriver(self.settings.sut_url)
        else:
            self.driver = HttpTriggerDriver(self._start_reference_dui())
        self.driver.configure_endpoints(self.endpoints())
        self.sut_info = self.driver.info()

    def _wait_for_cda(self) -> None:
        """Wait for the pack's compilation before the DUI is started or called: Saxon keeps the interpreter
        while it compiles, so nothing else of the process (the simulators' and the reference DUI's servers)
        answers meanwhile, and a DUI's call would wait for it."""
        if self.cda_warmup is not None and not self.cda_warmup.wait(WARMUP_TIMEOUT):
            raise HarnessCheckError(
                f"the CDA pack {self.cda_pack.root if self.cda_pack else ''} was not compiled "
                f"within {WARMUP_TIMEOUT:.0f} s"
            )

    def _start_reference_dui(self) -> str:
        from reference_dui import ReferenceDui, ReferenceDuiConfig

        settings = {"timeout": REFERENCE_DUI_TIMEOUT, **reference_dui_settings(self.simulators, self.pki)}
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
        """The body of ``PUT /config/endpoints`` for this run's simulators."""
        return endpoint_entries(self.simulators, self.pki)

    def close(self) -> None:
        if self.driver is not None:
            try:
                self.indicators = self.driver.indicators()
            except (HarnessError, AssertionError) as exc:  # an unreachable DUI or a broken answer
                self.indicators = {"error": str(exc)[:500]}
            self.driver.close()
        if self.reference_dui is not None:  # first: its background work ends against simulators still answering
            self.reference_dui.stop()
        servers = list(self.simulators.values())
        with ThreadPoolExecutor(max_workers=max(1, len(servers))) as pool:  # each shutdown waits ~0.2 s
            list(pool.map(lambda server: server.stop(), servers))
