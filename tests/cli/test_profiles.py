"""``dui-harness profiles``: list, show one, check every file (exit 2 with file:line)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from tests.cli.conftest import CliRun
from tests.support import CATALOG_HEADER, catalog_row, make_profiles_root

Cli = Callable[..., CliRun]


def test_list_shows_name_version_counts_and_title(cli: Cli) -> None:
    run = cli("profiles")
    assert run.code == 0
    header, *rows = run.out.splitlines()
    assert header.split() == ["NAME", "VERSION", "REQUIREMENTS", "TITLE"]
    ins = next(r for r in rows if r.startswith("ins "))
    assert "2026.1" in ins and "INS " in ins and "Identité nationale de santé" in ins


def test_list_as_json(cli: Cli) -> None:
    data = json.loads(cli("profiles", "--json").out)
    by_name = {p["name"]: p for p in data["profiles"]}
    assert {"ins", "segur-dui-esms"} <= set(by_name)
    assert by_name["ins"]["version"] == "2026.1"
    assert by_name["ins"]["requirements_per_service"]["INS"] >= 2


def test_show_lists_the_requirements(cli: Cli) -> None:
    run = cli("profiles", "--show", "ins@2026.1")
    assert run.code == 0
    line = next(row for row in run.out.splitlines() if row.startswith("INS-KEY-01"))
    assert line.split()[1:4] == ["MUST", "INS", "test"]
    assert "La clé de l'INS est contrôlée" in line


def test_show_as_json(cli: Cli) -> None:
    data = json.loads(cli("profiles", "--show", "ins", "--json").out)
    assert data["name"] == "ins"
    ids = {r["id"]: r for r in data["requirements"]}
    assert set(ids["INS-OID-01"]) == {"id", "level", "service", "verification", "title_fr"}


def test_show_unknown_profile(cli: Cli) -> None:
    run = cli("profiles", "--show", "nope")
    assert run.code == 2
    assert "unknown profile 'nope'" in run.err and "Tip:" in run.err


def test_check_the_shipped_files(cli: Cli) -> None:
    run = cli("profiles", "--check")
    assert run.code == 0, run.err
    assert run.out.startswith("OK  catalog: ")
    assert "OK  profile ins@2026.1: " in run.out


def test_check_reports_a_broken_catalog_with_file_and_line(cli: Cli, tmp_path: Path) -> None:
    root = make_profiles_root(tmp_path, f"{CATALOG_HEADER}\n{catalog_row(level='SHALL')}\n")
    run = cli("profiles", "--check", "--profiles-dir", str(root))
    assert run.code == 2
    assert f"{root / 'catalog' / 'test.csv'}:2: column 'level'" in run.err
    assert "Traceback" not in run.err


def test_check_reports_every_broken_profile(cli: Cli, tmp_path: Path) -> None:
    profile = 'name = "test"\nversion = "1.0"\ntitle = "Profil"\n[selection]\ninclude = ["NOPE"]\n'
    root = make_profiles_root(tmp_path, f"{CATALOG_HEADER}\n{catalog_row()}\n", profile)
    run = cli("profiles", "--check", "--profiles-dir", str(root))
    assert run.code == 2
    assert f"{root / 'test' / '1.0' / 'profile.toml'}:5: exigence inconnue / unknown requirement id 'NOPE'" in run.err
    assert run.out.startswith("OK  catalog: 1 requirements")


def test_show_and_check_are_exclusive(cli: Cli) -> None:
    assert cli("profiles", "--show", "ins", "--check").code == 2


def test_missing_profiles_folder(cli: Cli, tmp_path: Path) -> None:
    run = cli("profiles", "--profiles-dir", str(tmp_path / "absent"))
    assert run.code == 2 and "no such profiles folder" in run.err


def test_profiles_folder_without_schema(cli: Cli, tmp_path: Path) -> None:
    root = make_profiles_root(tmp_path, f"{CATALOG_HEADER}\n{catalog_row()}\n")
    (root / "schema" / "requirement.schema.json").unlink()
    run = cli("profiles", "--check", "--profiles-dir", str(root))
    assert run.code == 2
    assert "requirement.schema.json: schéma JSON illisible / cannot read the JSON schema" in run.err
    assert "Traceback" not in run.err
