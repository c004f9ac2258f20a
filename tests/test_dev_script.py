"""``dev.py``'s pytest options: parallel by default (pytest-xdist), the caller's choice kept."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def dev() -> ModuleType:
    spec = importlib.util.spec_from_file_location("dev_script", ROOT / "dev.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_tests_run_on_xdist_workers_whole_files_each_and_list_the_slowest(
    dev: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DUI_HARNESS_TEST_WORKERS", raising=False)
    options = dev.test_options(["-q"])
    assert options[:1] == ["-n"] and int(options[1]) >= 2
    assert options[2:4] == ["--dist", "loadfile"] and "--durations=15" in options
    assert "--no-loadscope-reorder" in options  # the longest files first (tests/conftest.py), not the most tests


def test_the_callers_choice_of_workers_and_durations_is_kept(dev: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    assert dev.test_options(["-n", "0", "--durations=50"]) == []
    assert dev.test_options(["-p", "no:xdist"]) == ["--durations=15"]
    monkeypatch.setenv("DUI_HARNESS_TEST_WORKERS", "3")
    assert dev.test_options([])[:2] == ["-n", "3"]
