"""``dui-harness run`` and ``serve`` end to end, as an editor runs them (subprocesses)."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import requests

from harness import services
from mocks.common.control_token import CONTROL_TOKEN_FILE
from tests.cli.conftest import CliRun
from tests.shared_runs import ins_clean_run
from tests.support import serve_json


def harness(*args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "harness", *args], capture_output=True, text=True, timeout=timeout, check=False
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


# ``run --sut`` against a DUI the harness did not start, the whole default profile: proven end to end by
# tests/test_packaging.py::test_installed_wheel_runs_the_suite_from_anywhere (the installed wheel's harness
# judges the wheel's reference DUI started on its own), one whole run for both proofs.


def test_unreachable_dui_is_exit_3_not_a_non_conformity(tmp_path: Path) -> None:
    """A real process: ``python -m harness run`` refusing before anything starts, as a shell sees it (exit
    code, one line on stderr); the other refusals are checked in-process by the argument checks."""
    dead = f"http://127.0.0.1:{free_port()}/harness/v1"
    result = harness("run", "--sut", dead, "--free-ports", "--reports", str(tmp_path), "--no-report", "-q")
    # then one line, exit 3, checked before anything is written (no verdict at all, nothing deleted)
    assert result.returncode == 3, result.stdout[-3000:]
    assert "DUI INJOIGNABLE" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "coverage-matrix.json").exists()


def test_run_writes_junit_and_exchanges(tmp_path_factory: pytest.TempPathFactory) -> None:
    # the session's INS run, signed with the test key (tests.shared_runs: the evidence tests judge its bundle)
    result = ins_clean_run(tmp_path_factory)
    assert result.returncode == 0, result.stdout[-3000:]
    junit = (result.reports / "junit.xml").read_text(encoding="utf-8")
    assert 'failures="0"' in junit and "test_request_identifies_the_software" in junit
    assert list((result.reports / "exchanges").glob("*-INS-rechercherInsAvecTraitsIdentite.request"))
    assert f"JUnit: {result.reports / 'junit.xml'}" in result.stdout


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--profile", "nope"], "unknown profile 'nope'"),
        (["--defect", "nope"], "unknown defect nope"),
        (["--sut", "http://127.0.0.1:9/x", "--defect", "no_ctxlps"], "reference DUI only"),
    ],
)
def test_usage_errors_are_exit_2_with_a_tip(
    args: list[str], words: str, tmp_path: Path, cli: Callable[..., CliRun]
) -> None:
    # in-process: refused by the argument checks before anything starts (the process boundary of the same
    # refusals, one line on stderr and the exit code, is test_unreachable_dui_is_exit_3_not_a_non_conformity's)
    result = cli("run", *args, "--reports", str(tmp_path), "--no-report")
    assert result.code == 2
    assert words in result.err and "Traceback" not in result.err


def test_list_defects(cli: Callable[..., CliRun]) -> None:
    result = cli("run", "--list-defects")
    assert result.code == 0 and "wrong_ins_key" in result.out


def test_serve_prints_urls_and_each_exchange_live(tmp_path: Path) -> None:
    # given serve on free ports
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "harness",
            "serve",
            "--free-ports",
            "--no-tls",
            "--reports",
            str(tmp_path),
            "--duration",
            "30",
            "--findings",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        lines = [proc.stdout.readline() for _ in range(3)]
        url = next(re.search(r"(http://127\.0\.0\.1:\d+)/lps", line) for line in lines if "/lps" in line)
        assert url is not None, lines
        token = (tmp_path / CONTROL_TOKEN_FILE).read_text(encoding="utf-8").strip()
        health = requests.get(f"{url.group(1)}/_harness/health", timeout=5, headers={"X-Harness-Token": token})
        assert health.json()["service"] == "INS"
        # when a request reaches INSi, then one line says what arrived, as it arrives
        requests.post(
            f"{url.group(1)}/lps", data=b"<not-soap", timeout=5, headers={"Content-Type": "application/soap+xml"}
        )
        live = ""
        for _ in range(60):  # bounded: the description is at most a few dozen lines
            line = proc.stdout.readline()
            if line.split(" ")[1:2] == ["INS"] and "#" in line:
                live = line
                break
        assert " · 400 · " in live and "finding" in live, live
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=10)  # also closes the pipes
    assert "exchange(s) recorded" in out


def test_serve_prints_urls_and_answers(tmp_path: Path) -> None:
    port = free_port()
    others = [arg for s in services.simulated() if s.id != "INS" for o in s.port_options().values() for arg in (o, "0")]
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "harness",
            "serve",
            "--insi-port",
            str(port),
            *others,
            "--no-tls",
            "--reports",
            str(tmp_path),
            "--duration",
            "20",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        lines = [proc.stdout.readline() for _ in range(3)]
        assert any(f"http://127.0.0.1:{port}/lps" in line for line in lines), lines
        url = f"http://127.0.0.1:{port}/_harness/health"
        assert requests.get(url, timeout=5).status_code == 401  # the control API needs the run's token
        token_file = tmp_path / "control-token"
        assert token_file.stat().st_mode & 0o777 == 0o600
        token = token_file.read_text().strip()
        health = requests.get(url, headers={"X-Harness-Token": token}, timeout=5)
        assert health.json()["service"] == "INS"
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=10)  # also closes the pipes
    assert "exchange(s) recorded" in out


def test_serve_json_stream_for_tools(tmp_path: Path) -> None:
    with serve_json(tmp_path) as (proc, ready):
        assert ready["event"] == "ready" and set(ready["simulators"]) >= {"INS", "DMP", "PSC", "MSS"}
        requests.get(ready["simulators"]["EPARCOURS"] + "/metadata", timeout=5)
        assert proc.stdout is not None
        event = json.loads(proc.stdout.readline())
        assert event["event"] == "exchange" and event["service"] == "EPARCOURS" and event["status"] == "200"


def test_attended_run_without_an_operator_judges_nothing(tmp_path: Path) -> None:
    # given attended mode and nobody at the terminal (stdin closed)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "harness",
            "run",
            "--attended",
            "--free-ports",
            "--profile",
            "ins",
            "--reports",
            str(tmp_path),
            "--no-report",
            "--no-bundle",
            "-q",
        ],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=120,
        check=False,
    )
    # then every requirement is skipped (input missing) — never passed — and the run says so
    matrix = json.loads((tmp_path / "coverage-matrix.json").read_text(encoding="utf-8"))
    assert {r["verdict"] for r in matrix["requirements"]} <= {"skip", "attestation"}
    assert result.returncode == 2, result.stdout[-2000:]
    assert "no requirement could be judged" in result.stdout
