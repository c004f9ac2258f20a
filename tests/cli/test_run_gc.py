"""``dui-harness run`` keeps the garbage collector off its long-lived objects, and gives them back after."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Generator
from typing import Any

from harness.cli.run import _Collector


def _set_up_a_test(collector: _Collector) -> None:
    hook: Generator[None, Any, Any] = collector.pytest_runtest_setup(None)  # type: ignore[arg-type]
    next(hook)
    with contextlib.suppress(StopIteration):
        hook.send(None)


def test_the_runs_objects_are_frozen_after_the_first_set_up_and_thawed_at_the_end() -> None:
    # given a run in a process where nothing is frozen (the CLI, or a test calling it in-process)
    assert gc.get_freeze_count() == 0
    collector = _Collector()
    _set_up_a_test(collector)  # the first test set up: the simulators and the DUI are running
    frozen = gc.get_freeze_count()
    _set_up_a_test(collector)  # later tests freeze nothing more
    try:
        assert frozen > 0 and gc.get_freeze_count() == frozen
    finally:
        collector.thaw()  # once the outputs and the bundle are written
    assert gc.get_freeze_count() == 0  # a caller going on in the same process gets them collected again
    collector.thaw()  # twice is harmless


def test_a_process_that_froze_its_own_objects_keeps_them_frozen() -> None:
    # given the sensitivity runner's forked child (its parent froze the preloaded modules), then the run leaves them
    gc.freeze()
    try:
        before = gc.get_freeze_count()
        collector = _Collector()
        _set_up_a_test(collector)
        collector.thaw()
        assert gc.get_freeze_count() == before
    finally:
        gc.unfreeze()
