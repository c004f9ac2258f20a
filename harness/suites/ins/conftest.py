"""Scenarios of the INS suite: each drives the DUI once; several tests judge the result.

A scenario fixture creates a person in the DUI with the traits an operator would type,
asks the DUI to search the INS (through the trigger API or the operator), then reads back
what the DUI stored. It returns a :class:`harness.plugin.evidence.Scenario` holding the
INSi exchanges it caused, which the plugin attaches to each test's report.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from harness.core.ins import Traits
from harness.core.recorder import Recorder
from harness.errors import HarnessCheckError
from harness.plugin.evidence import Scenario
from harness.suites.ins.lifecycle_persons import insi_state
from harness.suites.ins.persons import person
from harness.sut.driver import IdentityDocument, SutDriver
from harness.sut.http_trigger import TriggerApiError
from mocks.common.simulator import Simulator

CNI = IdentityDocument("CNI", verified=True)


@contextmanager
def injected(insi: Simulator, kind: str | None, **params: Any) -> Iterator[None]:
    """Apply a fault to every INSi call of the block, and remove it afterwards."""
    if kind is None:
        yield
        return
    insi.faults.add(kind, None, None, **params)
    try:
        yield
    finally:
        insi.faults.clear()


def _read_back(sut: SutDriver, person_id: str) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """The stored and the exchanged identity; ``(None, None)`` when the DUI no longer knows the person."""
    try:
        return sut.identity(person_id), sut.exchange_identity(person_id)
    except TriggerApiError as exc:
        if getattr(exc, "status", None) == 404 or "HTTP 404" in str(exc):
            return None, None  # the person is gone: judged by INS-RES-04, blocking the rest
        raise


def run_lookup(
    name: str,
    sut: SutDriver,
    recorder: Recorder,
    insi: Simulator,
    traits: Traits,
    *,
    document: IdentityDocument | None = None,
    fault: str | None = None,
    fault_params: dict[str, Any] | None = None,
) -> Scenario:
    since = recorder.mark()
    created = sut.create_person(traits, document)
    person_id = str(created["person_id"])
    with injected(insi, fault, **(fault_params or {})):
        outcome = sut.lookup_ins(person_id)
    exchanges = recorder.exchanges(service="INS", since=since)
    identity, shared = _read_back(sut, person_id)
    return Scenario(
        name=name,
        person_id=person_id,
        exchanges=exchanges,
        data={
            "created": created,
            "lookup": outcome,
            "identity": identity,
            "exchange_identity": shared,
            "fault_injected": fault,
            "person_lost": identity is None,
        },
    )


@pytest.fixture(scope="session")
def found_qualified(sut: SutDriver, recorder: Recorder, insi: Simulator) -> Scenario:
    """ADRUN ZOE, typed in mixed case without birth place, ID card checked: INSi answers 00."""
    typed = person("adrun-zoe").typed_by_operator(birth_name="Adrun", first_names=("Zoé",), birth_place=None)
    return run_lookup("INSi 00, pièce vérifiée / INSi 00, document checked", sut, recorder, insi, typed, document=CNI)


@pytest.fixture(scope="session")
def found_unverified(sut: SutDriver, recorder: Recorder, insi: Simulator) -> Scenario:
    """BERNARD-ESSAI ANDRE, no identity document checked: INSi answers 00 (identité récupérée)."""
    return run_lookup("INSi 00 sans pièce / INSi 00, no document", sut, recorder, insi, person("bernard-andre").traits)


@pytest.fixture(scope="session")
def not_found(sut: SutDriver, recorder: Recorder, insi: Simulator) -> Scenario:
    """HOUILLES PIERRE PAUL JACQUES: INSi answers 01 to every first name and to the full list."""
    return run_lookup("INSi 01", sut, recorder, insi, person("houilles-pierre").traits)


@pytest.fixture(scope="session")
def ambiguous(sut: SutDriver, recorder: Recorder, insi: Simulator) -> Scenario:
    """DUPONT-ESSAI LOUISE ANNE has a twin LOUISE MARIE: the first first name alone answers 02."""
    return run_lookup("INSi 02 puis 00 / INSi 02 then 00", sut, recorder, insi, person("dupont-louise-anne").traits)


@pytest.fixture(scope="session")
def unavailable(sut: SutDriver, recorder: Recorder, insi: Simulator) -> Scenario:
    """NESSI MICHELANGELO with an ID card checked, while INSi answers HTTP 503 to every call."""
    return run_lookup(
        "INSi indisponible (503) / INSi unavailable",
        sut,
        recorder,
        insi,
        person("nessi-michelangelo").traits,
        document=CNI,
        fault="http_status",
        fault_params={"status": 503},
    )


@pytest.fixture(scope="session")
def soap_fault(sut: SutDriver, recorder: Recorder, insi: Simulator) -> Scenario:
    """TCHITCHI CATARINA while INSi answers a SOAP fault (siram_100 / desir_550)."""
    return run_lookup(
        "INSi en erreur (SOAP Fault) / INSi fault",
        sut,
        recorder,
        insi,
        person("tchitchi-catarina").traits,
        fault="soap_fault",
        fault_params={
            "subcode": "siram_100",
            "code": "desir_550",
            "message": "Numéro d'autorisation du logiciel inconnu.",
        },
    )


@pytest.fixture(scope="session")
def historical(sut: SutDriver, recorder: Recorder, insi: Simulator) -> Scenario:
    """ECETINSI PIERRE-ALAIN: INSi returns the active INS and two historical INS (INSHISTO)."""
    return run_lookup(
        "INS historiques / historical INS", sut, recorder, insi, person("ecetinsi-pierre-alain").traits, document=CNI
    )


@pytest.fixture(scope="session")
def nia(sut: SutDriver, recorder: Recorder, insi: Simulator) -> Scenario:
    """PROVISOIRE MATRICULE: INSi returns an INS-NIA (OID 1.2.250.1.213.1.4.9)."""
    return run_lookup("INS-NIA", sut, recorder, insi, person("provisoire-matricule").traits, document=CNI)


@pytest.fixture(scope="session", params=["corse-anthony", "santoni-paul"])
def corsica(request: pytest.FixtureRequest, sut: SutDriver, recorder: Recorder, insi: Simulator) -> Scenario:
    """People born in Corsica (2B, 2A): their NIR key uses 18 / 19 in place of 2B / 2A."""
    return run_lookup(
        f"Corse / Corsica ({request.param})", sut, recorder, insi, person(request.param).traits, document=CNI
    )


@pytest.fixture(scope="session")
def document_after_insi(sut: SutDriver, recorder: Recorder, insi: Simulator) -> Scenario:
    """LEFEVRE-ESSAI JEANNE: INSi first (RECUP), then the ID card is checked (must become QUAL)."""
    scenario = run_lookup(
        "Pièce vérifiée après INSi / document checked after INSi", sut, recorder, insi, person("lefevre-jeanne").traits
    )
    if scenario.person_id is None:
        raise HarnessCheckError("the INSi scenario created no person (fixture precondition)")
    scenario.data["identity_before_document"] = scenario.data["identity"]
    scenario.data["identity"] = sut.check_identity_document(scenario.person_id, CNI)
    scenario.data["exchange_identity"] = sut.exchange_identity(scenario.person_id)
    return scenario


@pytest.fixture(scope="session")
def document_without_insi(sut: SutDriver, recorder: Recorder, insi: Simulator) -> Scenario:
    """HOUILLES with an ID card checked: INSi answers 01, the identity may be VALI, never QUAL."""
    return run_lookup(
        "Pièce vérifiée, INSi 01 / document checked, INSi 01",
        sut,
        recorder,
        insi,
        person("houilles-pierre").typed_by_operator(birth_date="1993-01-27"),
        document=CNI,
    )


@pytest.fixture
def scenario(request: pytest.FixtureRequest) -> Scenario:
    """The scenario named by indirect parametrization: ``parametrize("scenario", [...], indirect=True)``."""
    value: Scenario = request.getfixturevalue(request.param)
    return value


@pytest.fixture(scope="session")
def lifecycle_insi(insi: Simulator) -> Simulator:
    """INSi with the synthetic persons of the lifecycle scenarios and their TIQ overrides (rules 11, 12)."""
    insi.update_state(insi_state())
    return insi
