"""harness.validators.hl7v2 on the project's fixtures: every valid file passes, every broken file fails on its rules."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.core.findings import Severity
from harness.paths import fixtures_dir
from harness.validators.hl7v2.cli import validate_hl7v2_input
from harness.validators.result import ValidateOptions

ROOT = fixtures_dir() / "hl7v2"
CASES: dict[str, list[str]] = json.loads((ROOT / "broken-cases.json").read_text(encoding="utf-8"))["cases"]


@pytest.mark.parametrize("path", sorted((ROOT / "valid").iterdir()), ids=lambda p: p.name)
def test_valid_fixture_has_no_error(path: Path) -> None:
    # given a message of fixtures/hl7v2/valid (CR, LF or CR LF segment ends)
    # when it is validated as a message the DUI emitted
    [result] = validate_hl7v2_input(str(path), ValidateOptions())
    # then nothing at all is found
    assert result.findings == (), [str(f) for f in result.findings]
    assert result.valid and result.checked == 1


@pytest.mark.parametrize("name", sorted(CASES))
def test_broken_fixture_fails_on_exactly_its_rules(name: str) -> None:
    [result] = validate_hl7v2_input(str(ROOT / "broken" / name), ValidateOptions())
    errors = [f for f in result.findings if f.severity is Severity.ERROR]
    assert sorted({f.rule for f in errors}) == sorted(set(CASES[name])), [str(f) for f in result.findings]
    for finding in errors:
        # every failure names its requirement and shows what was found against what was expected
        assert finding.requirement.startswith("HL7-")
        assert "found" in finding.message, finding.message


def test_every_broken_file_is_listed() -> None:
    assert sorted(p.name for p in (ROOT / "broken").iterdir()) == sorted(CASES)


def test_fixtures_use_test_identities_only() -> None:
    # the INS of every fixture is under the test OID (synthetic people; no production INS)
    for path in sorted((ROOT / "valid").iterdir()) + sorted((ROOT / "broken").iterdir()):
        text = path.read_bytes()
        assert b"1.2.250.1.213.1.4.8&" not in text, path.name
