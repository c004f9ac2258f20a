"""Fixtures of the FHIR simulator tests: one generic server, the e-parcours and e-prescription ones."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from harness.core.recorder import Recorder
from mocks.fhir import EparcoursSimulator, EprescSimulator
from tests.mocks.fhir.fhir_support import Fhir, GenericFhir


@pytest.fixture(scope="module")
def http() -> Iterator[requests.Session]:
    session = requests.Session()
    session.trust_env = False
    yield session
    session.close()


@pytest.fixture(scope="module")
def generic_sim() -> Iterator[GenericFhir]:
    with GenericFhir(Recorder()) as sim:
        yield sim


@pytest.fixture
def fhir(generic_sim: GenericFhir, http: requests.Session) -> Iterator[Fhir]:
    generic_sim.reset()
    yield Fhir(generic_sim, http)


@pytest.fixture(scope="module")
def eparcours_sim() -> Iterator[EparcoursSimulator]:
    sim = EparcoursSimulator(Recorder()).start()
    yield sim
    sim.stop()


@pytest.fixture(scope="module")
def epresc_sim() -> Iterator[EprescSimulator]:
    sim = EprescSimulator(Recorder()).start()
    yield sim
    sim.stop()
