"""## Requirements
DMP-HISTO-03 (SC.DMP/HISTO.06): the DUI feeds the DMP automatically with the historical documents not yet
fed with success, of the persons meeting the cumulative criteria — not deceased as recorded in the DUI,
qualified INS, no opposition to feeding — and of no one else.

## Dependencies
Optional trigger operations ``recordHistoricalDocument``, ``setPersonDeceased`` and ``runDmpHistoryBackfill``
(a DUI without an automatic historical feeding answers 404/501: *not judged*, never passed); DMP simulator.

## Methodology
Official scenarios DMP/HISTO.06.01 and .04 (the filters), on three qualified persons each holding a
historical PPA of 2019 kept unsent: ADRUN ZOE (eligible; she also has a DLU already fed with success),
CORSE ANTHONY (opposed to feeding), TCHITCHI CATARINA (recorded as deceased). The harness then
starts the DUI's catch-up and awaits (run's exchange timeout, woken by each exchange) ADRUN's historical
document, then watches 2 s more (while the consent scenarios' first steps run, their watches sharing that
time): no ITI-41 may come for the two others, and the DLU already fed may not be sent again. Not
judged: the confrontation with deces.matchid.io, the qualified-INS filter inside the catch-up (feeding
an unqualified identity is judged by the DMP suite), the settings of SC.DMP/HISTO.08 (types,
anteriority, trigger event, maximum speed: a demonstration).
"""

from __future__ import annotations

from typing import Any

import pytest

from harness.core.findings import Finding
from harness.core.recorder import Exchange
from harness.plugin.evidence import Scenario
from harness.suites.dmp.checks import expect
from harness.suites.dmp_consent.history import registered

REQ = "DMP-HISTO-03"


@pytest.fixture(scope="module")
def history_backfilled(watched_together: dict[str, Any]) -> Scenario:
    """Three persons with a historical PPA each (one eligible, one opposed, one deceased); the catch-up run
    (:class:`~harness.suites.dmp_consent.history.Backfill`, played and watched with the consent scenarios)."""
    scenario: Scenario = watched_together["history"]
    return scenario


def _judged(scenario: Scenario) -> None:
    why = (scenario.data.get("not_offered") or {}).get("not_offered")
    if why:
        pytest.skip(f"exigence non jugée / requirement not judged: no automatic historical feeding offered ({why})")


@pytest.mark.requirement(REQ)
def test_the_eligible_persons_history_is_fed(history_backfilled: Scenario) -> None:
    """ADRUN ZOE's historical PPA reaches the DMP and is registered, with no user action but the catch-up."""
    _judged(history_backfilled)
    ins = history_backfilled.data["ins"]["eligible"]
    wanted = str(history_backfilled.data["held"]["eligible"].get("document_id") or "")
    accepted = [
        e
        for e in history_backfilled.exchanges
        if e.tags.get("ins") == ins and e.summary.get("status") == "Success" and (not wanted or wanted in registered(e))
    ]
    if not accepted:
        expect(
            "Document historique versé / historical document fed",
            [
                Finding(
                    "dmp.histo.not_fed",
                    REQ,
                    f"the catch-up sent no accepted ITI-41 for the historical document {wanted or '(id not shown)'} of "
                    f"an eligible person (INS {ins})",
                    location="DMP simulator, ITI-41",
                )
            ],
        )


@pytest.mark.requirement(REQ)
def test_only_the_eligible_and_unfed_documents_are_sent(history_backfilled: Scenario) -> None:
    """No ITI-41 for the person who objects nor for the deceased one; the DLU already fed is not sent again."""
    _judged(history_backfilled)
    ins, fed = history_backfilled.data["ins"], str(history_backfilled.data["fed"].get("document_id") or "")
    findings = [
        Finding(
            f"dmp.histo.{key}_fed",
            REQ,
            f"the catch-up fed the DMP of the {key} person (INS {ins[key]}): ITI-41 #{e.id}",
            location=f"exchange {e.id}",
        )
        for key in ("opposed", "deceased")
        if key != "opposed" or "error" not in history_backfilled.data.get("opposition", {})
        for e in history_backfilled.exchanges
        if e.tags.get("ins") == ins[key]
    ]
    findings += [
        Finding(
            "dmp.histo.refed",
            REQ,
            f"the catch-up sent again the document {fed}, already fed with success: ITI-41 #{e.id}",
            location=f"exchange {e.id}",
        )
        for e in history_backfilled.exchanges
        if fed and history_backfilled.data["fed"].get("status") == "published" and fed in _submitted(e)
    ]
    expect("Critères cumulatifs / cumulative criteria", findings)


def _submitted(exchange: Exchange) -> set[str]:
    """The uniqueIds an ITI-41 carried, accepted or not (the registry may refuse a duplicate)."""
    entries = exchange.summary.get("entries") or []
    return registered(exchange) | {str(e.get("unique_id")) for e in entries if isinstance(e, dict)}
