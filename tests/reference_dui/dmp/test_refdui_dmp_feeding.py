"""The reference DUI's automatic feeder: background sending, bounded retry with backoff, its defect switch."""

from __future__ import annotations

import threading

from reference_dui.dmp.feeding import AutoFeeder


class FakeDmp:
    """Stands for the DMP service: each send answers the next scripted status (then ``published``)."""

    def __init__(self, outcomes: list[str], defects: frozenset[str] = frozenset(), expect: int = 1) -> None:
        self.outcomes = outcomes
        self.defects = defects
        self.calls: list[str] = []
        self.expect = expect
        self.reached = threading.Event()

    def send_pending(self, document_id: str) -> str:
        self.calls.append(document_id)
        if len(self.calls) >= self.expect:
            self.reached.set()
        return self.outcomes.pop(0) if self.outcomes else "published"


def test_a_pending_document_is_sent_again_until_the_dmp_takes_it() -> None:
    # given a DMP unreachable twice, then back
    dmp = FakeDmp(["pending", "pending", "published"], expect=3)
    feeder = AutoFeeder(dmp, first_delay=0.001, max_delay=0.01)  # type: ignore[arg-type]
    # when a validated document is queued
    feeder.submit("doc-1")
    # then the feeder tries again by itself until it is published, and forgets it
    assert dmp.reached.wait(10)
    feeder.stop()
    assert dmp.calls == ["doc-1"] * 3
    assert feeder.queued() == []


def test_the_retries_are_bounded() -> None:
    dmp = FakeDmp(["pending"] * 10, expect=3)
    feeder = AutoFeeder(dmp, first_delay=0.001, max_delay=0.01, max_attempts=3)  # type: ignore[arg-type]
    feeder.submit("doc-1")
    assert dmp.reached.wait(10)
    feeder.stop()
    # then after max_attempts tries the document is left pending (for POST /dmp/retry), not retried forever
    assert dmp.calls == ["doc-1"] * 3


def test_no_auto_resend_switch_tries_once() -> None:
    dmp = FakeDmp(["pending"], defects=frozenset({"dmp_no_auto_resend"}))
    feeder = AutoFeeder(dmp, first_delay=0.001, max_delay=0.01)  # type: ignore[arg-type]
    feeder.submit("doc-1")
    assert dmp.reached.wait(10)
    feeder.stop()
    assert dmp.calls == ["doc-1"]
    assert feeder.queued() == []


def test_stop_ends_the_thread_and_drops_the_queue() -> None:
    dmp = FakeDmp(["pending"] * 100)
    feeder = AutoFeeder(dmp, first_delay=5.0, max_delay=5.0)  # type: ignore[arg-type]
    feeder.submit("doc-1")
    assert dmp.reached.wait(10)
    feeder.stop()  # joins the thread: it waits on its condition, woken by stop
    assert feeder.queued() == []
