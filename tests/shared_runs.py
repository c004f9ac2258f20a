"""Whole ``dui-harness run``s made once per test session and shared by every file and pytest-xdist worker.

Several test files judge the same artefact: the reports and signed bundle of the INS run against the
reference DUI (``tests/evidence``, ``tests/cli/test_run.py``), the MSSanté run (``check-project``
examples, usage figures)… Each such run costs a whole ``python -m harness run`` (5-15 s of CPU). It is
made by the first worker that asks for it, under a file lock, in a folder common to the session's workers
(their base temporary folder's parent, as the schematron cache of ``tests/validators/cda/conftest.py``),
keyed by its arguments; the other workers wait for it and read the same folder.

Nobody writes into a shared run: a test that changes a run's reports (``bundle`` writes
``conformity-matrix.html`` there, ``--attestations`` stages files) works on a copy (:func:`copy_reports`).
A run that failed to be made (a timeout, an exception) leaves nothing behind: the next test asks again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX: each worker makes its own copy (see _folder)
    fcntl = None  # type: ignore[assignment]

__all__ = ["SharedRun", "copy_reports", "ins_clean_run", "profile_run", "session_keys", "shared_artefact", "shared_run"]

_DONE = ".made.json"
_BASE_LOCK = threading.Lock()


@dataclass(frozen=True)
class SharedRun:
    """A run made once for the session: its reports folder (read-only by convention) and what it printed."""

    reports: Path
    returncode: int
    stdout: str
    stderr: str

    @property
    def bundle(self) -> Path:
        return self.reports / "evidence-bundle.zip"


def session_folder(factory: pytest.TempPathFactory, name: str, *, across_workers: bool = True) -> Path:
    """The test session's folder ``name``: under pytest-xdist, one for every worker (their base folder's parent)
    when ``across_workers``, else this process's own."""
    with _BASE_LOCK:  # pytest makes the session's base folder on first use, not thread-safely
        base = factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER") and across_workers:
        base = base.parent  # the session's base folder, common to its workers
    folder = base / name
    folder.mkdir(exist_ok=True)
    return folder


def _folder(factory: pytest.TempPathFactory) -> Path:
    return session_folder(factory, "shared-runs", across_workers=fcntl is not None)  # shared under a lock only


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    with path.open("a+b") as handle:
        if fcntl is not None:
            fcntl.flock(handle, fcntl.LOCK_EX)  # released when the file closes, also if the process dies
        yield


def shared_artefact(factory: pytest.TempPathFactory, key: str, make: Callable[[Path], object]) -> tuple[Path, object]:
    """The folder ``make(folder)`` filled, once per session for every worker, and what it returned (JSON).

    ``key`` names the artefact and must change with everything it is made from.
    """
    root = _folder(factory)
    folder, done = root / key, root / key / _DONE
    with _locked(root / f"{key}.lock"):
        if done.is_file():
            return folder, json.loads(done.read_text(encoding="utf-8"))
        shutil.rmtree(folder, ignore_errors=True)  # an attempt that did not finish
        folder.mkdir()
        try:
            made = make(folder)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        done.write_text(json.dumps(made), encoding="utf-8")
        return folder, made


def shared_run(factory: pytest.TempPathFactory, *args: str, timeout: float = 180) -> SharedRun:
    """``python -m harness run ARGS --reports <shared folder>`` made once per session; its result.

    The caller asserts the exit code it expects (a failed run is shared too: it is the same run).
    """
    key = "run-" + hashlib.sha256("\0".join(args).encode("utf-8")).hexdigest()[:16]

    def make(folder: Path) -> dict[str, object]:
        result = subprocess.run(
            [sys.executable, "-m", "harness", "run", *args, "--reports", str(folder / "reports")],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        return {"returncode": result.returncode, "stdout": result.stdout, "stderr": result.stderr}

    folder, made = shared_artefact(factory, key, make)
    assert isinstance(made, dict)
    return SharedRun(folder / "reports", int(made["returncode"]), str(made["stdout"]), str(made["stderr"]))


def copy_reports(run: SharedRun, target: Path) -> Path:
    """A private copy of a shared run's reports, for a test that writes into them."""
    shutil.copytree(run.reports, target)
    return target


def profile_run(factory: pytest.TempPathFactory, profile: str) -> SharedRun:
    """The session's run of one profile against the reference DUI, bundled with a one-time key."""
    return shared_run(factory, "--profile", profile, "--no-report", "-q")


def session_keys(factory: pytest.TempPathFactory) -> Path:
    """The session's signing key and certificate, made by ``dui-harness keys`` (in this process)."""
    from tests.evidence.conftest import cli

    def make(folder: Path) -> int:
        result = cli("keys", "--out", str(folder), "--editor", "Éditeur Exemple SAS")
        assert result.returncode == 0, result.stderr
        return result.returncode

    folder, _ = shared_artefact(factory, "signing-keys", make)
    return folder


def ins_clean_run(factory: pytest.TempPathFactory) -> SharedRun:
    """The session's INS run against the reference DUI, bundled and signed with :func:`session_keys`."""
    key = session_keys(factory) / "signing-key.pem"
    return shared_run(factory, "--profile", "ins", "--no-report", "-q", "--key", str(key))
