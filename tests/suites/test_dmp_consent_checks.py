"""The checks of ``harness/suites/dmp_consent`` on crafted scenarios: what fails, what is blocked, what is
not judged (a DUI without the optional historical catch-up)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from harness.core.findings import Blocked, NonConformity
from harness.core.recorder import Exchange, HttpMessage
from harness.plugin.evidence import Scenario
from harness.suites.dmp_consent import test_consent as consent
from harness.suites.dmp_consent import test_history_feeding as history

TRACE = {"opposed": True, "recorded_at": "2026-12-06T17:00:00+00:00", "recorded_by": "Dr ESSAI"}


def _exchange(number: int, transaction: str, **tags: str) -> Exchange:
    return Exchange(
        f"{number:05d}", "DMP", transaction, datetime.now(UTC), HttpMessage("POST /dmp HTTP/1.1", [], b""), tags=tags
    )


def _recorded(**trace: Any) -> Scenario:
    data = {
        "opposition": {"recorded": {}, "trace": {**TRACE, **trace}},
        "consent": {"recorded": {}, "trace": {**TRACE, "opposed": False}},
    }
    return Scenario("consent", "p1", [], data)


def test_a_trace_without_date_or_author_fails() -> None:
    consent.test_the_choice_about_consultation_is_traced(_recorded())
    with pytest.raises(NonConformity, match=r"dmp.consent.no_date"):
        consent.test_the_choice_about_consultation_is_traced(_recorded(recorded_at="yesterday"))
    with pytest.raises(NonConformity, match=r"dmp.consent.no_author"):
        consent.test_the_choice_about_consultation_is_traced(_recorded(recorded_by=" "))
    with pytest.raises(NonConformity, match=r"dmp.consent.wrong_choice"):
        consent.test_the_choice_about_consultation_is_traced(_recorded(opposed=False))


def test_a_consultation_under_opposition_fails() -> None:
    scenario = _recorded()
    scenario.exchanges = [_exchange(1, "TD0.2"), _exchange(2, "ITI-18")]
    scenario.data["opposed_exchanges"] = ["00001", "00002"]
    with pytest.raises(NonConformity, match="ITI-18 #00002"):
        consent.test_no_consultation_under_opposition(scenario)


def test_the_authorisation_checks() -> None:
    # no TD0.2 before the query: blocked by DMP-TD02-02, not a second failure
    without = Scenario("auth", "p1", [_exchange(1, "ITI-18")], {})
    with pytest.raises(Blocked, match="DMP-TD02-02"):
        consent.test_authorisation_positioned_without_user_action(without)
    # TD0.2 then the query, no TD0.3: fails
    missing = Scenario("auth", "p1", [_exchange(1, "TD0.2", autorisation="NON_EXISTE"), _exchange(2, "ITI-18")], {})
    with pytest.raises(NonConformity, match=r"dmp.td03.not_positioned"):
        consent.test_authorisation_positioned_without_user_action(missing)
    done = [_exchange(1, "TD0.2"), _exchange(2, "TD0.3", authorisation="added"), _exchange(3, "ITI-18")]
    consent.test_authorisation_positioned_without_user_action(Scenario("auth", "p1", done, {}))
    # under opposition: a TD0.3 alone fails; with a consultation too it follows from DMP-CONS-01
    opposed = {"opposition": {"recorded": {}, "trace": TRACE}}
    with pytest.raises(NonConformity, match=r"dmp.td03.under_opposition"):
        consent.test_no_authorisation_under_opposition(Scenario("opp", "p1", [_exchange(1, "TD0.3")], opposed))
    with pytest.raises(Blocked, match="DMP-CONS-01"):
        consent.test_no_authorisation_under_opposition(Scenario("opp", "p1", done, opposed))


@pytest.mark.parametrize(
    "check",
    [history.test_the_eligible_persons_history_is_fed, history.test_only_the_eligible_and_unfed_documents_are_sent],
)
def test_no_catch_up_offered_is_not_judged(check: Any) -> None:
    scenario = Scenario("catch-up", None, [], {"not_offered": {"not_offered": "HTTP 501"}})
    with pytest.raises(pytest.skip.Exception, match="requirement not judged"):
        check(scenario)


def test_the_catch_up_checks() -> None:
    ins = {"eligible": "1", "opposed": "2", "deceased": "3"}
    data = {
        "ins": ins,
        "fed": {"document_id": "9.9", "status": "published"},
        "held": {"eligible": {"document_id": "1.1"}},
    }
    fed = _exchange(1, "ITI-41", ins="1")
    fed.summary = {"status": "Success", "registered": [{"unique_id": "1.1"}]}
    history.test_the_eligible_persons_history_is_fed(Scenario("c", "p1", [fed], data))
    with pytest.raises(NonConformity, match=r"dmp.histo.not_fed"):
        history.test_the_eligible_persons_history_is_fed(Scenario("c", "p1", [], data))
    dead = _exchange(2, "ITI-41", ins="3")
    again = _exchange(3, "ITI-41", ins="1")
    again.summary = {"status": "Failure", "entries": [{"unique_id": "9.9"}]}
    with pytest.raises(NonConformity, match=r"dmp.histo.deceased_fed") as caught:
        history.test_only_the_eligible_and_unfed_documents_are_sent(Scenario("c", "p1", [fed, dead, again], data))
    assert "dmp.histo.refed" in str(caught.value)
