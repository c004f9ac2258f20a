"""Verdicts from observation only: planned vs run tests, partial runs, the firewall, blocked by, overall verdict."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

pytest_plugins = ["pytester"]

THREE = """
import pytest
from harness.core.findings import Finding, NonConformity

@pytest.mark.requirement("INS-KEY-01")
def test_key():
    pass

@pytest.mark.requirement("INS-OID-01")
def test_oid():
    pass

@pytest.mark.requirement("INS-OID-01")
def test_oid_again():
    pass
"""


def _profile(tmp_path: Path, *ids: str) -> Path:
    path = tmp_path / "profile.toml"
    path.write_text(
        f'name = "tiny"\nversion = "1"\ntitle = "tiny profile"\n[selection]\ninclude = {json.dumps(list(ids))}\n',
        encoding="utf-8",
    )
    return path


def _run(
    pytester: pytest.Pytester, source: str, profile: Path | str, *args: str, subprocess: bool = False
) -> tuple[pytest.RunResult, dict[str, Any], dict[str, Any]]:
    pytester.makepyfile(test_conformance=source)
    reports = pytester.path / "reports"
    run = pytester.runpytest_subprocess if subprocess else pytester.runpytest
    result = run(
        "--dui-profile",
        str(profile),
        "--dui-reports",
        str(reports),
        "-p",
        "no:cacheprovider",
        "--rootdir",
        str(pytester.path),
        *args,
    )
    matrix = json.loads((reports / "coverage-matrix.json").read_text(encoding="utf-8"))
    run = json.loads((reports / "run.json").read_text(encoding="utf-8"))
    return result, matrix, run


def _rows(matrix: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["id"]: r for r in matrix["requirements"]}


def test_everything_run_and_passed_is_conforme(pytester: pytest.Pytester, tmp_path: Path) -> None:
    result, matrix, run = _run(pytester, THREE, _profile(tmp_path, "INS-KEY-01", "INS-OID-01"))
    assert result.ret == 0
    assert matrix["overall"]["verdict"] == "conforme" and matrix["partial"] is False
    assert run["tests"]["planned"] == 3 and run["tests"]["ran"] == 3 and run["partial"] is False
    result.stdout.fnmatch_lines(["*conformity per requirement*", "VERDICT DUI: CONFORME / CONFORMANT"])


@pytest.mark.parametrize(
    "args", [["-k", "test_key"], ["--deselect", "test_conformance.py::test_oid_again"]], ids=["keyword", "deselect"]
)
def test_a_deselected_test_makes_its_requirement_not_judged(
    pytester: pytest.Pytester, tmp_path: Path, args: list[str]
) -> None:
    # given a requirement with two tests, one (or both) filtered out on the command line
    _, matrix, run = _run(pytester, THREE, _profile(tmp_path, "INS-KEY-01", "INS-OID-01"), *args)
    rows = _rows(matrix)
    # then it is not judged — never pass — with the reason, and the run is partial everywhere
    assert rows["INS-KEY-01"]["verdict"] == "pass"
    assert rows["INS-OID-01"]["verdict"] == "not-judged"
    assert "not run" in rows["INS-OID-01"]["reason"] and "deselected" in rows["INS-OID-01"]["reason"]
    if args[0] == "-k":
        assert "2 of 2 tests not run: désélectionné / deselected (-k test_key)" in rows["INS-OID-01"]["reason"]
    assert matrix["partial"] is True and run["partial"] is True
    assert matrix["overall"]["verdict"] == "partiel" and "INS-OID-01" in matrix["overall"]["not_judged"]
    assert run["tests"]["planned"] == 3 and run["tests"]["ran"] == 3 - run["tests"]["not_run"]
    csv_text = (pytester.path / "reports" / "coverage-matrix.csv").read_text(encoding="utf-8")
    assert "run_overall,run_partial" in csv_text.splitlines()[0] and ",partiel,partial" in csv_text


def test_planned_set_does_not_depend_on_plugin_order(pytester: pytest.Pytester, tmp_path: Path) -> None:
    # given a conftest deselecting a test in its own (first-running) collection hook
    pytester.makeconftest("""
import pytest

@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    dropped = [i for i in items if i.name == "test_oid_again"]
    items[:] = [i for i in items if i.name != "test_oid_again"]
    config.hook.pytest_deselected(items=dropped)
