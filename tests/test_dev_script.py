"""``dev.py``'s pytest options: parallel by default (pytest-xdist), the caller's choice kept."""

from __future__ import annotations

import importlib.util
import os
import zipfile
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


def test_packages_install_with_uv_unless_pip_is_asked(
    dev: ModuleType, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # given uv on the user's PATH, then dev.py installs with it; DUI_HARNESS_INSTALLER=pip keeps pip
    uv = tmp_path / "uv"
    uv.write_text("#!/bin/sh\nexit 0\n", encoding="ascii")
    uv.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv(dev.INSTALLER_ENV, raising=False)
    assert dev.installer() == str(uv)
    monkeypatch.setenv(dev.INSTALLER_ENV, "pip")
    assert dev.installer() is None


def test_uv_uses_the_index_pip_was_given(dev: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    # given a machine whose pip reads another index than PyPI, then uv is pointed at it (it ignores pip's config)
    monkeypatch.setenv("PIP_INDEX_URL", "https://mirror.invalid/simple")
    assert dev.uv_index() == ["--index-url", "https://mirror.invalid/simple"]


def test_uv_is_taken_from_its_wheel_into_the_virtual_environment(
    dev: ModuleType, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # given the wheel pip downloads (uv's binary among its data scripts), then the binary lands in .venv's bin, runnable
    wheel = tmp_path / "uv-0.9.0-py3-none-manylinux_2_17_x86_64.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr("uv/__init__.py", "")
        archive.writestr("uv-0.9.0.data/scripts/uvx", "not this one")
        archive.writestr(f"uv-0.9.0.data/scripts/{dev.LOCAL_UV.name}", "#!/bin/sh\necho uv\n")
    local = tmp_path / "venv" / "bin" / dev.LOCAL_UV.name
    monkeypatch.setattr(dev, "LOCAL_UV", local)
    assert dev.unpack_uv(wheel) == str(local)
    assert local.read_text(encoding="ascii") == "#!/bin/sh\necho uv\n" and os.access(local, os.X_OK)
    # a wheel without the binary, or none at all: None, and pip installs the packages
    empty = tmp_path / "empty.whl"
    with zipfile.ZipFile(empty, "w") as archive:
        archive.writestr("uv/__init__.py", "")
    assert dev.unpack_uv(empty) is None and dev.unpack_uv(None) is None


def test_run_installs_what_a_run_needs_and_test_adds_the_test_tools(
    dev: ModuleType, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    stamp, digest = tmp_path / "stamp", "d" * 64
    assert dev.installed_extras(stamp, digest) == set()  # nothing installed yet
    dev.record_install(stamp, digest, "")  # dev.py run: the project and what a run imports
    assert dev.installed_extras(stamp, digest) == {""}
    dev.record_install(stamp, digest, "test")  # dev.py test: the test tools too (ruff, mypy, pytest-xdist…)
    assert dev.installed_extras(stamp, digest) == {"", "test"}
    assert dev.installed_extras(stamp, "e" * 64) == set()  # pyproject.toml changed: install again
    stamp.write_text(digest, encoding="ascii")  # a stamp written before extras were recorded: with the test tools
    assert dev.installed_extras(stamp, digest) == {"", "test"}
    asked: list[str] = []
    monkeypatch.setattr(dev, "ensure_venv", asked.append)
    monkeypatch.setattr(dev, "ensure_allure", lambda: None)
    monkeypatch.setattr(dev.subprocess, "call", lambda *_, **__: 0)
    assert dev.main(["run"]) == 0 and dev.main(["lint"]) == 0
    assert asked == ["", "test"]
