"""The scope of a defect run (``sensitivity_scope.py``): its modules, its -k, the tests that ran."""

from __future__ import annotations

from typing import Any

from tests.suites.sensitivity_scope import Plan, ran_tests, scope_keyword, scope_modules, scope_tests


def _matrix(rows: dict[str, tuple[str, list[tuple[str, str]]]]) -> dict[str, Any]:
    return {
        "requirements": [
            {"id": rid, "service": service, "tests": [{"test": t, "verdict": v} for t, v in tests]}
            for rid, (service, tests) in rows.items()
        ]
    }


PLAN = Plan(
    _matrix(
        {
            "INS-KEY-01": ("INS", [("ins/test_insi_result.py::test_key", "not-run")]),
            # blocked by INS-KEY-01 (profiles/catalog/dependencies.csv)
            "MSS-AUTH-01": ("MSS", [("mss/test_mss_sending.py::test_auth[a]", "not-run")]),
            "TOY-OTHER-01": ("MSS", [("mss/test_mss_message_rules.py::test_name", "not-run")]),
            "INS-INSI-02": ("INS", [("ins/test_insi_request.py::test_ctx", "not-run")]),
        }
    )
)


def test_the_scope_holds_the_modules_of_the_expected_requirements_and_of_those_they_block() -> None:
    # given a switch breaking INS-KEY-01, which blocks MSS-AUTH-01
    modules = scope_modules(PLAN, {"INS-KEY-01"})
    # then its scope is the two modules judging them, not the others of the profile
    assert modules == {"ins/test_insi_result.py", "mss/test_mss_sending.py"}
    assert scope_tests(PLAN, modules) == {"ins/test_insi_result.py::test_key", "mss/test_mss_sending.py::test_auth[a]"}


def test_the_keyword_names_module_files_so_that_no_function_name_matches() -> None:
    # given modules whose stem starts a test function's name elsewhere, then -k names the files
    assert scope_keyword({"eparcours/test_record.py", "eparcours/test_flux.py"}) == "test_flux.py or test_record.py"


def test_only_the_tests_that_ran_count() -> None:
    # given a matrix with a deselected test, then only the others ran
    matrix = _matrix({"R": ("INS", [("a.py::t1", "pass"), ("a.py::t2", "not-run"), ("a.py::t3", "blocked")])})
    assert ran_tests(matrix) == {"a.py::t1", "a.py::t3"}
