"""``dui-harness run`` end to end on the reference DUI: partial runs, Ctrl-C, misuse, usage figures.

Each run is a real subprocess, as an editor runs it; waits are bounded. Misuse is refused by the
argument checks before anything starts, and the verbs that read a run's reports (``verify``,
``check-project``, ``diff``, ``usage``) start no pytest session: those calls run in-process (``cli``), one
process start less each; the process boundary of the refusals (exit code, stderr) is proven by
``tests/cli/test_run.py`` (``test_unreachable_dui_is_exit_3_not_a_non_conformity``).
"""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import threading
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from harness.paths import fixtures_dir
from tests.cli.conftest import CliRun
from tests.shared_runs import profile_run

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = fixtures_dir() / "projects"


def harness(*args: str, timeout: float = 240) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "harness", *args], capture_output=True, text=True, timeout=timeout, check=False
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def td02(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    reports = tmp_path_factory.mktemp("td02")
    return reports, harness("run", "-k", "td02", "--reports", str(reports), "--no-report", "-q")


def test_a_filtered_run_is_partial_everywhere(td02: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    reports, result = td02
    # then it is not 0, and says PARTIEL first
    assert result.returncode == 2, result.stdout[-3000:] + result.stderr[-2000:]
    summary = result.stdout[result.stdout.index("dui-harness — profil") :]
    assert summary.splitlines()[1].startswith("  VERDICT DUI: PARTIEL / PARTIAL")
    matrix = json.loads((reports / "coverage-matrix.json").read_text(encoding="utf-8"))
    verdicts = [r["verdict"] for r in matrix["requirements"]]
    # a handful of tests ran: at most the requirements they judged pass, every other one is not judged
    assert verdicts.count("pass") <= 2 and verdicts.count("not-judged") >= 90
    assert matrix["partial"] is True and matrix["overall"]["verdict"] == "partiel"
    run = json.loads((reports / "run.json").read_text(encoding="utf-8"))
    assert run["partial"] is True and run["tests"]["ran"] < 10 < run["tests"]["planned"]
    assert ",partiel,partial" in (reports / "coverage-matrix.csv").read_text(encoding="utf-8")
    env = (reports / "allure-results" / "environment.properties").read_text(encoding="utf-8")
    assert env.startswith("DUI.verdict=PARTIEL") and "run.partial=yes" in env
    html = (reports / "conformity-matrix.html").read_text(encoding="utf-8")
    assert html.index("PARTIEL / PARTIAL") < html.index('<dl class="meta">') and "Exécution partielle" in html
    with zipfile.ZipFile(reports / "evidence-bundle.zip") as bundle:
        manifest = json.loads(bundle.read("MANIFEST.json"))
    assert manifest["partial"] is True and manifest["overall"]["verdict"] == "partiel"


def test_verify_states_the_dui_verdict_apart_from_the_bundle_integrity(
    td02: tuple[Path, subprocess.CompletedProcess[str]], cli: Callable[..., CliRun]
) -> None:
    reports, _ = td02
    result = cli("verify", str(reports / "evidence-bundle.zip"))
    lines = result.out.splitlines()
    assert lines[1].startswith("  VERDICT DUI: PARTIEL / PARTIAL")
    assert "exécution partielle / partial run" in lines[2]
    assert lines[3].startswith("  DOSSIER / BUNDLE: intact, signé par / intact, signed by")
    assert "INTACT, SIGNATAIRE NON VÉRIFIÉ / INTACT, SIGNER NOT VERIFIED" in lines[3]
    # the bundle is intact (its verdict is PARTIEL, said above) but signed by a one-time key: exit 5 (issue 17)
    assert result.code == 5


def test_check_project_never_counts_a_partial_bundle(
    td02: tuple[Path, subprocess.CompletedProcess[str]], tmp_path: Path, cli: Callable[..., CliRun]
) -> None:
    reports, _ = td02
    data = yaml.safe_load((EXAMPLES / "grouping-bretagne.yaml").read_text(encoding="utf-8"))
    data["bundles"] = [{"path": str(reports / "evidence-bundle.zip")}]
    project = tmp_path / "project.yaml"
    project.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = cli("check-project", str(project), "--json")
    report = json.loads(result.out)
    ref = [e for e in report["esms"] if e["software"] == "DUI de référence dui-harness"]
    assert ref and all(e["services"][s]["status"] != "conformant" for e in ref for s in e["services"])
    assert all("partial" in e["services"]["INS"]["why"] for e in ref)
    assert report["bundles"][0]["partial"]
    text = cli("check-project", str(project)).out
    assert "partial run, not counted" in text


def test_diff_says_it_compares_partial_runs(
    td02: tuple[Path, subprocess.CompletedProcess[str]], cli: Callable[..., CliRun]
) -> None:
    reports, _ = td02
    result = cli("diff", str(reports), str(reports / "evidence-bundle.zip"))
    assert "comparing partial run(s)" in result.out and "PARTIEL / PARTIAL" in result.out


@pytest.mark.parametrize("presses", [1, 2], ids=["ctrl-c", "ctrl-c-twice"])
def test_sigint_mid_run_ends_cleanly_with_a_partial_bundle(presses: int, tmp_path: Path) -> None:
    # given a full run of the reference DUI, interrupted by SIGINT once it has recorded exchanges: once (the
    # test under way ends, then the run stops) or twice in a row (the run stops at once, wherever it is)
    reports = tmp_path / "r"
    errors = tmp_path / "stderr.txt"
    with errors.open("w", encoding="utf-8") as stderr:  # stdout is read by one thread only, stderr goes to a file
        proc = subprocess.Popen(
            [sys.executable, "-m", "harness", "run", "--reports", str(reports), "--no-report", "-q"],
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
            encoding="utf-8",
        )
    lines: list[str] = []
    asked = threading.Event()

    def read_stdout() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line)
            if "interruption requested" in line:
                asked.set()

    reader = threading.Thread(target=read_stdout, daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            if len(list(reports.glob(".run-*/exchanges/*.json"))) >= 15:
                break
            time.sleep(0.2)
        assert proc.poll() is None, "the run ended before it could be interrupted"
        proc.send_signal(signal.SIGINT)
        # the run says it heard: the test under way ends, then the run stops
        assert asked.wait(timeout=60), "".join(lines)[-3000:]
        if presses == 2:  # the operator does not wait for the test under way
            proc.send_signal(signal.SIGINT)
        proc.wait(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=30)
    reader.join(timeout=30)
    if proc.stdout is not None:
        proc.stdout.close()
    out, err = "".join(lines), errors.read_text(encoding="utf-8", errors="replace")
    # then it ends cleanly (no INTERNALERROR, no traceback), partial and interrupted, with a bundle
    assert "INTERNALERROR" not in out + err and "Traceback" not in err, (out[-3000:], err[-3000:])
    assert proc.returncode in (1, 2), out[-3000:]
    run = json.loads((reports / "run.json").read_text(encoding="utf-8"))
    assert run["interrupted"] is True and run["partial"] is True
    matrix = json.loads((reports / "coverage-matrix.json").read_text(encoding="utf-8"))
    assert matrix["overall"]["verdict"] in ("partiel", "non-conforme") and matrix["partial"] is True
    for row in matrix["requirements"]:  # a pass is only ever a requirement whose every test ran and passed
        if row["verdict"] == "pass":
            assert {t["verdict"] for t in row["tests"]} == {"pass"}, row["id"]
    assert any(r["verdict"] == "not-judged" and "interrupted" in r["reason"] for r in matrix["requirements"])
    with zipfile.ZipFile(reports / "evidence-bundle.zip") as bundle:
        manifest = json.loads(bundle.read("MANIFEST.json"))
    assert manifest["interrupted"] is True and manifest["partial"] is True
    assert "interrompue / run interrupted" in out
    # no test is charged with the interruption: none is in error
    assert not [t for r in matrix["requirements"] for t in r["tests"] if t["verdict"] == "error"]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--sut", "notaurl"], "not an http(s) URL"),
        (["--sut", "http://127.0.0.1:99999/harness/v1"], "invalid URL"),
        (["--sut", "http://127.0.0.1:9/x", "--insi-port", "99999"], "--insi-port 99999"),
        (["--cda-pack", "/nonexistent/pack"], "--cda-pack /nonexistent/pack"),
        (["--profile", "nope"], "unknown profile"),
        (["--key", "/nonexistent/key.pem"], "--key /nonexistent/key.pem"),
    ],
)
def test_misuse_is_one_line_exit_2_and_keeps_the_previous_reports(
    args: list[str], words: str, tmp_path: Path, cli: Callable[..., CliRun]
) -> None:
    # given the reports of an earlier run
    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "coverage-matrix.json").write_text('{"earlier": true}', encoding="utf-8")
    (reports / "evidence-bundle.zip").write_bytes(b"earlier")
    result = cli("run", *args, "--reports", str(reports), "--no-report")
    # then one bilingual line, exit 2, nothing touched
    assert result.code == 2, result.out[-2000:] + result.err[-2000:]
    assert len(result.err.strip().splitlines()) == 1 and words in result.err, result.err
    assert "Traceback" not in result.err and " / " in result.err
    assert (reports / "coverage-matrix.json").read_text(encoding="utf-8") == '{"earlier": true}'
    assert (reports / "evidence-bundle.zip").read_bytes() == b"earlier"


