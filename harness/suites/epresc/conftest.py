"""Scenarios of the e-prescription suite (payload modelled on FHIR R4: an assumption).

Each scenario creates a resident with a qualified identity (INSi 00 and an ID card), has the
DUI retrieve a prescription by its unique identifier (the QR code value) and, when integrated,
record administrations; it returns the INSi and e-prescription exchanges and what the DUI
read back. The prescriptions are those of ``fixtures/epresc/prescriptions.json``.
"""

from __future__ import annotations

from typing import Any

import pytest

from harness.core.recorder import Recorder
from harness.plugin.evidence import Scenario
from harness.suites.identity import require_qualified
from harness.suites.ins.persons import person
from harness.sut.driver import IdentityDocument, SutDriver
from mocks.common.simulator import Simulator

CNI = IdentityDocument("CNI", verified=True)
UNKNOWN_ID = "EP-TEST-9999"


def resident(sut: SutDriver, recorder: Recorder, person_id: str) -> tuple[str, dict[str, Any]]:
    """A resident with a qualified identity: created with an ID card, then INSi (blocked when it cannot be)."""
    since = recorder.mark()
    created = sut.create_person(person(person_id).traits, CNI)
    pid = str(created["person_id"])
    sut.lookup_ins(pid)
    identity = sut.identity(pid)
    require_qualified(recorder, since, identity, person_id)
    return pid, identity


def _scenario(name: str, recorder: Recorder, since: str, pid: str, data: dict[str, Any]) -> Scenario:
    exchanges = [e for e in recorder.exchanges(since=since) if e.service in ("INS", "EPRESC")]
    return Scenario(name=name, person_id=pid, exchanges=exchanges, data=data)


def _first_line(outcome: dict[str, Any]) -> str | None:
    lines = outcome.get("lines") or []
    return str(lines[0].get("line_id")) if lines else None


@pytest.fixture(scope="session")
def presc_known(sut: SutDriver, recorder: Recorder, epresc: Simulator) -> Scenario:
    """BERNARD-ESSAI ANDRE: prescription EP-TEST-0001 (two lines) is integrated, one line administered."""
    since = recorder.mark()
    pid, identity = resident(sut, recorder, "bernard-andre")
    outcome = sut.epresc_retrieve(pid, "EP-TEST-0001")
    line = _first_line(outcome)
    administered = (
        sut.epresc_administer(pid, "EP-TEST-0001", line, "2026-01-06T08:00:00+01:00")
        if outcome.get("outcome") == "integrated" and line
        else None
    )
    return _scenario(
        "Ordonnance connue / known prescription",
        recorder,
        since,
        pid,
        {
            "identity": identity,
            "asked": "EP-TEST-0001",
            "retrieval": outcome,
            "administered": administered,
            "prescriptions": sut.epresc_prescriptions(pid),
            "administrations": sut.epresc_administrations(pid),
        },
    )


@pytest.fixture(scope="session")
def presc_unknown(sut: SutDriver, recorder: Recorder, epresc: Simulator) -> Scenario:
    """BERNARD-ESSAI ANDRE asks for EP-TEST-9999, which the teleservice does not know."""
    since = recorder.mark()
    pid, identity = resident(sut, recorder, "bernard-andre")
    outcome = sut.epresc_retrieve(pid, UNKNOWN_ID)
    return _scenario(
        "Identifiant inconnu / unknown identifier",
        recorder,
        since,
        pid,
        {
            "identity": identity,
            "asked": UNKNOWN_ID,
            "retrieval": outcome,
            "prescriptions": sut.epresc_prescriptions(pid),
        },
    )


@pytest.fixture(scope="session")
def presc_wrong_person(sut: SutDriver, recorder: Recorder, epresc: Simulator) -> Scenario:
    """LEFEVRE-ESSAI JEANNE is handed EP-TEST-0002, the prescription of SANTONI-ESSAI PAUL."""
    since = recorder.mark()
    pid, identity = resident(sut, recorder, "lefevre-jeanne")
    outcome = sut.epresc_retrieve(pid, "EP-TEST-0002")
    return _scenario(
        "Ordonnance d'une autre personne / another person's prescription",
        recorder,
        since,
        pid,
        {
            "identity": identity,
            "asked": "EP-TEST-0002",
            "retrieval": outcome,
            "prescriptions": sut.epresc_prescriptions(pid),
        },
    )


@pytest.fixture(scope="session")
def presc_unavailable(sut: SutDriver, recorder: Recorder, epresc: Simulator) -> Scenario:
    """LEFEVRE-ESSAI JEANNE, EP-TEST-0003, while the teleservice answers 503 to a retrieval, then to an
    administration (A); once it is back, a second administration (B) is recorded."""
    since = recorder.mark()
    pid, identity = resident(sut, recorder, "lefevre-jeanne")
    data: dict[str, Any] = {"identity": identity, "asked": "EP-TEST-0003"}
    epresc.faults.add("http_status", "search-type", None, status=503)
    try:
        data["retrieval_down"] = sut.epresc_retrieve(pid, "EP-TEST-0003")
        data["prescriptions_down"] = sut.epresc_prescriptions(pid)
    finally:
        epresc.faults.clear()
    data["retrieval"] = sut.epresc_retrieve(pid, "EP-TEST-0003")
    line = _first_line(data["retrieval"])
    if data["retrieval"].get("outcome") == "integrated" and line:
        epresc.faults.add("http_status", "create", None, status=503)
        try:
            data["administered_down"] = sut.epresc_administer(pid, "EP-TEST-0003", line, "2026-01-08T08:00:00+01:00")
            data["administrations_down"] = sut.epresc_administrations(pid)
        finally:
            epresc.faults.clear()
        data["administered_after"] = sut.epresc_administer(pid, "EP-TEST-0003", line, "2026-01-08T20:00:00+01:00")
    data["administrations"] = sut.epresc_administrations(pid)
    return _scenario("Téléservice indisponible / service unavailable", recorder, since, pid, data)


@pytest.fixture
def scenario(request: pytest.FixtureRequest) -> Scenario:
    """The scenario named by indirect parametrization."""
    value: Scenario = request.getfixturevalue(request.param)
    return value
