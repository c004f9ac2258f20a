"""Requirement dependencies as data (``profiles/catalog/dependencies.csv``): loading and checking."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.cli import main
from harness.core.dependencies import load_dependencies
from harness.core.requirements import load_catalog
from harness.errors import ProfileError
from harness.paths import profiles_dir
from tests.support import CATALOG_HEADER, catalog_row, make_profiles_root

HEADER = "requirement,blocked_by,reason\n"
REASON = "the second cannot go right once the first failed"


def _root(tmp_path: Path, rows: str, header: str = HEADER) -> Path:
    catalog = CATALOG_HEADER + "\n" + "".join(catalog_row(i) + "\n" for i in ("INS-A-01", "INS-B-01", "INS-C-01"))
    root = make_profiles_root(tmp_path, catalog)
    (root / "catalog" / "dependencies.csv").write_text(header + rows, encoding="utf-8")
    return root


def test_the_shipped_dependencies_are_valid_and_name_ins_key_for_mssante() -> None:
    catalog = load_catalog(profiles_dir())
    found = load_dependencies(profiles_dir(), catalog)
    assert any(d.requirement == "SC.MSS/CONF.16" and d.blocked_by == "INS-KEY-01" for d in found)
    assert all(len(d.reason) >= 10 for d in found)


def test_a_service_row_covers_every_requirement_of_the_service_but_its_blocker(tmp_path: Path) -> None:
    root = _root(tmp_path, f"service:INS,INS-A-01,{REASON}\n")
    [dep] = load_dependencies(root, load_catalog(root))
    assert dep.applies_to("INS-B-01", "INS") and not dep.applies_to("INS-A-01", "INS")
    assert not dep.applies_to("DMP-X-01", "DMP")


@pytest.mark.parametrize(
    ("rows", "header", "words"),
    [
        (
            f"INS-A-01,INS-NOPE-01,{REASON}\n",
            HEADER,
            "'INS-NOPE-01' n'est pas une exigence du catalogue / is not a requirement",
        ),
        (f"INS-A-01,INS-A-01,{REASON}\n", HEADER, "cannot block itself"),
        (
            f"INS-A-01,INS-B-01,{REASON}\nINS-B-01,INS-C-01,{REASON}\nINS-C-01,INS-A-01,{REASON}\n",
            HEADER,
            "closes a cycle",
        ),
        (f"service:DMP,INS-A-01,{REASON}\n", HEADER, "no requirement of the catalog has this service"),
        ("INS-A-01,INS-B-01,short\n", HEADER, "column 'reason'"),
        (f"INS-A-01,INS-B-01,{REASON}\n", "requirement,blocker,reason\n", "header must be exactly"),
        (f'INS-A-01,INS-B-01,"{REASON}\n', HEADER, "malformed CSV"),
    ],
)
def test_a_defect_is_named_with_file_and_line(tmp_path: Path, rows: str, header: str, words: str) -> None:
    root = _root(tmp_path, rows, header)
    with pytest.raises(ProfileError, match=r"dependencies\.csv") as caught:
        load_dependencies(root, load_catalog(root))
    assert words in str(caught.value)


def test_profiles_check_reports_a_broken_dependency(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _root(tmp_path, f"INS-A-01,INS-NOPE-01,{REASON}\n")
    assert main(["profiles", "--check", "--profiles-dir", str(root)]) == 2
    assert "INS-NOPE-01" in capsys.readouterr().err
    good = _root(tmp_path / "good", f"INS-A-01,INS-B-01,{REASON}\n")
    assert main(["profiles", "--check", "--profiles-dir", str(good)]) == 0
    assert "OK  dependencies: 1" in capsys.readouterr().out