def test_reports_that_is_a_file_is_a_usage_error(tmp_path: Path, cli: Callable[..., CliRun]) -> None:
    target = tmp_path / "a-file"
    target.write_text("x", encoding="utf-8")
    result = cli("run", "--reports", str(target), "--no-report")
    assert result.code == 2 and len(result.err.strip().splitlines()) == 1
    assert "is a file" in result.err and "Traceback" not in result.err


def test_a_busy_fixed_port_is_named_up_front(tmp_path: Path, cli: Callable[..., CliRun]) -> None:
    # given another program listening on the port INSi must take for a DUI configured beforehand
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = cli(
            "run",
            "--sut",
            f"http://127.0.0.1:{free_port()}/x",
            "--insi-port",
            str(port),
            "--reports",
            str(tmp_path),
            "--no-report",
        )
    # then one line naming the port and the ways out, exit 2
    assert result.code == 2, result.err
    line = result.err.strip()
    assert len(line.splitlines()) == 1 and f"INS {port}" in line and "--free-ports" in line
    assert not (tmp_path / "coverage-matrix.json").exists()


def test_an_unreachable_dui_is_one_line_and_exit_3(tmp_path: Path, cli: Callable[..., CliRun]) -> None:
    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "run.json").write_text("{}", encoding="utf-8")
    result = cli(
        "run",
        "--sut",
        f"http://127.0.0.1:{free_port()}/harness/v1",
        "--free-ports",
        "--reports",
        str(reports),
        "--no-report",
    )
    assert result.code == 3, result.out[-2000:] + result.err[-2000:]
    assert len(result.err.strip().splitlines()) == 1 and "DUI UNREACHABLE" in result.err
    assert (reports / "run.json").read_text(encoding="utf-8") == "{}"


