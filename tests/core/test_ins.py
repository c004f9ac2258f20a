"""harness.core.ins: the INS key, its parsing, and the RNIV identity statuses."""

from __future__ import annotations

import json
from typing import Any

import pytest

from harness.core.ins import (
    OID_INS_NIA,
    OID_INS_NIR,
    IdentityStatus,
    Traits,
    ins_key,
    may_share_ins,
    parse_ins,
    status_after,
)
from harness.paths import fixtures_dir

KEY_CASES_FILE = fixtures_dir() / "ins" / "key-cases.json"


def _key_cases() -> list[Any]:
    data = json.loads(KEY_CASES_FILE.read_text(encoding="utf-8"))
    return [pytest.param(case, id=case["label"]) for case in data["cases"]]


def test_key_cases_fixture_names_its_source() -> None:
    # given the fixture file of verified key cases
    provenance = json.loads(KEY_CASES_FILE.read_text(encoding="utf-8"))["_provenance"]
    # then it says where its facts come from
    assert "french-specs.md §1.2" in provenance["source"]
    assert provenance["origins"]


@pytest.mark.parametrize("case", _key_cases())
def test_ins_key_of_verified_examples(case: dict[str, Any]) -> None:
    # when the key is computed from the 13 characters
    key = ins_key(case["nir"])
    # then it is the expected key, and the published key passes exactly when the case is valid
    assert key == int(case["expected_key"])
    assert (key == int(case["key"])) is case["valid"]


def test_verified_examples_cover_corsica_and_negative_cases() -> None:
    cases = [c.values[0] for c in _key_cases()]
    assert any("2B" in c["nir"] for c in cases)
    assert {c["nir"] for c in cases if not c["valid"]} >= {"1810363220456", "1477204253674"}


@pytest.mark.parametrize(("corsica", "digits"), [("2A", "19"), ("2B", "18"), ("2a", "19"), ("2b", "18")])
def test_corsica_department_is_read_as_a_number(corsica: str, digits: str) -> None:
    assert ins_key(f"18003{corsica}020401") == ins_key(f"18003{digits}020401")


@pytest.mark.parametrize(
    ("nir", "message"),
    [
        ("275126322074", "13 characters"),
        ("27512632207490", "13 characters"),
        ("18003AB020401", "digits"),
        ("1800322X20401", "digits"),
        ("٢٧٥١٢٦٣٢٢٠٧٤٩", "digits"),  # Arabic-Indic digits are digits for str.isdigit(), not for a NIR
    ],
)
def test_ins_key_refuses_what_is_not_a_nir(nir: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ins_key(nir)


def test_parse_ins_splits_nir_and_key_ignoring_spaces() -> None:
    ins = parse_ins("2 75 12 63 220 749 74")
    assert (ins.nir, ins.key, ins.oid, ins.value) == ("2751263220749", "74", OID_INS_NIR, "275126322074974")
    assert ins.key_is_valid
    assert str(ins) == "275126322074974"
    assert not ins.is_nia


def test_parse_ins_keeps_the_oid_and_detects_a_nia() -> None:
    ins = parse_ins("109076322088835", OID_INS_NIA)
    assert ins.is_nia
    assert ins.key_is_valid


def test_parse_ins_accepts_a_wrong_key_but_flags_it() -> None:
    assert not parse_ins("181036322045660").key_is_valid


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("27512632207497", "15 characters"),
        ("2751263220749744", "15 characters"),
        ("", "15 characters"),
        ("X75126322074974", "INSi pattern"),
        ("2751263220749A4", "two digits"),
        ("٢٧٥١٢٦٣٢٢٠٧٤٩٧٤", "INSi pattern"),
    ],
)
def test_parse_ins_errors(value: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_ins(value)


@pytest.mark.parametrize(
    ("insi_confirmed", "document_checked", "expected"),
    [
        (False, False, IdentityStatus.PROV),
        (True, False, IdentityStatus.RECUP),
        (False, True, IdentityStatus.VALI),
        (True, True, IdentityStatus.QUAL),
    ],
)
def test_status_after(insi_confirmed: bool, document_checked: bool, expected: IdentityStatus) -> None:
    assert status_after(insi_confirmed=insi_confirmed, document_checked=document_checked) is expected


@pytest.mark.parametrize("status", list(IdentityStatus))
def test_may_share_ins_only_when_qualified(status: IdentityStatus) -> None:
    assert may_share_ins(status) is (status is IdentityStatus.QUAL)
    assert may_share_ins(status.value) is (status is IdentityStatus.QUAL)


def test_may_share_ins_refuses_an_unknown_status() -> None:
    with pytest.raises(ValueError):
        may_share_ins("QUALIFIEE")


def test_identity_status_labels() -> None:
    assert IdentityStatus.QUAL.label_fr == "Identité qualifiée"
    assert {s.label_fr for s in IdentityStatus} == {
        "Identité provisoire",
        "Identité récupérée",
        "Identité validée",
        "Identité qualifiée",
    }


def test_traits_first_names() -> None:
    traits = Traits("ECETINSI", ("PIERRE-ALAIN", "MURIEL", "FLORIANT"), "M", "2009-07-14", "63220")
    assert traits.first_name == "PIERRE-ALAIN"
    assert traits.first_names_list == "PIERRE-ALAIN MURIEL FLORIANT"
    assert Traits("X", (), "F", "2000-01-01").first_name == ""
