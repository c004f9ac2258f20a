"""The scope of a defect run: which of its profile's test modules must run to prove the switch exact.

A defect run of ``tests/suites/test_sensitivity.py`` runs, of its service's profile, only the
test modules that judge (1) the requirements the switch is meant to break and (2) every
requirement of the profile blocked by one of those (``profiles/catalog/dependencies.csv``,
followed transitively): whole modules, with all the other requirements they judge. "Exactly"
then covers every requirement judged in that scope: the failed ones (fail or error) must be the
expected set, every other one judged there passes, is blocked (named root cause) or is not judged;
and every planned test of the scope must have run, no test outside it. Requirements outside the
scope are not judged by that run (``not-judged`` in its matrix): the clean run of the full
default profile is the baseline that they pass, and ``DUI_SENSITIVITY_SCOPE=profile`` runs each
switch against its whole service profile (the stronger, slower proof, for a release).

The plan (requirement -> planned tests) comes from a run of each profile with every test
deselected: the harness writes its coverage matrix with each planned test marked not run.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from harness.core.dependencies import SERVICE_PREFIX, load_dependencies
from harness.paths import profiles_dir

__all__ = ["NOTHING", "Plan", "ran_tests", "scope_keyword", "scope_modules", "scope_tests"]

#: a ``-k`` expression no test matches: the run only plans (its matrix lists every planned test)
NOTHING = "dui_harness_sensitivity_plan_only"


class Plan:
    """A profile's planned tests per requirement, and each requirement's service (from a matrix)."""

    def __init__(self, matrix: dict[str, Any]) -> None:
        self.tests: dict[str, set[str]] = {}
        self.service: dict[str, str] = {}
        for row in matrix.get("requirements", []):
            self.tests[row["id"]] = {test["test"] for test in row.get("tests", [])}
            self.service[row["id"]] = str(row.get("service", ""))

    def all_tests(self) -> set[str]:
        return set().union(*self.tests.values()) if self.tests else set()


def _module(test: str) -> str:
    return test.split("::", 1)[0]


def _blocked_closure(plan: Plan, roots: Iterable[str]) -> set[str]:
    """``roots`` and every requirement of the plan they block, transitively (dependencies.csv)."""
    dependencies = load_dependencies(profiles_dir())
    found = set(roots)
    frontier = list(found)
    while frontier:
        cause = frontier.pop()
        for dep in dependencies:
            if dep.blocked_by != cause:
                continue
            if dep.requirement.startswith(SERVICE_PREFIX):
                service = dep.requirement[len(SERVICE_PREFIX) :]
                blocked = {r for r, s in plan.service.items() if s == service and r != cause}
            else:
                blocked = {dep.requirement}
            for requirement in blocked & set(plan.tests) - found:
                found.add(requirement)
                frontier.append(requirement)
    return found


def scope_modules(plan: Plan, expected: Iterable[str]) -> set[str]:
    """The test modules (``ins/test_insi_result.py``) judging ``expected`` or what it blocks."""
    return {_module(test) for req in _blocked_closure(plan, expected) for test in plan.tests.get(req, ())}


def scope_tests(plan: Plan, modules: set[str]) -> set[str]:
    """Every planned test of ``modules``."""
    return {test for test in plan.all_tests() if _module(test) in modules}


def scope_keyword(modules: set[str]) -> str:
    """The ``-k`` expression selecting those modules by file name (``test_record.py``: with its suffix, so that a
    test function named ``test_record_…`` of another module does not match; checked after the run:
    :func:`ran_tests`)."""
    return " or ".join(sorted(Path(module).name for module in modules))


def ran_tests(matrix: dict[str, Any]) -> set[str]:
    """The tests of a run's matrix that ran (any verdict but not-run)."""
    return {
        test["test"]
        for row in matrix.get("requirements", [])
        for test in row.get("tests", [])
        if test.get("verdict") != "not-run"
    }
