"""Scenarios of the SdO suite (CNSA orientation decisions, ANS IG ``ans.fhir.fr.sdo``).

* ``sdo_decisions``: flux 1 — the DUI searches and reads the decisions the SI-SdO notified to its ESMS;
* ``sdo_consent``: flux 2 — the DUI sends the person's accord for the first decision;
* ``sdo_evaluation``: flux 3 — the DUI then reads that decision's evaluation;
* ``sdo_status``: flux 4 — the DUI sends the person's status (TRE_R357 code 48 "Usager sorti", the IG's example);
* ``sdo_notifications``: flux 5 — the DUI reads the SI-SdO's notifications.

The decisions, evaluations and notifications are those of :mod:`mocks.sdo.base` (synthetic).
"""

from __future__ import annotations

import pytest

from harness.core.recorder import Recorder
from harness.plugin.evidence import Scenario
from harness.suites.sdo.checks import SERVICE, dui_decisions
from harness.sut.driver import SutDriver
from mocks.sdo.base import NOTIFICATIONS
from mocks.sdo.service import SdoSimulator

#: the statutESMS the scenario sends (a code of TRE_R357, the one of the IG's example)
STATUS = "48"
CONSENT_DATE = "2026-01-05"


def _scenario(name: str, recorder: Recorder, since: str, **data: object) -> Scenario:
    return Scenario(name=name, exchanges=recorder.exchanges(service=SERVICE, since=since), data=dict(data))


@pytest.fixture(scope="session")
def sdo_decisions(sut: SutDriver, recorder: Recorder, sdo: SdoSimulator) -> Scenario:
    """Flux 1: the decisions the DUI holds after one synchronisation, and what it sent the SdO."""
    since = recorder.mark()
    held = dui_decisions(sut)
    return _scenario(
        "Décisions d'orientation lues / orientation decisions read (flux 1)",
        recorder,
        since,
        held=held,
        expected=[
            {
                "id_nat_decision": d.id_nat_decision,
                "id_decision": d.id_decision,
                "document_reference": d.resource_id,
                "document_sha256": d.sha256(),
            }
            for d in sdo.decisions
        ],
    )


@pytest.fixture(scope="session")
def sdo_consent(sut: SutDriver, recorder: Recorder, sdo: SdoSimulator, sdo_decisions: Scenario) -> Scenario:
    """Flux 2: the accord for the first decision."""
    decision = sdo.decisions[0]
    since = recorder.mark()
    answer = sut.sdo_send_consent(decision.id_nat_decision, CONSENT_DATE)
    return _scenario(
        "Accord transmis / accord sent (flux 2)", recorder, since, answer=answer, decision=decision.id_nat_decision
    )


@pytest.fixture(scope="session")
def sdo_evaluation(sut: SutDriver, recorder: Recorder, sdo: SdoSimulator, sdo_consent: Scenario) -> Scenario:
    """Flux 3: the evaluation of the decision the accord was sent for."""
    decision = sdo.decisions[0]
    since = recorder.mark()
    answer = sut.sdo_fetch_evaluation(decision.id_nat_decision)
    return _scenario(
        "Évaluation lue / evaluation read (flux 3)",
        recorder,
        since,
        answer=answer,
        decision=decision.id_nat_decision,
        expected_sha256=decision.sha256("51848-0"),
        expected_reference=decision.evaluation_id,
    )


@pytest.fixture(scope="session")
def sdo_status(sut: SutDriver, recorder: Recorder, sdo: SdoSimulator, sdo_decisions: Scenario) -> Scenario:
    """Flux 4: one status of the person for the first decision."""
    decision = sdo.decisions[0]
    since = recorder.mark()
    answer = sut.sdo_send_status(decision.id_nat_decision, STATUS, CONSENT_DATE)
    return _scenario("Statut transmis / status sent (flux 4)", recorder, since, answer=answer)


@pytest.fixture(scope="session")
def sdo_notifications(sut: SutDriver, recorder: Recorder, sdo: SdoSimulator, sdo_decisions: Scenario) -> Scenario:
    """Flux 5: the notifications the DUI holds after one synchronisation."""
    since = recorder.mark()
    held = sut.sdo_sync_notifications()
    expected = [
        {"task_id": rid, "id_nat_decision": d.id_nat_decision, "id_nat_struct": struct, "status": status}
        for rid, d, struct, _name, status in NOTIFICATIONS
        if d in sdo.decisions
    ]
    return _scenario(
        "Notifications du SI-SdO lues / SI-SdO notifications read (flux 5)",
        recorder,
        since,
        held=held,
        expected=expected,
    )