""")
    _, matrix, _ = _run(pytester, THREE, _profile(tmp_path, "INS-KEY-01", "INS-OID-01"))
    # then the dui-harness wrapper saw it planned before, and its requirement is not judged
    assert _rows(matrix)["INS-OID-01"]["verdict"] == "not-judged"


def test_stopping_after_a_failure_leaves_the_rest_not_judged(pytester: pytest.Pytester, tmp_path: Path) -> None:
    source = THREE.replace(
        "def test_key():\n    pass",
        "def test_key():\n    raise NonConformity('bad key', [Finding('r', 'INS-KEY-01', 'x')])",
    )
    _, matrix, run = _run(pytester, source, _profile(tmp_path, "INS-KEY-01", "INS-OID-01"), "-x")
    rows = _rows(matrix)
    assert rows["INS-KEY-01"]["verdict"] == "fail"
    assert rows["INS-OID-01"]["verdict"] == "not-judged" and "--maxfail / -x" in rows["INS-OID-01"]["reason"]
    assert matrix["overall"]["verdict"] == "non-conforme" and run["partial"] is True


def test_ctrl_c_ends_cleanly_with_a_partial_result(pytester: pytest.Pytester, tmp_path: Path) -> None:
    # given Ctrl-C while the second test runs
    source = THREE.replace("def test_oid():\n    pass", "def test_oid():\n    raise KeyboardInterrupt")
    result, matrix, run = _run(pytester, source, _profile(tmp_path, "INS-KEY-01", "INS-OID-01"), subprocess=True)
    # then no internal error, what ran is kept, the rest is not judged and the run is interrupted
    assert "INTERNALERROR" not in result.stdout.str() + result.stderr.str()
    rows = _rows(matrix)
    assert rows["INS-KEY-01"]["verdict"] == "pass"
    assert rows["INS-OID-01"]["verdict"] == "not-judged" and "interrupted" in rows["INS-OID-01"]["reason"]
    assert run["interrupted"] is True and run["tests"]["ran"] == 1
    env = (pytester.path / "reports").glob("*")
    assert {p.name for p in env} >= {"coverage-matrix.json", "coverage-matrix.csv", "run.json", "usage.json"}


FIREWALL = """
import pytest
from harness.core.findings import Blocked
from harness.errors import HarnessCheckError
from harness.sut.http_trigger import TriggerApiError

@pytest.mark.requirement("INS-KEY-01")
def test_harness_assertion():
    value = None
    assert value is not None, "a harness-side precondition"

@pytest.mark.requirement("INS-OID-01")
def test_harness_check():
    raise HarnessCheckError("fixture precondition")

@pytest.mark.requirement("INS-RES-01")
def test_trigger_contract():
    raise TriggerApiError("createPerson must answer an Identity with a person_id")

@pytest.mark.requirement("INS-RES-02")
def test_blocked():
    raise Blocked("the INSi request was refused", ("INS-INSI-02",))

@pytest.mark.requirement("INS-RES-04")
def test_refused():
    raise TriggerApiError("trigger API GET /persons/p1/identity answered HTTP 404: unknown person", status=404)
"""


def test_only_a_non_conformity_counts_against_the_dui(pytester: pytest.Pytester, tmp_path: Path) -> None:
    # given a deliberate harness assertion, a harness check, a broken trigger API contract, a Blocked,
    # and the DUI refusing an operation through its trigger API (HTTP 404 on a person it created)
    alluredir = tmp_path / "allure"
    _, matrix, _ = _run(
        pytester,
        FIREWALL,
        _profile(tmp_path, "INS-KEY-01", "INS-OID-01", "INS-RES-01", "INS-RES-02", "INS-RES-04"),
        "--alluredir",
        str(alluredir),
    )
    rows = _rows(matrix)
    # then none of them is a DUI failure
    assert rows["INS-KEY-01"]["verdict"] == "error"
    assert rows["INS-OID-01"]["verdict"] == "error"
    assert rows["INS-RES-01"]["verdict"] == "error"
    assert "TRIGGER API CONTRACT" in rows["INS-RES-01"]["reason"]
    # and Blocked names its blocking requirement in the matrix and in Allure
    assert rows["INS-RES-02"]["verdict"] == "blocked" and rows["INS-RES-02"]["blocked_by"] == ["INS-INSI-02"]
    statuses = [
        json.loads(p.read_text())["statusDetails"]["message"]
        for p in alluredir.glob("*-result.json")
        if "test_blocked" in p.read_text()
    ]
    assert statuses and "BLOCKED by INS-INSI-02" in statuses[0]
    # and only what the DUI did counts against it: its refusal
    assert rows["INS-RES-04"]["verdict"] == "fail" and "REFUSED THE OPERATION" in rows["INS-RES-04"]["reason"]
    assert matrix["counts"]["fail"] == 1
    env = (alluredir / "environment.properties").read_text(encoding="utf-8")
    assert env.startswith("DUI.verdict=NON CONFORME / NOT CONFORMANT")
    assert json.loads((alluredir / "executor.json").read_text())["buildName"].startswith("NON CONFORME")


DEPENDENT = """
import pytest
from harness.core.findings import Finding, NonConformity

