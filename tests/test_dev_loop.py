"""The development loop (issue 10 item 6): `dev.py test` and `.ci/run` run ruff and mypy before the tests,
a pre-commit configuration runs the same, and tests that need ``../shared/reference`` fail in CI."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

from tests.support import REPO_ROOT, need_reference, reference_present, reference_required


def _dev() -> ModuleType:
    spec = importlib.util.spec_from_file_location("dev_under_test", REPO_ROOT / "dev.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _calls(monkeypatch: pytest.MonkeyPatch, dev: ModuleType, codes: dict[str, int]) -> list[list[str]]:
    calls: list[list[str]] = []

    def call(cmd: list[str], **_: Any) -> int:
        calls.append(cmd)
        return next((code for tool, code in codes.items() if tool in cmd), 0)

    monkeypatch.setattr(dev, "ensure_venv", lambda *_: None)
    monkeypatch.setattr(dev.subprocess, "call", call)
    monkeypatch.setattr(dev, "PYTHON", Path(sys.executable))
    return calls


def test_dev_test_runs_ruff_mypy_and_the_format_check_then_the_tests(monkeypatch: pytest.MonkeyPatch) -> None:
    dev = _dev()
    calls = _calls(monkeypatch, dev, {})
    monkeypatch.delenv("DUI_HARNESS_FORMAT_CHECK", raising=False)
    assert dev.main(["test", "-q"]) == 0
    tools = [cmd[2] for cmd in calls]
    assert tools == ["ruff", "mypy", "ruff", "pytest"] and calls[0][3] == "check" and "tests" in calls[0]
    assert calls[2][3:5] == ["format", "--check"]  # the tree is formatted: kept so (CHECK_FORMAT)
    assert calls[-1][-1] == "-q"  # the extra arguments go to pytest


def test_a_failing_check_stops_before_the_tests_and_every_check_still_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    dev = _dev()
    calls = _calls(monkeypatch, dev, {"ruff": 1})
    assert dev.main(["test"]) == 1
    assert [cmd[2] for cmd in calls] == ["ruff", "mypy", "ruff"]


def test_ruff_format_check_runs_in_lint_too(monkeypatch: pytest.MonkeyPatch) -> None:
    dev = _dev()
    calls = _calls(monkeypatch, dev, {})
    monkeypatch.setenv("DUI_HARNESS_FORMAT_CHECK", "1")
    assert dev.main(["lint"]) == 0
    assert calls[-1][2:5] == ["ruff", "format", "--check"]
    assert "[tool.ruff.format]" in (REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8")


def test_ci_runs_the_readme_command_and_requires_the_reference_material() -> None:
    script = (REPO_ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "python3 dev.py test" in script and 'CI="${CI:-true}"' in script


def test_pre_commit_runs_ruff_ruff_format_and_mypy() -> None:
    config = yaml.safe_load((REPO_ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    hooks = {hook["id"] for repo in config["repos"] for hook in repo["hooks"]}
    assert {"ruff-check", "ruff-format", "mypy"} <= hooks


def test_missing_reference_material_skips_locally_and_fails_when_required(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    absent = tmp_path / "absent"
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("DUI_HARNESS_REQUIRE_REFERENCE", raising=False)
    assert not reference_required() and not reference_present(absent)
    with pytest.raises(pytest.skip.Exception):
        need_reference(absent, "absent")
    for name, value in (("CI", "true"), ("DUI_HARNESS_REQUIRE_REFERENCE", "1")):
        with monkeypatch.context() as patch:
            patch.setenv(name, value)
            assert reference_required()
            with pytest.raises(pytest.fail.Exception, match="must be present"):
                need_reference(absent, "absent")
            with pytest.raises(RuntimeError, match="must be present"):
                reference_present(absent)
    assert reference_present(tmp_path)


def test_the_tools_dev_py_runs_keep_their_bytecode(monkeypatch: pytest.MonkeyPatch) -> None:
    # given a shell that asks Python not to write bytecode, then the checks and the tests still keep theirs: each of
    # the suite's processes would otherwise compile the project and rewrite the suites again
    dev = _dev()
    envs: list[dict[str, str]] = []
    monkeypatch.setattr(dev, "ensure_venv", lambda *_: None)

    def call(cmd: list[str], **kw: Any) -> int:
        envs.append(kw["env"])
        return 0

    monkeypatch.setattr(dev.subprocess, "call", call)
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")
    assert dev.main(["test"]) == 0
    assert envs and all("PYTHONDONTWRITEBYTECODE" not in env for env in envs)
