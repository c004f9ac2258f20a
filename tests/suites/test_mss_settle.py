"""The MSSanté suite's quiet window (``_settle``) is woken by the recorder, and restarts at each exchange."""

from __future__ import annotations

from typing import Any

from harness.core.recorder import Exchange, HttpMessage, Recorder, utcnow
from harness.suites.mss.conftest import _settle


class ScriptedRecorder(Recorder):
    """``wait_for`` answers from a script (how many MSS exchanges exist when it returns) and notes its timeouts."""

    def __init__(self, counts: list[int]) -> None:
        super().__init__()
        self.counts = counts
        self.timeouts: list[float] = []

    def wait_for(self, predicate: Any = None, /, *, timeout: float = 30.0, **kwargs: Any) -> list[Exchange]:
        self.timeouts.append(timeout)
        count = self.counts.pop(0)
        return [Exchange(f"{i:05d}", "MSS", "SMTP", utcnow(), HttpMessage("SMTP DATA", [], b"")) for i in range(count)]


def test_a_quiet_window_ends_at_once_when_nothing_arrives() -> None:
    recorder = ScriptedRecorder([0])
    _settle(recorder, recorder.mark(), limit=2.0, quiet=0.3)
    assert recorder.timeouts == [0.3]


def test_each_exchange_starts_the_quiet_window_again() -> None:
    # two exchanges arrive one after the other, then nothing
    recorder = ScriptedRecorder([1, 2, 2])
    _settle(recorder, recorder.mark(), limit=2.0, quiet=0.3)
    assert len(recorder.timeouts) == 3
    assert all(0 < t <= 0.3 for t in recorder.timeouts)
    assert recorder.counts == []
