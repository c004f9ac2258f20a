"""Fixtures the conformance suites use: the run, the recorder, the simulators, the DUI."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from harness.core.recorder import Recorder
from harness.core.verdicts import UNREACHABLE
from harness.errors import HarnessCheckError, SutUnreachable
from harness.plugin.documents import DocumentLog
from harness.plugin.session import RunContext
from harness.plugin.state import STATE
from harness.services import Service, simulated
from harness.sut.driver import SutDriver
from harness.sut.http_trigger import TriggerApiError
from harness.validators.cda.pack import CdaPack
from mocks.common.simulator import Simulator

__all__ = ["cda_pack", "dui_run", "psc", "recorder", "sut", "validated_documents"]


@pytest.fixture(scope="session")
def dui_run(request: pytest.FixtureRequest) -> Iterator[RunContext]:
    """The run: simulators started on loopback, the DUI driver ready (reference DUI by default)."""
    state = request.config.stash[STATE]
    try:
        ctx = RunContext.open(state.settings)
    except SutUnreachable as exc:  # one line, then the session stops: every test would say the same
        state.stopped, state.stopped_verdict = f"DUI injoignable / DUI unreachable: {exc.message}", UNREACHABLE
        raise
    except Exception as exc:  # simulators that cannot start: a harness error, once
        state.stopped = f"le banc n'a pas pu démarrer / the bench could not start: {exc}"
        raise
    state.context = ctx
    try:
        yield ctx
    finally:
        ctx.close()


@pytest.fixture(scope="session")
def recorder(dui_run: RunContext) -> Recorder:
    """Every exchange the simulators received in this run."""
    return dui_run.recorder


@pytest.fixture(scope="session")
def sut(dui_run: RunContext) -> SutDriver:
    """The DUI under test, whatever the mode (trigger API or attended)."""
    if dui_run.driver is None:
        raise HarnessCheckError("the run has no DUI driver (the session did not start it)")
    return dui_run.driver


@pytest.fixture(scope="session")
def psc(dui_run: RunContext) -> Simulator:
    """The Pro Santé Connect simulator (OpenID Connect provider: faults, test professionals, issuer),
    with the redirect URIs the DUI declares in ``GET /info`` (``psc_redirect_uris``) registered."""
    sim = dui_run.simulators["PSC"]
    declared = dui_run.sut_info.extra.get("psc_redirect_uris") if dui_run.sut_info else None
    if declared:
        if not isinstance(declared, list) or not all(isinstance(u, str) for u in declared):
            raise TriggerApiError("getInfo: psc_redirect_uris must be a list of URIs")
        try:
            sim.register_redirect_uris(declared)  # type: ignore[attr-defined]
        except ValueError as exc:
            raise TriggerApiError(f"getInfo: psc_redirect_uris cannot be registered: {exc}") from None
    return sim


@pytest.fixture(scope="session")
def cda_pack(request: pytest.FixtureRequest) -> CdaPack | None:
    """The run's official CI-SIS artefact pack (``--dui-cda-pack``, from the run settings, with the content-model
    versions the profile pins), or None: the embedded rules only. The simulators got the same one
    (:class:`mocks.common.setup.SimulatorSetup`), so the suites reuse their judgements."""
    return request.config.stash[STATE].settings.cda()


@pytest.fixture(scope="session")
def validated_documents(request: pytest.FixtureRequest) -> DocumentLog:
    """Where a suite keeps the documents it validated (``<reports>/documents``, carried by the bundle)."""
    return DocumentLog(request.config.stash[STATE].settings.reports / "documents")


def _simulator_fixture(service: Service) -> Callable[[RunContext], Simulator]:
    def simulator(dui_run: RunContext) -> Simulator:
        return dui_run.simulators[service.id]

    simulator.__doc__ = f"The {service.label_en} simulator ({service.label_fr}): faults, state, URL, exchanges."
    return pytest.fixture(scope="session", name=service.name)(simulator)


#: one fixture per simulated service, named after the service's ``name`` (``insi``, ``mss``, ``dmp``…);
#: ``psc`` above also registers the DUI's redirect URIs.
for _service in simulated():
    if _service.name not in __all__:
        globals()[_service.name] = _simulator_fixture(_service)
        __all__.append(_service.name)
