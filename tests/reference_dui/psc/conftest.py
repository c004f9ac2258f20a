"""Fixtures of the reference DUI's Pro Santé Connect tests: a real PSC simulator and a configured DUI."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from harness.core.recorder import Recorder
from mocks.psc import PscSimulator
from reference_dui import ReferenceDui
from tests.reference_dui.refdui_stub import Api, DuiFactory

NOMINAL = "899900000011"
Login = Callable[..., tuple[Api, PscSimulator]]


def psc_entry(sim: PscSimulator, **changes: Any) -> dict[str, Any]:
    """The ``psc`` entry of ``PUT /config/endpoints`` the harness sends for ``sim``."""
    return {"url": sim.url, **sim.endpoint_details(), **changes}


@pytest.fixture(scope="module")
def psc_sim() -> Iterator[PscSimulator]:
    sim = PscSimulator(Recorder()).start()
    yield sim
    sim.stop()


@pytest.fixture
def sim(psc_sim: PscSimulator) -> Iterator[PscSimulator]:
    yield psc_sim
    psc_sim.reset()


@pytest.fixture
def psc_dui(make_dui: DuiFactory, sim: PscSimulator) -> Callable[..., Api]:
    """``psc_dui(*defects)`` → the trigger API of a new reference DUI pointed at the simulator."""

    def factory(*defects: str) -> Api:
        _dui, api = make_dui(defects=defects)
        answer = api.call("PUT", "/config/endpoints", json={"psc": psc_entry(sim)})
        assert answer.status_code == 204, answer.text
        return api

    return factory


@pytest.fixture(scope="module")
def _shared(make_dui: DuiFactory) -> tuple[ReferenceDui, Api]:
    return make_dui()


@pytest.fixture
def api(_shared: tuple[ReferenceDui, Api], sim: PscSimulator) -> Api:
    """The module's clean DUI, emptied and pointed at the simulator."""
    client = _shared[1]
    assert client.call("POST", "/reset").status_code == 204
    assert client.call("PUT", "/config/endpoints", json={"psc": psc_entry(sim)}).status_code == 204
    return client


def login(api: Api, professional: str = NOMINAL) -> dict[str, Any]:
    answer = api.call("POST", "/psc/login", json={"professional": professional})
    assert answer.status_code == 200, answer.text
    result: dict[str, Any] = answer.json()
    return result
