"""The watches of ``harness/suites/dmp_consent`` (several open at once, closed together) and the choice of
the scenarios ``watched_together`` plays for the selected tests."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

from harness.core.recorder import Exchange, HttpMessage, Recorder
from harness.suites.dmp_consent.steps import PARTS, QUIET, Watch, selected_parts


def consulted(found: list[Exchange]) -> bool:
    """As the consent scenarios' predicate: a consultation transaction reached the DMP."""
    return any(e.transaction in ("TD0.2", "TD0.3", "ITI-18", "ITI-43") for e in found)


def _exchange(recorder: Recorder, transaction: str, **tags: str) -> Exchange:
    message = HttpMessage("POST /dmp HTTP/1.1", [], b"")
    return recorder.record(Exchange(recorder.new_id(), "DMP", transaction, datetime.now(UTC), message, tags=tags))


def test_each_watch_sees_its_own_exchanges_since_it_opened() -> None:
    recorder = Recorder()
    _exchange(recorder, "ITI-18", ins="A")  # before both watches
    since_a = recorder.mark()
    _exchange(recorder, "TD0.2", ins="A")
    since_b = recorder.mark()
    _exchange(recorder, "ITI-18", ins="B")
    _exchange(recorder, "ITI-41", ins="C")
    over = time.monotonic() - 1  # windows already over: nothing to wait for here
    a, b = Watch(since_a, consulted, over, ins="A"), Watch(since_b, consulted, over, ins="B")
    feed = Watch(since_a, lambda found: False, over, transaction="ITI-41")
    seen_a, seen_b, seen_feed, never = Watch.close_all(recorder, a, b, feed, None)
    assert [e.tags["ins"] + e.transaction for e in seen_a] == ["ATD0.2"]
    assert [e.tags["ins"] + e.transaction for e in seen_b] == ["BITI-18"]
    assert [e.tags["ins"] for e in seen_feed] == ["C"]
    assert never == []


def test_a_watch_ends_once_the_forbidden_exchange_came() -> None:
    recorder = Recorder()
    since = recorder.mark()
    watch = Watch.open(since, consulted, ins="A")
    assert watch.deadline > time.monotonic() + QUIET / 2  # a real window, QUIET from its opening
    _exchange(recorder, "ITI-43", ins="A")
    # the consultation came: the window is over without waiting its end (a late one would change nothing)
    assert [e.transaction for e in Watch.close_all(recorder, watch)[0]] == ["ITI-43"]


def _request(*fixtures: tuple[str, ...]) -> Any:
    items = [SimpleNamespace(fixturenames=list(names)) for names in fixtures]
    return SimpleNamespace(session=SimpleNamespace(items=items))


def test_only_the_scenarios_of_the_selected_tests_are_played() -> None:
    # a run scoped to DMP-HISTO-03 (the sensitivity runs) plays the catch-up alone
    assert selected_parts(_request(("sut", "history_backfilled"))) == {"history"}
    # test_consent's tests: SANTONI and LEFEVRE, not the catch-up
    selected = _request(("consent_recorded",), ("authorisation_positioned",), ("authorisation_under_opposition",))
    assert selected_parts(selected) == {"santoni", "lefevre"}
    # the whole profile: everything; so too for the fixture asked for directly
    whole = _request(("history_backfilled",), ("consent_recorded",), ("authorisation_under_opposition",))
    assert selected_parts(whole) == set(PARTS)
    assert selected_parts(_request(("watched_together",))) == set(PARTS)
