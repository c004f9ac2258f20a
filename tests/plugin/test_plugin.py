"""The pytest plugin: requirement markers, profile selection, verdict firewall, coverage matrix."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

pytest_plugins = ["pytester"]


def _run(pytester: pytest.Pytester, source: str, *args: str) -> tuple[pytest.RunResult, dict[str, Any]]:
    pytester.makepyfile(test_conformance=source)
    reports = pytester.path / "reports"
    result = pytester.runpytest("--dui-profile", "ins", "--dui-reports", str(reports), "-p", "no:cacheprovider", *args)
    matrix_path = reports / "coverage-matrix.json"
    matrix = json.loads(matrix_path.read_text(encoding="utf-8")) if matrix_path.exists() else {}
    return result, matrix


def _verdicts(matrix: dict[str, Any]) -> dict[str, str]:
    return {r["id"]: r["verdict"] for r in matrix["requirements"]}


def test_unknown_requirement_id_fails_collection_with_a_clear_message(pytester: pytest.Pytester) -> None:
    # given a test that declares an id no catalog defines
    result, _ = _run(
        pytester,
        """
import pytest

@pytest.mark.requirement("INS-NOPE-99")
def test_x():
    pass
""",
    )
    # then the session stops with a usage error naming the test and the id
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*unknown requirement id 'INS-NOPE-99'*"])


def test_verdict_firewall_and_coverage_matrix(pytester: pytest.Pytester) -> None:
    # given tests that pass, fail (non-conformity), break (harness error), find the DUI unreachable, skip
    result, matrix = _run(
        pytester,
        """
import pytest
from harness.core.findings import Finding, NonConformity
from harness.errors import SutUnreachable

@pytest.mark.requirement("INS-KEY-01")
def test_pass():
    pass

@pytest.mark.requirement("INS-OID-01")
def test_nonconformity():
    raise NonConformity("bad OID", [Finding("r", "INS-OID-01", "wrong", location="/x")])

@pytest.mark.requirement("INS-RES-01")
def test_harness_error():
    raise KeyError("bug in a validator")

@pytest.mark.requirement("INS-RES-02")
def test_unreachable():
    raise SutUnreachable("no answer at http://127.0.0.1:9/")

@pytest.mark.requirement("INS-RES-03")
def test_skipped():
    pytest.skip("input not provided")
""",
    )
    verdicts = _verdicts(matrix)
    # then each outcome lands in its own verdict, never a harness error counted as a DUI fault
    assert verdicts["INS-KEY-01"] == "pass"
    assert verdicts["INS-OID-01"] == "fail"
    assert verdicts["INS-RES-01"] == "error"
    assert verdicts["INS-RES-02"] == "unreachable"
    assert verdicts["INS-RES-03"] == "skip"
    # and the attestation requirement is shown as such, the rest of the MUST ones as not covered
    assert verdicts["INS-IHM-01"] == "attestation"
    assert "EXI SI 07" in matrix["uncovered_must"]
    result.stdout.fnmatch_lines(["*MUST requirements covered by no test*", "*EXI SI 07*"])


def test_tests_outside_the_profile_are_omitted(pytester: pytest.Pytester, tmp_path: Path) -> None:
    # given a profile that excludes one requirement
    profile = tmp_path / "profile.toml"
    profile.write_text(
        'name = "tiny"\nversion = "1"\ntitle = "tiny profile"\n[selection]\ninclude = ["INS-KEY-01"]\n',
        encoding="utf-8",
    )
    pytester.makepyfile(
        test_conformance="""
import pytest

@pytest.mark.requirement("INS-KEY-01")
def test_in():
    pass

@pytest.mark.requirement("INS-OID-01")
def test_out():
    pass

def test_plain():
    pass
"""
    )
    result = pytester.runpytest(
        "--dui-profile", str(profile), "--dui-reports", str(tmp_path / "r"), "-p", "no:cacheprovider"
    )
    # then the out-of-profile test is deselected (omit), the others run
    result.assert_outcomes(passed=2, deselected=1)


def test_allure_labels_and_environment(pytester: pytest.Pytester, tmp_path: Path) -> None:
    # given a conformance test run with allure results
    alluredir = tmp_path / "allure"
    result, _ = _run(
        pytester,
        """
import pytest

@pytest.mark.requirement("EXI SI 08")
def test_share():
    '''The INS is shared only once **qualified**.'''

@pytest.mark.requirement("EXI SI 08")
def test_other():
    pass
""",
        "--alluredir",
        str(alluredir),
        "-k",
        "share",
    )
    assert result.ret == 0
    results = [json.loads(p.read_text()) for p in alluredir.glob("*-result.json")]
    assert [r["name"] for r in results] == ["test_share"]  # the deselected test has no result
    # the selected test's description: its docstring rendered, then its requirements
    assert "The INS is shared only once **qualified**." in results[0]["description"]
    assert "<strong>qualified</strong>" in results[0]["descriptionHtml"]
    assert "<b>EXI SI 08</b>" in results[0]["descriptionHtml"]
    labels = {(label["name"], label["value"]) for label in results[0]["labels"]}
    # then the test sits under service / profile / requirement, with severity from the level
    assert ("epic", "INS") in labels
    assert ("severity", "critical") in labels
    assert any(n == "story" and v.startswith("EXI SI 08 — L'INS ne peut") for n, v in labels)
    assert any(n == "feature" and "ins 2026.1" in v for n, v in labels)
    assert results[0]["links"], "one link per requirement"
    env = (alluredir / "environment.properties").read_text(encoding="utf-8")
    assert "profile.name=ins" in env and "harness.version=" in env
    categories = json.loads((alluredir / "categories.json").read_text(encoding="utf-8"))
    assert [c["matchedStatuses"] for c in categories][:3] == [["failed"], ["broken"], ["broken"]]


def test_plugin_is_inert_without_requirement_markers(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_a():\n    assert True\n")
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    assert "conformity per requirement" not in result.stdout.str()
    assert not (pytester.path / "reports").exists()
