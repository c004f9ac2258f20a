"""Fixtures the conformance suites use: the run, the recorder, the simulators, the DUI."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from harness.core.recorder import Recorder
from harness.core.verdicts import UNREACHABLE
from harness.errors import HarnessCheckError, SutUnreachable
from harness.plugin.documents import DocumentLog
from harness.plugin.session import RunContext
from harness.plugin.state import STATE
from harness.sut.driver import SutDriver
from harness.sut.http_trigger import TriggerApiError
from mocks.common.simulator import Simulator

__all__ = ["dmp", "dui_run", "eparcours", "epresc", "insi", "mss", "psc", "recorder", "sut", "validated_documents"]


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
def insi(dui_run: RunContext) -> Simulator:
    """The INSi teleservice simulator (faults, state, URL)."""
    return dui_run.simulators["INSi"]


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
def validated_documents(request: pytest.FixtureRequest) -> DocumentLog:
    """Where a suite keeps the documents it validated (``<reports>/documents``, carried by the bundle)."""
    return DocumentLog(request.config.stash[STATE].settings.reports / "documents")


@pytest.fixture(scope="session")
def mss(dui_run: RunContext) -> Simulator:
    """The MSSanté operator simulator (SMTP/IMAP listeners, mailboxes, directory, deliveries)."""
    return dui_run.simulators["MSSante"]


@pytest.fixture(scope="session")
def eparcours(dui_run: RunContext) -> Simulator:
    """The e-parcours platform simulator (TDDUI consumer, FHIR R4): store, faults, recorded bundles."""
    return dui_run.simulators["EPARCOURS"]


@pytest.fixture(scope="session")
def epresc(dui_run: RunContext) -> Simulator:
    """The e-prescription teleservice simulator (FHIR R4 model, an assumption): prescriptions, faults."""
    return dui_run.simulators["EPRESC"]


@pytest.fixture(scope="session")
def dmp(dui_run: RunContext) -> Simulator:
    """The DMP simulator (XDS.b registry and repository, TD0.2 statuses, seeded documents, faults)."""
    return dui_run.simulators["DMP"]
