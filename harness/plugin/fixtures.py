"""Fixtures the conformance suites use: the run, the recorder, the simulators, the DUI."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from harness.core.recorder import Recorder
from harness.plugin.session import RunContext
from harness.plugin.state import STATE
from harness.sut.driver import SutDriver
from mocks.common.simulator import Simulator

__all__ = ["dui_run", "insi", "recorder", "sut"]


@pytest.fixture(scope="session")
def dui_run(request: pytest.FixtureRequest) -> Iterator[RunContext]:
    """The run: simulators started on loopback, the DUI driver ready (reference DUI by default)."""
    state = request.config.stash[STATE]
    ctx = RunContext.open(state.settings)
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
    assert dui_run.driver is not None
    return dui_run.driver


@pytest.fixture(scope="session")
def insi(dui_run: RunContext) -> Simulator:
    """The INSi teleservice simulator (faults, state, URL)."""
    return dui_run.simulators["INSi"]
