"""``dui-harness run`` keeps the garbage collector off its long-lived objects, and gives them back after."""

from __future__ import annotations

import contextlib
from collections.abc import Generator
from typing import Any

import pytest

from harness.cli import run
from harness.cli.run import _Collector


class Collector:
    """The ``gc`` module as the run sees it: objects frozen by others (``already``), and the run's calls."""

    def __init__(self, already: int) -> None:
        self.frozen = already
        self.calls: list[str] = []

    def get_freeze_count(self) -> int:
        return self.frozen

    def freeze(self) -> None:
        self.calls.append("freeze")
        self.frozen += 1000

    def unfreeze(self) -> None:
        self.calls.append("unfreeze")
        self.frozen = 0


def _set_up_a_test(collector: _Collector) -> None:
    hook: Generator[None, Any, Any] = collector.pytest_runtest_setup(None)  # type: ignore[arg-type]
    next(hook)
    with contextlib.suppress(StopIteration):
        hook.send(None)


def test_the_runs_objects_are_frozen_after_the_first_set_up_and_thawed_at_the_end(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # given a run in a process where nothing is frozen (the CLI, or a test calling it in-process)
    gc = Collector(already=0)
    monkeypatch.setattr(run, "gc", gc)
    collector = _Collector()
    _set_up_a_test(collector)  # the first test set up: the simulators and the DUI are running
    _set_up_a_test(collector)  # later tests freeze nothing more
    assert gc.calls == ["freeze"] and gc.frozen > 0
    collector.thaw()  # once the outputs and the bundle are written
    collector.thaw()  # twice is harmless
    assert gc.calls == ["freeze", "unfreeze"] and gc.frozen == 0  # a caller going on gets them collected again


def test_a_process_that_froze_its_own_objects_keeps_them_frozen(monkeypatch: pytest.MonkeyPatch) -> None:
    # given the sensitivity runner's forked child (its parent froze the preloaded modules), then the run leaves them
    gc = Collector(already=5000)
    monkeypatch.setattr(run, "gc", gc)
    collector = _Collector()
    _set_up_a_test(collector)
    collector.thaw()
    assert gc.calls == [] and gc.frozen == 5000


def test_the_real_collector_is_left_as_found() -> None:
    # the real ``gc``: a whole set-up and thaw leaves no object frozen by the run (others may have frozen theirs)
    import gc

    if gc.get_freeze_count():
        pytest.skip("objects frozen by someone else in this process")
    collector = _Collector()
    _set_up_a_test(collector)
    assert collector.frozen is True
    collector.thaw()
    assert gc.get_freeze_count() == 0