@pytest.mark.requirement("INS-KEY-01")
def test_key():
    raise NonConformity("wrong key", [Finding("ins.key", "INS-KEY-01", "key 12 expected 34")])

@pytest.mark.requirement("SC.MSS/CONF.16")
def test_mail():
    raise NonConformity("550 5.1.1", [Finding("mss.smtp", "SC.MSS/CONF.16", "mailbox unknown")])

@pytest.mark.requirement("INS-OID-01", "INS-HIST-01")
def test_two():
    raise NonConformity("bad OID", [Finding("ins.oid", "INS-OID-01", "wrong OID")])
"""


def test_a_failure_explained_by_a_failed_dependency_is_blocked_by_it(pytester: pytest.Pytester, tmp_path: Path) -> None:
    # given INS-KEY-01 failing, and SC.MSS/CONF.16 failing too (profiles/catalog/dependencies.csv: blocked by it)
    alluredir = tmp_path / "allure"
    _, matrix, _ = _run(
        pytester,
        DEPENDENT,
        _profile(tmp_path, "INS-KEY-01", "SC.MSS/CONF.16", "INS-OID-01", "INS-HIST-01"),
        "--alluredir",
        str(alluredir),
    )
    rows = _rows(matrix)
    # then the root cause fails, its consequence is blocked by it, named
    assert rows["INS-KEY-01"]["verdict"] == "fail"
    assert rows["SC.MSS/CONF.16"]["verdict"] == "blocked"
    assert rows["SC.MSS/CONF.16"]["blocked_by"] == ["INS-KEY-01"]
    assert "550 5.1.1" in rows["SC.MSS/CONF.16"]["reason"] and "INS-KEY-01" in rows["SC.MSS/CONF.16"]["reason"]
    # and a requirement whose only test stopped on another requirement's failure is blocked by that one
    assert rows["INS-OID-01"]["verdict"] == "fail"
    assert rows["INS-HIST-01"]["verdict"] == "blocked" and rows["INS-HIST-01"]["blocked_by"] == ["INS-OID-01"]
    assert matrix["overall"]["verdict"] == "non-conforme"
    # and Allure shows the consequence as blocked (broken), the root cause as failed
    results = {r["name"]: r for r in (json.loads(p.read_text()) for p in alluredir.glob("*-result.json"))}
    assert results["test_mail"]["status"] == "broken"
    assert results["test_mail"]["statusDetails"]["message"].startswith("[BLOQUÉ / BLOCKED by INS-KEY-01]")
    assert results["test_key"]["status"] == "failed" and results["test_two"]["status"] == "failed"


def test_the_same_failure_without_its_cause_stays_a_failure(pytester: pytest.Pytester, tmp_path: Path) -> None:
    source = DEPENDENT.replace(
        'raise NonConformity("wrong key", [Finding("ins.key", "INS-KEY-01", "key 12 expected 34")])', "pass"
    )
    _, matrix, _ = _run(pytester, source, _profile(tmp_path, "INS-KEY-01", "SC.MSS/CONF.16"))
    assert _rows(matrix)["SC.MSS/CONF.16"]["verdict"] == "fail"


def test_unreachable_dui_stops_the_session_after_the_first_test(pytester: pytest.Pytester, tmp_path: Path) -> None:
    # given a DUI that never answers, and three tests that need it
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    source = """
import pytest

@pytest.mark.requirement("INS-KEY-01")
def test_a(sut):
    pass

@pytest.mark.requirement("INS-OID-01")
def test_b(sut):
    pass

@pytest.mark.requirement("INS-RES-01")
def test_c(sut):
    pass
"""
    result, matrix, run = _run(
        pytester,
        source,
        _profile(tmp_path, "INS-KEY-01", "INS-OID-01", "INS-RES-01"),
        "--dui-sut",
        f"http://127.0.0.1:{port}/harness/v1",
        "--dui-free-ports",
        "--dui-no-tls",
    )
    # then one test met the unreachable DUI, the others did not run, and every requirement says unreachable
    assert {r["verdict"] for r in matrix["requirements"]} == {"unreachable"}
    assert run["tests"]["ran"] == 1
    assert result.stdout.str().count("DUI INJOIGNABLE") <= 3
