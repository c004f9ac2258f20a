"""No suite test passes without judging something about the DUI.

A test of ``harness/suites`` proves a requirement only when it judges what the DUI did: it
calls a judging helper (``expect`` / ``raise_for_findings`` / ``Scenario.assert_no_findings``,
or a helper of its own module that does), or raises ``NonConformity``. Checks on the harness's
own setup are not judging. A test may not ``return`` early either: a path that skips the
judgement would report *pass* for what was never looked at. Read with ``ast``.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SUITES = ROOT / "harness" / "suites"
#: the helpers that turn findings about the DUI into a verdict
JUDGES = frozenset({"expect", "raise_for_findings", "assert_no_findings"})


def _called(node: ast.AST) -> set[str]:
    names = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Call):
            func = sub.func
            names.add(func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else "")
    return names


def _raises_non_conformity(node: ast.AST) -> bool:
    for sub in ast.walk(node):
        if isinstance(sub, ast.Raise) and isinstance(sub.exc, ast.Call):
            func = sub.exc.func
            if isinstance(func, ast.Name) and func.id == "NonConformity":
                return True
    return False


def problems(source: str, where: str) -> list[str]:
    """What is wrong with the test functions of one suite module."""
    tree = ast.parse(source)
    functions = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    judging = set(JUDGES)
    grew = True
    while grew:  # module helpers that judge, directly or through another helper
        grew = False
        for name, function in functions.items():
            if (
                name not in judging
                and not name.startswith("test_")
                and (_called(function) & judging or _raises_non_conformity(function))
            ):
                judging.add(name)
                grew = True
    found = []
    for name, function in functions.items():
        if not name.startswith("test_"):
            continue
        if not (_called(function) & judging or _raises_non_conformity(function)):
            found.append(f"{where}::{name} judges nothing about the DUI")
        body = [n for n in ast.walk(function) if isinstance(n, ast.Return)]
        if body:
            found.append(f"{where}::{name} returns early (line {body[0].lineno}): the judgement can be skipped")
    return found


def test_every_suite_test_judges_the_dui() -> None:
    # given every test module of the shipped suites
    modules = sorted(SUITES.rglob("test_*.py"))
    assert modules
    found = [p for path in modules for p in problems(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))]
    # then each test judges something about the DUI on every path
    assert found == []


def test_the_guard_sees_a_test_that_judges_nothing() -> None:
    # given tests that check only the harness's setup, or return before judging
    source = (
        "def _check(s):\n    expect('t', s.findings)\n"
        "def test_setup_only(s):\n    assert s.exchanges is not None\n"
        "def test_early(s):\n    if not s.data:\n        return\n    _check(s)\n"
        "def test_good(s):\n    _check(s)\n"
        "def test_raises(s):\n    raise NonConformity('t', [])\n"
    )
    # then both are reported, and the judging ones are not
    assert problems(source, "m") == [
        "m::test_setup_only judges nothing about the DUI",
        "m::test_early returns early (line 7): the judgement can be skipped",
    ]


def test_each_suite_folder_judges_the_services_it_is_collected_for() -> None:
    # given the folder -> services map the suites' conftest uses to collect only what a profile needs
    from harness.core.requirements import load_catalog
    from harness.paths import profiles_dir
    from harness.suites.conftest import SERVICES_OF

    catalog = load_catalog(profiles_dir())
    folders = {p.name for p in SUITES.iterdir() if p.is_dir() and any(p.glob("test_*.py"))}
    # then every suite folder is listed, and its tests only judge requirements of its services
    assert folders == set(SERVICES_OF)
    wrong = []
    for folder in sorted(folders):
        for path in sorted((SUITES / folder).glob("test_*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                value = node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None
                if value is not None and value in catalog and catalog[value].service not in SERVICES_OF[folder]:
                    wrong.append(f"{path.relative_to(ROOT)}: {value} ({catalog[value].service})")
    assert wrong == []