def test_usage_json_and_the_usage_verb_count_the_same(
    tmp_path_factory: pytest.TempPathFactory, cli: Callable[..., CliRun]
) -> None:
    # the session's MSSanté run (tests.shared_runs: also the check-project examples' one)
    result = profile_run(tmp_path_factory, "mss")
    assert result.returncode == 0, result.stdout[-3000:]
    written = json.loads((result.reports / "usage.json").read_text(encoding="utf-8"))
    verb = json.loads(cli("usage", str(result.reports), "--json").out)
    values = {i["key"]: i["value"] for i in written["indicators"]}
    assert values == {i["key"]: i["value"] for i in verb["indicators"]}
    mss = written["mssante"]
    assert values["mss_messages_to_professionals"] == mss["messages_to_professionals"]
    assert values["mss_messages_to_patients"] == mss["messages_to_patients"]
    assert mss["acknowledgements_sent"] >= 1  # counted apart, never as messages to professionals


@pytest.mark.parametrize("delay", [0.5, 1.5])
def test_sigint_while_starting_is_one_line(tmp_path: Path, delay: float) -> None:
    # given Ctrl-C while the command imports its modules or checks its arguments
    reports = tmp_path / "r"
    proc = subprocess.Popen(
        [sys.executable, "-m", "harness", "run", "--reports", str(reports), "--no-report", "-q"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(delay)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    # then no traceback, whatever it was doing (interrupted: 130; a partial run if the session had begun: 2)
    assert "Traceback" not in err and "INTERNALERROR" not in out + err, err[-2000:]
    assert proc.returncode in (-signal.SIGINT, 130, 2, 1), (proc.returncode, out[-1000:], err[-1000:])
