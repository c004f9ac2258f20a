"""Helpers shared by the core, validator and CLI tests: repository paths and profile trees."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from harness.pki import TestPki

REPO_ROOT = Path(__file__).resolve().parents[1]
#: ``shared/reference`` beside the repository root (copied national artefacts, not shipped)
SHARED_REFERENCE = REPO_ROOT.parent / "shared" / "reference"
INSI_FIXTURES = SHARED_REFERENCE / "insi-tlsi-ins" / "fixtures"

CATALOG_HEADER = (
    "id,title_fr,summary_en,service,level,applicability,verification,"
    "source_document,source_section,source_exigence,url,not_tested_reason,official_ids,official_reason"
)


def catalog_row(
    req_id: str = "INS-T-01",
    *,
    level: str = "MUST",
    verification: str = "test",
    reason: str = "",
    title: str = "Titre de test",
) -> str:
    """One valid catalog CSV row, with the fields a test wants to break."""
    return (
        f"{req_id},{title},Test summary,INS,{level},all,{verification},"
        f"Doc de test,Section,,https://example.invalid/doc,{reason},,exigence de test sans id officiel"
    )


def make_profiles_root(tmp_path: Path, catalog: str, profile: str | None = None, *, name: str = "test") -> Path:
    """A ``profiles/`` tree in ``tmp_path``: the real schemas, one catalog file, one profile.

    Args:
        catalog: the text of ``catalog/test.csv``.
        profile: the text of ``<name>/1.0/profile.toml`` (a valid one selecting service INS
            when omitted).
    """
    from harness.paths import profiles_dir

    root = tmp_path / "profiles"
    shutil.copytree(profiles_dir() / "schema", root / "schema")
    (root / "catalog").mkdir()
    (root / "catalog" / "test.csv").write_text(catalog, encoding="utf-8")
    if profile is None:
        profile = f'name = "{name}"\nversion = "1.0"\ntitle = "Profil de test"\n\n[selection]\nservices = ["INS"]\n'
    (root / name / "1.0").mkdir(parents=True)
    (root / name / "1.0" / "profile.toml").write_text(profile, encoding="utf-8")
    return root


def insi_fixture(name: str) -> Path:
    """A real INSi response of ``shared/reference/insi-tlsi-ins/fixtures``; skip when absent."""
    path = INSI_FIXTURES / name
    need_reference(path, f"reference INSi fixtures not available: {INSI_FIXTURES} (shared/reference beside the repo)")
    return path


def client_cert(pki: TestPki, name: str) -> tuple[str, str]:
    """The test PKI's client certificate ``name`` as ``requests`` takes it: (certificate, key) paths."""
    cert, key = pki.client(name)
    return str(cert), str(key)


def reference_required() -> bool:
    """True in CI (``CI=true``) or with ``DUI_HARNESS_REQUIRE_REFERENCE=1``: there ``../shared/reference`` is
    part of the checkout, and a test that needs it fails loudly when it is absent instead of skipping."""
    return (
        os.environ.get("CI", "").strip().lower() == "true"
        or os.environ.get("DUI_HARNESS_REQUIRE_REFERENCE", "").strip() == "1"
    )


def need_reference(path: Path, reason: str) -> None:
    """Skip the calling test when the reference ``path`` is absent — fail it when :func:`reference_required`."""
    if path.exists():
        return
    if reference_required():
        pytest.fail(
            f"{reason} (CI=true / DUI_HARNESS_REQUIRE_REFERENCE=1: ../shared/reference must be present)", pytrace=False
        )
    pytest.skip(reason)


def reference_present(path: Path) -> bool:
    """Whether the reference ``path`` is there, for a module that adapts to it (e.g. runs with the official pack
    when present); absent when :func:`reference_required` is an error of the test session, not a quiet choice."""
    if path.exists():
        return True
    if reference_required():
        raise RuntimeError(
            f"{path} is absent (CI=true / DUI_HARNESS_REQUIRE_REFERENCE=1: ../shared/reference must be present)"
        )
    return False


@contextmanager
def serve_json(reports: Path, *options: str) -> Iterator[tuple[subprocess.Popen[str], dict[str, Any]]]:
    """``dui-harness serve --free-ports --no-tls --json`` (60 s at most) and its ``ready`` event; stopped after."""
    command = [sys.executable, "-m", "harness", "serve", "--free-ports", "--no-tls", "--json", *options]
    proc = subprocess.Popen(
        [*command, "--reports", str(reports), "--duration", "60"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        yield proc, json.loads(proc.stdout.readline())
    finally:
        proc.terminate()
        proc.communicate(timeout=15)
