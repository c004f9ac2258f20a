"""Scenarios of the e-parcours suite: each creates a person, has the DUI export a record, reads back.

A scenario drives the DUI once through the trigger API (or the operator) and returns a
:class:`harness.plugin.evidence.Scenario` with the INSi and e-parcours exchanges it caused and
what the DUI says it did; several tests judge each scenario.
"""

from __future__ import annotations

from typing import Any

import pytest

from harness.core.ins import Traits
from harness.core.recorder import Recorder
from harness.plugin.evidence import Scenario
from harness.suites.identity import require_qualified
from harness.suites.ins.persons import person
from harness.sut.driver import IdentityDocument, SutDriver
from mocks.common.simulator import Simulator

CNI = IdentityDocument("CNI", verified=True)
#: a synthetic person who is in no identity base: the DUI keeps a provisional identity
UNKNOWN_TO_INSI = Traits("MARTIN-ESSAI", ("LUCIE", "ANNE"), "F", "1940-05-12", "75056")
REFUSAL = "Bundle refusé par la plateforme e-parcours (dui-harness : refus injecté) / bundle refused"


def record(tag: str) -> dict[str, Any]:
    """What an operator entered: a stay, a home visit (event), an AGGIR evaluation and a personalised project."""
    return {
        "stay": {"id": f"SEJ-{tag}", "start": "2026-01-05"},
        "event": {
            "id": f"EVN-{tag}",
            "start": "2026-01-06T10:30:00+01:00",
            "end": "2026-01-06T11:15:00+01:00",
            "label": "Visite à domicile pour soins infirmiers",
        },
        "evaluation": {
            "id": f"EVAL-{tag}",
            "date": "2026-01-12",
            "title": "AGGIR",
            "items": [
                {"code": "GIR", "question": "Groupe iso-ressources", "answer": "4"},
                {"code": "TRANSFERTS", "question": "Transferts", "answer": "B"},
            ],
        },
        "project": {
            "id": f"PP-{tag}",
            "title": f"Projet personnalisé {tag}",
            "start": "2026-02-01",
            "description": "Maintien de l'autonomie, participation aux activités collectives",
        },
        "document": True,
    }


def run_export(
    name: str,
    sut: SutDriver,
    recorder: Recorder,
    traits: Traits,
    tag: str,
    *,
    lookup: bool,
    document: IdentityDocument | None = None,
) -> Scenario:
    since = recorder.mark()
    created = sut.create_person(traits, document)
    person_id = str(created["person_id"])
    lookup_outcome = sut.lookup_ins(person_id) if lookup else None
    identity = sut.identity(person_id)
    if lookup and document is not None:  # a qualified identity is expected: blocked when INS rules broke it
        require_qualified(recorder, since, identity, name)
    asked = record(tag)
    outcome = sut.eparcours_export(person_id, asked)
    exports = sut.eparcours_exports(person_id)
    exchanges = [e for e in recorder.exchanges(since=since) if e.service in ("INS", "EPARCOURS")]
    return Scenario(
        name=name,
        person_id=person_id,
        exchanges=exchanges,
        data={"identity": identity, "lookup": lookup_outcome, "record": asked, "export": outcome, "exports": exports},
    )


@pytest.fixture(scope="session")
def export_qualified(sut: SutDriver, recorder: Recorder, eparcours: Simulator) -> Scenario:
    """BERNARD-ESSAI ANDRE, ID card checked and INSi 00 (QUAL): his record is exported with the INS."""
    return run_export(
        "Export TDDUI, identité qualifiée / qualified identity",
        sut,
        recorder,
        person("bernard-andre").traits,
        "Q1",
        lookup=True,
        document=CNI,
    )


@pytest.fixture(scope="session")
def export_provisional(sut: SutDriver, recorder: Recorder, eparcours: Simulator) -> Scenario:
    """MARTIN-ESSAI LUCIE, unknown to INSi and no document: PROV, exported without INS."""
    return run_export(
        "Export TDDUI, identité provisoire / provisional identity", sut, recorder, UNKNOWN_TO_INSI, "P1", lookup=False
    )


@pytest.fixture(scope="session")
def export_refused(sut: SutDriver, recorder: Recorder, eparcours: Simulator) -> Scenario:
    """The consumer refuses every bundle (HTTP 422 + OperationOutcome): the DUI must say so."""
    before = dict(eparcours.state().get("resources") or {})
    eparcours.faults.add("reject", "bundle", None, status=422, code="business-rule", diagnostics=REFUSAL)
    try:
        scenario = run_export(
            "Export TDDUI refusé / bundle refused", sut, recorder, person("bernard-andre").traits, "R1", lookup=False
        )
    finally:
        eparcours.faults.clear()
    scenario.data["store_before"] = before
    scenario.data["store_after"] = dict(eparcours.state().get("resources") or {})
    return scenario


@pytest.fixture
def scenario(request: pytest.FixtureRequest) -> Scenario:
    """The scenario named by indirect parametrization."""
    value: Scenario = request.getfixturevalue(request.param)
    return value
