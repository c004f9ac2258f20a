"""The account of the official Ségur base for the DUI: complete, in scope, consistent with the catalog."""

from __future__ import annotations

import csv
import os
from pathlib import Path
from typing import Any

import pytest

from harness.core.official import (
    DISPOSITIONS,
    check_catalog,
    in_scope,
    load_account,
    load_base,
    official_counts,
    official_verdicts,
)
from harness.core.requirements import load_catalog
from harness.errors import ProfileError, UsageError
from harness.paths import profiles_dir
from tests.support import need_reference

BASE = Path(__file__).resolve().parents[2].parent / "shared" / "reference" / "segur-exigences"


def _base_rows() -> list[dict[str, str]]:
    need_reference(BASE / "exigences.csv", f"the official base is not at {BASE}")
    with (BASE / "exigences.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_the_account_lists_every_in_scope_official_requirement_and_nothing_else() -> None:
    # given the user-given copy of the ANS base and the account shipped with the project
    rows = _base_rows()
    account = load_account(profiles_dir())
    # when the scope of issue 11 is applied to the base
    scope = {r["id"] for r in rows if in_scope(r)}
    listed = {e.id for e in account}
    # then none is missing and none is out of scope
    assert sorted(scope - listed) == [], "official requirements in scope missing from the account"
    assert sorted(listed - scope) == [], "account rows out of scope"
    assert len(scope) == 415


def test_the_account_carries_the_facts_of_the_base() -> None:
    rows = {r["id"]: r for r in _base_rows()}
    for entry in load_account(profiles_dir()):
        row = rows[entry.id]
        assert (entry.vague, entry.domain, entry.nature) == (row["vague"], row["domaine"], row["nature"]), entry.id
        # the project's own summary, never the official statement
        assert entry.summary_fr not in row["texte_brut"], entry.id


def test_the_catalog_and_the_account_agree_and_levels_follow_the_official_nature() -> None:
    account = load_account(profiles_dir())
    assert check_catalog(account, load_catalog(profiles_dir())) == []


def test_named_disagreements_are_fixed() -> None:
    catalog = load_catalog(profiles_dir())
    assert catalog["MSS-SUBJ-01"].level == "MUST" and "SC.MSS/CONF.25" in catalog["MSS-SUBJ-01"].official
    assert catalog["INS-IHM-01"].level == "MUST" and "SC.DMP/UX.11" in catalog["INS-IHM-01"].official
    assert "SC.MSS/CONF.27" in catalog["ECO.1.1.10"].official


def test_every_requirement_names_official_ids_or_why_not() -> None:
    for req in load_catalog(profiles_dir()):
        assert req.official or req.official_reason, req.id


def test_counts_per_disposition() -> None:
    counts = load_account(profiles_dir()).counts()
    assert set(counts) == set(DISPOSITIONS) and sum(counts.values()) == 415


def test_a_level_disagreement_is_named(tmp_path: Path) -> None:
    account = load_account(profiles_dir())
    catalog = list(load_catalog(profiles_dir()))
    subject = next(r for r in catalog if r.id == "MSS-SUBJ-01")
    from dataclasses import replace

    problems = check_catalog(account, [replace(subject, level="SHOULD"), *[r for r in catalog if r is not subject]])
    assert any("MSS-SUBJ-01: level SHOULD" in p for p in problems)


def test_official_verdicts_derive_from_the_project_verdicts() -> None:
    account = load_account(profiles_dir())
    tested = next(e for e in account if e.disposition == "tested")
    partly = next(e for e in account if e.disposition == "partly")
    passing = {r: "pass" for e in account for r in e.requirements}
    by_id = {i["id"]: i for i in official_verdicts(account, passing)}
    assert by_id[tested.id]["verdict"] == "pass" and by_id[partly.id]["verdict"] == "partial"
    failing = dict(passing, **{tested.requirements[0]: "fail"})
    assert {i["id"]: i for i in official_verdicts(account, failing)}[tested.id]["verdict"] == "fail"
    skipped = dict(passing, **{tested.requirements[0]: "skip"})
    assert {i["id"]: i for i in official_verdicts(account, skipped)}[tested.id]["verdict"] == "not-judged"
    missing = {i["id"]: i for i in official_verdicts(account, {})}
    assert missing[tested.id]["verdict"] == "not-judged"
    demo = next(e for e in account if e.disposition == "demonstration")
    assert missing[demo.id]["verdict"] == "demonstration"
    counts = official_counts(list(missing.values()))
    assert sum(counts["disposition"].values()) == len(account)


def test_a_broken_account_row_is_named(tmp_path: Path) -> None:
    root = tmp_path / "profiles"
    (root / "schema").mkdir(parents=True)
    (root / "schema" / "official-account.schema.json").write_bytes(
        (profiles_dir() / "schema" / "official-account.schema.json").read_bytes()
    )
    target = root / "official" / "segur-dui" / "2023.02"
    target.mkdir(parents=True)
    text = (profiles_dir() / "official" / "segur-dui" / "2023.02" / "account.csv").read_text(encoding="utf-8")
    lines = text.splitlines()
    lines[2] = lines[2].replace(",tested,", ",probably,").replace(",partly,", ",probably,")
    (target / "account.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ProfileError, match=r"account.csv:3: colonne / column 'disposition'"):
        load_account(root)


def test_the_official_texts_come_from_a_user_given_base(tmp_path: Path) -> None:
    assert load_base(None) == {} or os.environ.get("DUI_HARNESS_EXIGENCES")
    with pytest.raises(UsageError, match="cannot read the official requirement base"):
        load_base(tmp_path / "nowhere")
    if (BASE / "exigences.csv").is_file():
        assert "SC.MSS/CONF.25" in load_base(BASE)


@pytest.mark.parametrize(
    ("mutate", "words"),
    [
        (
            lambda lines: [*lines[:3], lines[3] + ",extra", *lines[4:]],
            "account.csv:4: nombre de colonnes incorrect / wrong number of columns",
        ),
        (lambda lines: [*lines[:3], 'SC.X.01,"unclosed', *lines[4:]], "malformed CSV"),
        (lambda lines: [*lines[:3], lines[2], *lines[3:]], "listed twice"),
    ],
)
def test_defects_of_the_account_are_named(tmp_path: Path, mutate: Any, words: str) -> None:
    root = tmp_path / "profiles"
    (root / "schema").mkdir(parents=True)
    (root / "schema" / "official-account.schema.json").write_bytes(
        (profiles_dir() / "schema" / "official-account.schema.json").read_bytes()
    )
    target = root / "official" / "segur-dui" / "2023.02"
    target.mkdir(parents=True)
    lines = (
        (profiles_dir() / "official" / "segur-dui" / "2023.02" / "account.csv").read_text(encoding="utf-8").splitlines()
    )
    (target / "account.csv").write_text("\n".join(mutate(lines)) + "\n", encoding="utf-8")
    with pytest.raises(ProfileError, match=words):
        load_account(root)
