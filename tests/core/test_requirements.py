"""harness.core.requirements: the real catalog and profiles load; every defect names file and line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from harness.core.requirements import (
    cached_catalog,
    list_profiles,
    load_catalog,
    load_profile,
    resolve_profile_path,
)
from harness.errors import ProfileError, UsageError
from harness.paths import profiles_dir
from tests.support import CATALOG_HEADER, catalog_row, make_profiles_root

# -- the shipped data ---------------------------------------------------------------------------


def test_real_catalog_loads_with_origins() -> None:
    catalog = load_catalog(profiles_dir())
    assert {"INS-KEY-01", "INS-OID-01", "EXI SI 07", "EXI SI 08"} <= {r.id for r in catalog}
    for requirement in catalog:
        assert re.search(r"catalog/\w+\.csv:\d+$", requirement.origin)
        assert requirement.allure_severity in {"critical", "normal", "minor"}
        if requirement.is_attestation:
            assert requirement.not_tested_reason


def test_real_profiles_load() -> None:
    root = profiles_dir()
    names = {(name, version) for name, version, _ in list_profiles(root)}
    assert {("ins", "2026.1"), ("segur-dui-esms", "2026.1")} <= names
    profile = load_profile(root, "ins")
    assert profile.label == "ins 2026.1"
    assert "INS-KEY-01" in profile
    assert {r.service for r in profile.requirements} == {"INS"}
    assert len(profile.sha256) == 64
    assert load_profile(root, "ins@2026.1").ids() == profile.ids()


def test_cached_catalog_is_read_once() -> None:
    assert cached_catalog(profiles_dir()) is cached_catalog(profiles_dir())


def test_unknown_profile_and_version_are_usage_errors() -> None:
    with pytest.raises(UsageError, match=r"known profiles: .*ins"):
        resolve_profile_path(profiles_dir(), "nope")
    with pytest.raises(UsageError, match=r"no version '9\.9'"):
        resolve_profile_path(profiles_dir(), "ins@9.9")


# -- broken catalogs ----------------------------------------------------------------------------


def _catalog_error(tmp_path: Path, text: str) -> tuple[str, Path]:
    root = make_profiles_root(tmp_path, text)
    with pytest.raises(ProfileError) as info:
        load_catalog(root)
    return str(info.value), root / "catalog" / "test.csv"


def _rows(*rows: str) -> str:
    return "\n".join([CATALOG_HEADER, *rows]) + "\n"


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        pytest.param(_rows(catalog_row(), catalog_row("INS-T-02", level="SHALL")), 3, "level", id="bad-level"),
        pytest.param(
            CATALOG_HEADER.rsplit(",", 1)[0] + "\n" + catalog_row().rsplit(",", 1)[0] + "\n",
            1,
            "not_tested_reason",
            id="missing-column",
        ),
        pytest.param(_rows(catalog_row(), catalog_row()), 3, "already defined", id="duplicate-id"),
        pytest.param(
            _rows(catalog_row(verification="attestation")),
            2,
            "not_tested_reason",
            id="attestation-without-reason",
        ),
        pytest.param(_rows(catalog_row(), 'INS-T-02,"unclosed title,x'), 3, "malformed CSV", id="malformed-csv"),
        pytest.param(
            _rows(catalog_row(), catalog_row("INS-T-02") + ",extra"),
            3,
            "number of columns",
            id="extra-column",
        ),
        pytest.param(_rows(catalog_row(), "INS-T-02,Titre"), 3, "number of columns", id="short-row"),
        pytest.param(_rows(catalog_row(title="")), 2, "title_fr", id="empty-title"),
    ],
)
def test_broken_catalog_names_file_and_line(tmp_path: Path, text: str, line: int, words: str) -> None:
    # given a catalog with one defect, when it is loaded
    message, path = _catalog_error(tmp_path, text)
    # then the error names the file, the line and the defect
    assert f"{path}:{line}:" in message
    assert words in message


def test_duplicate_id_names_both_lines(tmp_path: Path) -> None:
    message, path = _catalog_error(tmp_path, _rows(catalog_row(), catalog_row("INS-T-02"), catalog_row()))
    assert f"{path}:4:" in message and f"{path}:2" in message


def test_header_with_a_syntax_error_is_a_profile_error(tmp_path: Path) -> None:
    message, path = _catalog_error(tmp_path, 'id,"title_fr\n')
    assert f"{path}:" in message and "malformed CSV" in message


def test_multiline_field_keeps_its_line_break_and_line_numbers(tmp_path: Path) -> None:
    # given a quoted title spanning two lines, then a broken row
    text = _rows(catalog_row(title='"Titre sur\ndeux lignes"'), catalog_row("INS-T-02", level="SHALL"))
    message, path = _catalog_error(tmp_path, text)
    # then the broken row is reported at its physical line
    assert f"{path}:4:" in message
    root = make_profiles_root(tmp_path / "ok", _rows(catalog_row(title='"Titre sur\ndeux lignes"')))
    assert load_catalog(root)["INS-T-01"].title_fr == "Titre sur\ndeux lignes"


def test_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    root = make_profiles_root(tmp_path, "\ufeff" + _rows(catalog_row()))
    assert len(load_catalog(root)) == 1


def test_empty_catalog_folder(tmp_path: Path) -> None:
    root = make_profiles_root(tmp_path, _rows(catalog_row()))
    (root / "catalog" / "test.csv").unlink()
    with pytest.raises(ProfileError, match="no requirement catalog"):
        load_catalog(root)


# -- broken profiles ----------------------------------------------------------------------------

GOOD_CATALOG = _rows(catalog_row(), catalog_row("INS-T-02"))


def _profile_error(tmp_path: Path, profile: str) -> tuple[str, Path]:
    root = make_profiles_root(tmp_path, GOOD_CATALOG, profile)
    with pytest.raises(ProfileError) as info:
        load_profile(root, "test")
    return str(info.value), root / "test" / "1.0" / "profile.toml"


HEAD = 'name = "test"\nversion = "1.0"\ntitle = "Profil de test"\n'


@pytest.mark.parametrize(
    ("profile", "line", "words"),
    [
        pytest.param(
            HEAD + '\n[selection]\nservices = ["INS"]\ninclude = ["NOPE-01"]\n',
            7,
            "unknown requirement",
            id="unknown-include",
        ),
        pytest.param(
            HEAD + '\n[selection]\nservices = ["INS"]\nexclude = ["NOPE-01"]\n',
            7,
            "unknown requirement",
            id="unknown-exclude",
        ),
        pytest.param(HEAD + '\n[selection]\nservices = ["INS"\n', 6, "invalid TOML", id="bad-toml"),
        pytest.param('name = "Bad Name"\nversion = "1.0"\ntitle = "T est"\n[selection]\n', 1, "name", id="bad-name"),
        pytest.param(HEAD + "\n[selection]\nservices = [1]\n", 6, "services", id="nested-type-error"),
        pytest.param(HEAD + '\n[selection]\nservices = ["DMP"]\n', 0, "no requirement", id="empty-selection"),
    ],
)
def test_broken_profile_names_file_and_line(tmp_path: Path, profile: str, line: int, words: str) -> None:
    message, path = _profile_error(tmp_path, profile)
    assert (f"{path}:{line}:" if line else f"{path}:") in message
    assert words in message


def test_include_and_exclude_change_the_selection(tmp_path: Path) -> None:
    profile = HEAD + '\n[selection]\nservices = []\ninclude = ["INS-T-01", "INS-T-02"]\nexclude = ["INS-T-02"]\n'
    root = make_profiles_root(tmp_path, GOOD_CATALOG, profile)
    assert load_profile(root, "test").ids() == {"INS-T-01"}


def test_a_path_to_a_profile_file_is_accepted(tmp_path: Path) -> None:
    root = make_profiles_root(tmp_path, GOOD_CATALOG)
    path = root / "test" / "1.0" / "profile.toml"
    assert load_profile(root, str(path)).path == path
