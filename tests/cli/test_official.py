"""``dui-harness official``: the account of the official base, with the official texts only from a given copy."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.cli import main
from tests.support import need_reference

BASE = Path(__file__).resolve().parents[2].parent / "shared" / "reference" / "segur-exigences"


def test_the_account_is_listed_with_its_counts(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["official", "--disposition", "tested"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("segur-dui 2023.02: 415 exigences officielles")
    assert "SC.MSS/CONF.25" in out and "MSS-SUBJ-01" in out
    assert "SC.SSI/GEN.08" not in out  # an attestation, not a tested row


def test_json_without_a_base_carries_no_official_text(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DUI_HARNESS_EXIGENCES", raising=False)
    assert main(["official", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert len(data["official"]) == 415 and sum(data["counts"].values()) == 415
    assert all("text" not in item for item in data["official"])


def test_the_official_text_comes_from_the_given_base(capsys: pytest.CaptureFixture[str]) -> None:
    need_reference(BASE / "exigences.csv", "the official base is not in ../shared")
    assert main(["official", "--json", "--disposition", "tested", "--exigences", str(BASE)]) == 0
    data = json.loads(capsys.readouterr().out)
    item = next(i for i in data["official"] if i["id"] == "SC.MSS/CONF.25")
    assert "XDM/1.0/DDM+" in item["text"]


def test_a_wrong_base_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["official", "--exigences", str(tmp_path)]) == 2
    assert "cannot read the official requirement base" in capsys.readouterr().err


def test_the_conformity_matrix_shows_official_texts_only_from_the_given_base(monkeypatch: pytest.MonkeyPatch) -> None:
    need_reference(BASE / "exigences.csv", "the official base is not in ../shared")
    from harness.evidence.official_html import render_official_html

    matrix = {
        "official": [
            {
                "id": "SC.MSS/CONF.25",
                "nature": "Obligatoire",
                "disposition": "tested",
                "verdict": "pass",
                "requirements": ["MSS-SUBJ-01"],
            }
        ]
    }
    monkeypatch.delenv("DUI_HARNESS_EXIGENCES", raising=False)
    assert "Texte officiel" not in render_official_html(matrix)
    monkeypatch.setenv("DUI_HARNESS_EXIGENCES", str(BASE))
    assert "Texte officiel" in render_official_html(matrix) and "XDM/1.0/DDM+" in render_official_html(matrix)
