"""Fixtures of the INSi simulator tests: one plain-HTTP simulator per module, an HTTP caller."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from harness.core.recorder import Exchange, Recorder
from mocks.insi import InsiSimulator
from mocks.insi.samples import SOAP12_HEADERS
from tests.support import need_reference

#: ``shared/reference`` beside the repository root (never copied into the repo)
REFERENCE = Path(__file__).resolve().parents[3] / ".." / "shared" / "reference" / "insi-tlsi-ins"


class Caller:
    """POSTs to a simulator and returns the response with the exchange it recorded."""

    def __init__(self, sim: InsiSimulator, session: requests.Session) -> None:
        self.sim = sim
        self.session = session

    def post(
        self, body: bytes, headers: dict[str, str] | None = None, **kwargs: Any
    ) -> tuple[requests.Response, Exchange]:
        since = self.sim.recorder.mark()
        response = self.session.post(
            self.sim.endpoint, data=body, timeout=30, headers=SOAP12_HEADERS if headers is None else headers, **kwargs
        )
        found = self.sim.recorder.wait_for(service="INS", since=since, timeout=5)
        assert found, "the simulator recorded no exchange"
        return response, found[-1]


@pytest.fixture(scope="session")
def insi_reference() -> Path:
    """The INSi artefacts of ``shared/reference`` (WSDL, XSD, real fixtures)."""
    need_reference(
        REFERENCE,
        f"shared reference folder absent ({REFERENCE.resolve()}): WSDL and INSi fixtures are needed for this test",
    )
    return REFERENCE.resolve()


@pytest.fixture(scope="module")
def insi_sim() -> Iterator[InsiSimulator]:
    sim = InsiSimulator(Recorder())
    sim.start()
    yield sim
    sim.stop()


@pytest.fixture(scope="module")
def http() -> Iterator[requests.Session]:
    session = requests.Session()
    session.trust_env = False  # loopback only, never through a proxy
    yield session
    session.close()


@pytest.fixture
def caller(insi_sim: InsiSimulator, http: requests.Session) -> Iterator[Caller]:
    yield Caller(insi_sim, http)
    insi_sim.reset()
