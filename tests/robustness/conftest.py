"""Simulators of the robustness campaign: one of each, plain loopback, module scope (the bounds are the same
with TLS; the TLS rejections have their own tests beside the simulators)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from harness.core.recorder import Recorder
from mocks.dmp import DmpSimulator
from mocks.insi import InsiSimulator
from mocks.mssante import MssSimulator
from tests.cli.conftest import cli  # noqa: F401  (the in-process CLI fixture, for the validate corpus)
from tests.mocks.fhir.fhir_support import GenericFhir


@pytest.fixture(scope="module")
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:
        session.trust_env = False
        yield session


@pytest.fixture(scope="module")
def insi() -> Iterator[InsiSimulator]:
    with InsiSimulator(Recorder()) as sim:
        assert isinstance(sim, InsiSimulator)
        yield sim


@pytest.fixture(scope="module")
def dmp() -> Iterator[DmpSimulator]:
    with DmpSimulator(Recorder()) as sim:
        assert isinstance(sim, DmpSimulator)
        yield sim


@pytest.fixture(scope="module")
def fhir() -> Iterator[GenericFhir]:
    with GenericFhir(Recorder()) as sim:
        assert isinstance(sim, GenericFhir)
        yield sim


@pytest.fixture(scope="module")
def mss() -> Iterator[MssSimulator]:
    with MssSimulator(Recorder(), max_message_bytes=64 * 1024) as sim:
        assert isinstance(sim, MssSimulator)
        yield sim
