"""Attended mode: tell the operator which test of how many is running ("test 3/27").

Each test that needs the DUI may ask the operator for several steps; their header carries the
position of the test in the run, known once collection (and the profile's deselection) is done.
"""

from __future__ import annotations

from collections.abc import Generator

import pytest

from harness.plugin.state import STATE, PluginState
from harness.sut.attended import AttendedDriver

__all__ = [
    "pytest_collection_modifyitems",
    "pytest_fixture_setup",
    "pytest_runtest_logreport",
    "pytest_runtest_setup",
    "pytest_unconfigure",
]

POSITIONS = pytest.StashKey[dict[str, int]]()
CURRENT = pytest.StashKey[tuple[int, int, str]]()
#: the attended driver of the session, once started (test reports carry no config to find it through)
_ATTENDED: dict[str, object] = {}


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    config.stash[POSITIONS] = {item.nodeid: index for index, item in enumerate(items, start=1)}


def _tell(config: pytest.Config) -> None:
    state = config.stash.get(STATE, None)
    progress = config.stash.get(CURRENT, None)
    driver = state.context.driver if state is not None and state.context is not None else None
    if isinstance(driver, AttendedDriver):
        _ATTENDED.update(driver=driver, state=state)
        if progress is not None:
            driver.operator.progress = progress


def pytest_runtest_setup(item: pytest.Item) -> None:
    positions = item.config.stash.get(POSITIONS, {})
    if item.nodeid in positions:
        item.config.stash[CURRENT] = (positions[item.nodeid], len(positions), item.nodeid.split("suites/")[-1])
        _tell(item.config)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Tell the operator each test's verdict as soon as it is known (its call, or a setup that did not pass)."""
    if report.when != "call" and report.outcome == "passed":
        return
    driver, state = _ATTENDED.get("driver"), _ATTENDED.get("state")
    if not isinstance(driver, AttendedDriver) or not isinstance(state, PluginState):
        return
    verdict = state.verdicts.get(report.nodeid)
    outcome = verdict.verdict if verdict is not None else report.outcome
    driver.operator.verdict(report.nodeid.split("suites/")[-1], outcome, verdict.reason if verdict else "")


def pytest_unconfigure(config: pytest.Config) -> None:
    _ATTENDED.clear()


@pytest.hookimpl(wrapper=True)
def pytest_fixture_setup(
    fixturedef: pytest.FixtureDef[object], request: pytest.FixtureRequest
) -> Generator[None, object, object]:
    result = yield
    if fixturedef.argname == "dui_run":  # the driver exists from now on: the first test's steps count too
        _tell(request.config)
    return result
