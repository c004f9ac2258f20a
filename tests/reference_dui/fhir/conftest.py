"""Fixtures of the reference DUI's FHIR feature tests: the two FHIR simulators and DUIs pointed at them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests

from harness.core.recorder import Recorder
from mocks.fhir import EparcoursSimulator, EprescSimulator
from reference_dui import ReferenceDui, ReferenceDuiConfig
from reference_dui.identity import Traits
from reference_dui.store import StoredIns

BERNARD = Traits("BERNARD-ESSAI", ("ANDRE",), "M", "1952-07-30", "33063")
LEFEVRE = Traits("LEFEVRE-ESSAI", ("JEANNE", "MARIE", "CLAIRE"), "F", "1928-07-03", "69123")
INS = {"BERNARD-ESSAI": "152073306301157", "LEFEVRE-ESSAI": "228076912345603"}


class Dui:
    """A started reference DUI and a JSON caller of its trigger API."""

    def __init__(self, dui: ReferenceDui) -> None:
        self.dui = dui
        self.http = requests.Session()
        self.http.trust_env = False

    def call(self, method: str, path: str, body: Any = None) -> requests.Response:
        return self.http.request(method, self.dui.base_url + path, json=body, timeout=30)

    def person(self, traits: Traits, *, qualified: bool = True) -> str:
        """A person stored directly with a QUAL identity (INS of the test OID) or PROV."""
        record = self.dui.service.store.create(traits, "PROV")
        if qualified:
            record.ins = StoredIns(INS[traits.birth_name], "1.2.250.1.213.1.4.10")
            record.status = "QUAL"
            self.dui.service.store.save(record)
        return record.person_id


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


@pytest.fixture(scope="module")
def make_dui(eparcours_sim: EparcoursSimulator, epresc_sim: EprescSimulator) -> Iterator[Callable[..., Dui]]:
    started: list[ReferenceDui] = []

    def factory(*defects: str, configure: bool = True) -> Dui:
        dui = ReferenceDui(ReferenceDuiConfig(defects=frozenset(defects))).start()
        started.append(dui)
        client = Dui(dui)
        if configure:
            response = client.call(
                "PUT", "/config/endpoints", {"eparcours": {"url": eparcours_sim.url}, "epresc": {"url": epresc_sim.url}}
            )
            assert response.status_code == 204, response.text
        return client

    yield factory
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(ReferenceDui.stop, started))


@pytest.fixture
def dui(make_dui: Callable[..., Dui], eparcours_sim: EparcoursSimulator, epresc_sim: EprescSimulator) -> Dui:
    eparcours_sim.reset()
    epresc_sim.reset()
    return make_dui()
