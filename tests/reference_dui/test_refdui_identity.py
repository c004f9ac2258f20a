"""Unit tests of the reference DUI's own identity rules (key, statuses, traits, strategy)."""

from __future__ import annotations

import pytest

from reference_dui import DEFECTS, ReferenceDuiConfig
from reference_dui.identity import InvalidInput, Traits, ins_key, key_is_valid, query_plan, status_for


@pytest.mark.parametrize(
    ("nir", "key"),
    [
        ("2751263220749", 74),
        ("1090763220834", 89),
        ("2790351215189", 89),
        ("2770763220829", 10),
        ("180032B020401", 23),
        ("1090763220888", 35),
    ],
)
def test_ins_key_on_known_values(nir: str, key: int) -> None:
    assert ins_key(nir) == key
    assert key_is_valid(nir, f"{key:02d}")


def test_corsica_2a_reads_19() -> None:
    assert ins_key("180032A020401") == 97 - int("1800319020401") % 97


@pytest.mark.parametrize(
    ("nir", "key"),
    [
        ("1810363220456", "60"),
        ("2810363220456", "10"),
        ("1477204253674", "11"),
        ("2751263220749", "7"),
        ("27512632207X9", "74"),
        ("275126322074", "74"),
    ],
)
def test_bad_keys_and_malformed_nir_are_refused(nir: str, key: str) -> None:
    assert not key_is_valid(nir, key)


def test_statuses() -> None:
    assert status_for(insi_confirmed=False, document_verified=False) == "PROV"
    assert status_for(insi_confirmed=False, document_verified=True) == "VALI"
    assert status_for(insi_confirmed=True, document_verified=False) == "RECUP"
    assert status_for(insi_confirmed=True, document_verified=True) == "QUAL"


def test_query_plan() -> None:
    assert query_plan(("A", "B", "C")) == ["A", "B", "C", "A B C"]
    assert query_plan(("A",)) == ["A"]
    assert query_plan(("A", "A")) == ["A", "A A"]
    assert query_plan(("A", "B"), retry=False) == ["A"]
    for names in [("A",), ("A", "B"), ("A", "B", "C", "D")]:
        assert len(query_plan(names)) <= len(names) + 2


def _traits(**changes: object) -> dict[str, object]:
    base: dict[str, object] = {
        "birth_name": "ADRUN",
        "first_names": ["ZOE"],
        "sex": "F",
        "birth_date": "1975-12-31",
        "birth_place": "63220",
    }
    base.update(changes)
    return base


def test_traits_round_trip() -> None:
    traits = Traits.from_json(_traits(first_names=[" ZOE ", "MARIE"]))
    assert traits.first_names == ("ZOE", "MARIE")
    assert traits.to_json()["first_names"] == ["ZOE", "MARIE"]


@pytest.mark.parametrize(
    "changes",
    [
        {"birth_name": ""},
        {"birth_name": 3},
        {"first_names": []},
        {"first_names": "ZOE"},
        {"first_names": [""]},
        {"sex": "X"},
        {"birth_date": "31/12/1975"},
        {"birth_date": "1975-02-30"},
        {"birth_date": "19751231"},
        {"birth_date": "2999-01-01"},
        {"birth_place": "632"},
        {"used_name": 5},
    ],
)
def test_bad_traits_are_refused(changes: dict[str, object]) -> None:
    with pytest.raises(InvalidInput):
        Traits.from_json(_traits(**changes))


def test_missing_traits_fields_are_named() -> None:
    with pytest.raises(InvalidInput, match="sex, birth_date"):
        Traits.from_json({"birth_name": "A", "first_names": ["B"]})


def test_unknown_defect_lists_the_known_ones() -> None:
    with pytest.raises(ValueError, match="wrong_ins_key") as info:
        ReferenceDuiConfig(defects=frozenset({"nope"}))
    assert "nope" in str(info.value)
    assert len(DEFECTS) >= 13 and {"wrong_ins_key", "wrong_cert_cn"} <= set(DEFECTS)
