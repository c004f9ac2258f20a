"""harness.validators.ins_value: one INS value and its OID, rule by rule."""

from __future__ import annotations

import json
from typing import Any

import pytest

from harness.core.findings import Severity
from harness.core.ins import OID_INS_C, OID_INS_NIA, OID_INS_NIR, OID_INS_NIR_DEMO, OID_INS_NIR_TEST
from harness.paths import fixtures_dir
from harness.validators.ins_value import normalize_oid, validate_ins, validate_oid


def _rules(findings: list[Any]) -> list[tuple[str, str, str]]:
    return [(f.rule, f.requirement, f.severity.value) for f in findings]


def _cases() -> list[Any]:
    data = json.loads((fixtures_dir() / "ins" / "key-cases.json").read_text(encoding="utf-8"))
    return [pytest.param(c, id=c["label"]) for c in data["cases"]]


@pytest.mark.parametrize("case", _cases())
def test_verified_key_cases(case: dict[str, Any]) -> None:
    findings = validate_ins(case["nir"] + case["key"], OID_INS_NIR_TEST)
    if case["valid"]:
        assert findings == []
    else:
        assert _rules(findings) == [("ins.key", "INS-KEY-01", "error")]
        assert f"= {case['expected_key']}" in findings[0].message


@pytest.mark.parametrize(
    "value", ["275126322074974", "2 75 12 63 220 749 74", " 275126322074974\t", "180032b020401 23"]
)
def test_valid_values_in_every_spelling(value: str) -> None:
    assert validate_ins(value, OID_INS_NIR) == []


def test_location_is_copied_into_findings() -> None:
    (finding,) = validate_ins("275126322074975", location="ins.txt:3")
    assert finding.location == "ins.txt:3"
    assert finding.message == "key 75 does not match NIR 2751263220749: 97 − (NIR mod 97) = 74"


def test_corsica_key_error_says_how_corsica_is_read() -> None:
    (finding,) = validate_ins("180032B020401 24")
    assert "2B as 18" in finding.message


@pytest.mark.parametrize(
    ("value", "rule"),
    [
        ("27512632207497", "ins.length"),
        ("2751263220749744", "ins.length"),
        ("", "ins.length"),
        ("X75126322074974", "ins.pattern"),
        ("2751263220749A4", "ins.pattern"),
        ("27512632207-974", "ins.pattern"),
        ("18003AB02040123", "ins.pattern"),  # a letter that is not Corsica's 2A/2B
        ("٢٧٥١٢٦٣٢٢٠٧٤٩٧٤", "ins.pattern"),  # Unicode digits are not INS digits
    ],
)
def test_malformed_values(value: str, rule: str) -> None:
    assert _rules(validate_ins(value)) == [(rule, "INS-KEY-01", "error")]


def _with_key(nir: str) -> str:
    from harness.core.ins import ins_key

    return f"{nir}{ins_key(nir):02d}"


@pytest.mark.parametrize("sex", "0569")
def test_first_digit_that_no_nir_nor_nia_has(sex: str) -> None:
    assert _rules(validate_ins(_with_key(f"{sex}751263220749"))) == [("ins.sex", "INS-KEY-01", "error")]


@pytest.mark.parametrize("sex", "3478")
def test_nia_first_digit_is_fine_under_the_nia_oid(sex: str) -> None:
    assert validate_ins(_with_key(f"{sex}751263220749"), OID_INS_NIA) == []


@pytest.mark.parametrize("oid", [OID_INS_NIR, OID_INS_NIR_TEST, None])
def test_nia_first_digit_under_a_nir_oid_is_a_warning(oid: str | None) -> None:
    assert _rules(validate_ins(_with_key("7751263220749"), oid)) == [("ins.sex", "INS-KEY-01", "warning")]


def test_a_nia_may_look_like_a_nir() -> None:
    # INSi fixture TEST_2.05.xml: NIA 1090763220888 / 35 under OID .9
    assert validate_ins("109076322088835", OID_INS_NIA) == []


@pytest.mark.parametrize("month", ["00", "13", "19"])
def test_impossible_months(month: str) -> None:
    assert _rules(validate_ins(_with_key(f"275{month}63220749"))) == [("ins.month", "INS-KEY-01", "error")]


@pytest.mark.parametrize("month", ["01", "12", "20", "42", "50", "99"])
def test_real_and_fictitious_months(month: str) -> None:
    assert validate_ins(_with_key(f"275{month}63220749")) == []


@pytest.mark.parametrize(
    "oid",
    [
        OID_INS_NIR,
        OID_INS_NIA,
        OID_INS_NIR_TEST,
        OID_INS_NIR_DEMO,
        f"urn:oid:{OID_INS_NIR}",
        f" {OID_INS_NIR} ",
    ],
)
def test_known_oids(oid: str) -> None:
    assert validate_oid(oid) == []


@pytest.mark.parametrize(
    ("oid", "rule"),
    [
        ("", "ins.oid.missing"),
        ("  ", "ins.oid.missing"),
        (OID_INS_C, "ins.oid.ins-c"),
        (f"urn:oid:{OID_INS_C}", "ins.oid.ins-c"),
        ("1.2.250.1.213.1.4.13", "ins.oid.unknown"),
        ("1.2.3", "ins.oid.unknown"),
    ],
)
def test_refused_oids(oid: str, rule: str) -> None:
    assert _rules(validate_ins("275126322074974", oid, "x")) == [(rule, "INS-OID-01", "error")]


def test_no_oid_means_no_oid_check() -> None:
    assert validate_ins("275126322074974", None) == []


def test_value_and_oid_findings_add_up() -> None:
    findings = validate_ins("275126322074975", OID_INS_C)
    assert [f.rule for f in findings] == ["ins.key", "ins.oid.ins-c"]
    assert all(f.severity is Severity.ERROR for f in findings)


def test_normalize_oid() -> None:
    assert normalize_oid(" URN:OID:1.2.250.1.213.1.4.8 ") == OID_INS_NIR
