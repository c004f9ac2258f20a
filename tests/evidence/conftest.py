"""Real runs of the INS suite against the reference DUI, made once per test session, and helpers.

``clean_run``: ``python -m harness run --profile ins`` bundling with a test key made by
``dui-harness keys``; ``defect_run``: the same with the ``wrong_ins_key`` defect and
``--no-bundle`` (bundled later by the tests through ``dui-harness bundle``, on a copy). Both are
made once for the whole session, every pytest-xdist worker included (:mod:`tests.shared_runs`).
"""

from __future__ import annotations

import contextlib
import io
import json
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from harness.cli import main
from harness.core.requirements import load_profile
from harness.paths import profiles_dir
from tests.shared_runs import SharedRun, ins_clean_run, session_keys, shared_run


@dataclass(frozen=True)
class Run(SharedRun):
    """A shared run and the session's signing keys."""

    keys: Path


def harness(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """``python -m harness ARGS`` in a new process (for ``run``, which starts a pytest session)."""
    return subprocess.run(
        [sys.executable, "-m", "harness", *args], capture_output=True, text=True, timeout=timeout, check=False
    )


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    """``dui-harness ARGS`` in this process (the verbs that do not start pytest): same result shape."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(args))
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 2
    return subprocess.CompletedProcess(list(args), code, out.getvalue(), err.getvalue())


@pytest.fixture(scope="session")
def signing_keys(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return session_keys(tmp_path_factory)


@pytest.fixture(scope="session")
def clean_run(tmp_path_factory: pytest.TempPathFactory, signing_keys: Path) -> Run:
    """Made once for the whole session, every worker included (:mod:`tests.shared_runs`): read it, never write it."""
    result = ins_clean_run(tmp_path_factory)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    return Run(result.reports, result.returncode, result.stdout, result.stderr, signing_keys)


@pytest.fixture(scope="session")
def defect_run(tmp_path_factory: pytest.TempPathFactory, signing_keys: Path) -> Run:
    """Made once for the whole session (:mod:`tests.shared_runs`): a test that bundles it works on a copy."""
    result = shared_run(
        tmp_path_factory, "--profile", "ins", "--no-report", "-q", "--no-bundle", "--defect", "wrong_ins_key"
    )
    assert result.returncode == 1, result.stdout[-3000:] + result.stderr[-2000:]
    return Run(result.reports, result.returncode, result.stdout, result.stderr, signing_keys)


CATALOG_HEADER = (
    "id,title_fr,summary_en,service,level,applicability,verification,source_document,"
    "source_section,source_exigence,url,not_tested_reason,official_ids,official_reason"
)
#: a synthetic catalog with every socle service, for project checks that need more than INS
SOCLE_ROWS = [
    ("T-INS-01", "INS", "all"),
    ("T-MSS-01", "MSS", "all"),
    ("T-DMP-01", "DMP", "all"),
    ("T-DMP-02", "DMP", "medicalised"),
    ("T-EPRESC-01", "EPRESC", "medicalised"),
    ("T-EPARC-01", "EPARCOURS", "non-medicalised"),
]


def socle_profiles_root(tmp_path: Path) -> Path:
    """A profiles tree with the shipped schemas and rules, and a catalog covering every socle service."""
    root = tmp_path / "profiles"
    shutil.copytree(profiles_dir() / "schema", root / "schema")
    shutil.copytree(profiles_dir() / "esms-numerique", root / "esms-numerique")
    (root / "catalog").mkdir()
    rows = [
        f"{rid},Exigence de test {rid},Test requirement,{svc},MUST,{app},test,Doc de test,Section,,"
        "https://example.invalid/doc,,,test"
        for rid, svc, app in SOCLE_ROWS
    ]
    rows.append(
        "T-ATT-01,Attestation de test,Declared,MSS,MUST,all,attestation,Doc,Section,,"
        "https://example.invalid/doc,no test can see it,,test"
    )
    (root / "catalog" / "socle.csv").write_text("\n".join([CATALOG_HEADER, *rows]) + "\n", encoding="utf-8")
    (root / "socle" / "1.0").mkdir(parents=True)
    (root / "socle" / "1.0" / "profile.toml").write_text(
        'name = "socle"\nversion = "1.0"\ntitle = "Socle de test"\n\n[selection]\n'
        'services = ["INS", "MSS", "DMP", "EPRESC", "EPARCOURS"]\n',
        encoding="utf-8",
    )
    return root


def synthetic_reports(
    folder: Path, root: Path, verdicts: dict[str, str], *, dui_name: str = "DUI Synthèse", dui_version: str = "3.2"
) -> Path:
    """A reports folder as a run would write it, with the given requirement verdicts (default pass)."""
    profile = load_profile(root, "socle@1.0")
    rows: list[dict[str, Any]] = []
    for req in profile.requirements:
        verdict = "attestation" if req.is_attestation else verdicts.get(req.id, "pass")
        rows.append(
            {
                "id": req.id,
                "title_fr": req.title_fr,
                "service": req.service,
                "level": req.level,
                "verification": req.verification,
                "verdict": verdict,
                "applicability": req.applicability,
                "tests": []
                if req.is_attestation
                else [
                    {
                        "test": f"t::{req.id}",
                        "verdict": verdict,
                        "message": "",
                        "reason": "",
                        "findings": [],
                        "exchanges": [],
                    }
                ],
            }
        )
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["verdict"]] = counts.get(row["verdict"], 0) + 1
    folder.mkdir(parents=True, exist_ok=True)
    matrix = {
        "profile": {"name": "socle", "version": "1.0", "title": profile.title, "sha256": profile.sha256},
        "counts": counts,
        "uncovered_must": [],
        "requirements": rows,
    }
    (folder / "coverage-matrix.json").write_text(json.dumps(matrix), encoding="utf-8")
    run = {
        "format": "dui-harness-run/1",
        "harness_version": "0.1.0",
        "started": "2026-01-05T10:00:00+00:00",
        "finished": "2026-01-05T10:01:00+00:00",
        "profile": {"name": "socle", "version": "1.0", "sha256": profile.sha256, "file": str(profile.path)},
        "dui": {
            "name": dui_name,
            "version": dui_version,
            "editor": "Éditeur Synthèse",
            "build_id": "b1",
            "mode": "trigger",
            "source": "trigger API GET /info",
        },
        "environment": {"python": "3.11", "system": "Linux"},
        "indicators": None,
    }
    (folder / "run.json").write_text(json.dumps(run), encoding="utf-8")
    return folder


@pytest.fixture
def socle_root(tmp_path: Path) -> Path:
    return socle_profiles_root(tmp_path)
