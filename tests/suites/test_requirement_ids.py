"""Every requirement id written in the code exists in the catalog (profiles/catalog/*.csv).

A typo in ``Finding(..., "DMP-XDS-6", ...)`` would report a failure against a requirement no
profile knows: the coverage matrix would silently miss it. The plugin checks the
``@pytest.mark.requirement`` ids at collection; this test checks every other place by reading
the source with ``ast``: the requirement argument of ``Finding`` / ``raise_for_findings`` /
``Blocked`` / ``pytest.mark.requirement`` given as a literal, and any string literal of
``harness/`` and ``mocks/`` shaped like a requirement id; plus the sensitivity test's ids.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

from harness.core.requirements import load_catalog
from harness.paths import profiles_dir
from tests.suites.test_sensitivity import EXPECTED

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [ROOT / "harness", ROOT / "mocks"]
#: how the catalog's ids look (ours and the official ones kept as ids)
ID_SHAPE = re.compile(
    r"^(?:(?:INS|DMP|CDA|MSS|PSC|EPARCOURS|EPRESC)-[A-Z0-9]+-\d{2}|SC\.MSS/CONF\.\d+|EXI SI \d{2}|ECO\.\d+\.\d+\.\d+)$"
)
#: calls whose requirement argument is (position, keyword)
REQUIREMENT_ARGS = {"Finding": (1, "requirement"), "raise_for_findings": (None, "requirement")}


def _literals(node: ast.AST | None) -> Iterator[str]:
    """String literals of an argument: a constant, or the items of a tuple/list/set of constants."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node.value
    elif isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        for item in node.elts:
            yield from _literals(item)


def _name(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def _used_ids(path: Path) -> Iterator[tuple[str, int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and ID_SHAPE.match(node.value):
            yield node.value, node.lineno, "literal"
        if not isinstance(node, ast.Call):
            continue
        name = _name(node)
        if name == "requirement" and isinstance(node.func, ast.Attribute):  # pytest.mark.requirement("X", ...)
            for arg in node.args:
                for value in _literals(arg):
                    yield value, node.lineno, "mark"
        if name == "Blocked":
            blocking = (
                node.args[1]
                if len(node.args) > 1
                else next((k.value for k in node.keywords if k.arg == "blocking"), None)
            )
            for value in _literals(blocking):
                yield value, node.lineno, "Blocked"
        if name in REQUIREMENT_ARGS:
            position, keyword = REQUIREMENT_ARGS[name]
            given = node.args[position] if position is not None and len(node.args) > position else None
            given = given or next((k.value for k in node.keywords if k.arg == keyword), None)
            for value in _literals(given):
                yield value, node.lineno, name


def test_every_requirement_id_in_the_code_is_in_the_catalog() -> None:
    # given the catalog and every module of harness/ and mocks/
    catalog = load_catalog(profiles_dir())
    unknown = []
    for source in SOURCES:
        for path in sorted(source.rglob("*.py")):
            for value, line, how in _used_ids(path):
                if value and value not in catalog:
                    unknown.append(f"{path.relative_to(ROOT)}:{line} {how} {value!r}")
    # then each id used names a requirement of the catalog
    assert unknown == []


def test_the_scan_sees_the_places_ids_are_written(tmp_path: Path) -> None:
    # given a module writing ids in each way the scan knows
    module = tmp_path / "sample.py"
    module.write_text(
        "import pytest\n"
        '@pytest.mark.requirement("X-MARK")\n'
        "def f():\n"
        '    Finding("rule", "X-FINDING", "m")\n'
        '    Finding("rule", requirement="X-KW", message="m")\n'
        '    raise_for_findings("t", [], requirement="X-RAISE")\n'
        '    raise Blocked("m", ("X-BLOCK",))\n'
        '    return "INS-ZZZ-99"\n',
        encoding="utf-8",
    )
    # when it is scanned, then every id is found with its kind
    found = {(value, how) for value, _, how in _used_ids(module)}
    assert found == {
        ("X-MARK", "mark"),
        ("X-FINDING", "Finding"),
        ("X-KW", "Finding"),
        ("X-RAISE", "raise_for_findings"),
        ("X-BLOCK", "Blocked"),
        ("INS-ZZZ-99", "literal"),
    }


def test_the_sensitivity_test_names_catalog_requirements() -> None:
    catalog = load_catalog(profiles_dir())
    assert sorted({r for _, reqs in EXPECTED.values() for r in reqs} - {r.id for r in catalog}) == []
