"""Attended mode in a real terminal: the harness in a pseudo-terminal, a scripted operator at the
reference DUI started alone (configured from the connection sheet's endpoints.json), to the verdict."""

from __future__ import annotations

import io
import json
import os
import re
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pexpect
import pytest

from reference_dui import ReferenceDui, ReferenceDuiConfig
from tests.sut.scripted_operator import ScriptedOperator

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def reference_dui() -> Iterator[ReferenceDui]:
    dui = ReferenceDui(ReferenceDuiConfig()).start()  # alone: no INSi, no PKI until the operator configures it
    try:
        yield dui
    finally:
        dui.stop()


def test_attended_run_in_a_terminal_reaches_a_conformant_verdict(tmp_path: Path, reference_dui: ReferenceDui) -> None:
    # given the harness in attended mode in a pseudo-terminal (as over SSH), simulators on free ports
    screen = io.StringIO()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TERM": "xterm"}
    child = pexpect.spawn(
        sys.executable,
        [
            "-m",
            "harness",
            "run",
            "--attended",
            "--free-ports",
            "--profile",
            "ins",
            "--reports",
            str(tmp_path),
            "--no-report",
        ],
        cwd=str(ROOT),
        env=env,
        encoding="utf-8",
        timeout=120,
        dimensions=(50, 160),
    )
    child.logfile_read = screen
    # when an operator follows the sheet and every step in the reference DUI
    operator = ScriptedOperator(
        child,
        tmp_path,
        str(reference_dui.base_url),
        ["DUI de référence (opérateur)", "9.9", "Éditeur Essai", "build-42"],
    )
    try:
        operator.run(timeout=120)
    finally:
        child.close()
    text = re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", screen.getvalue())  # colours: a terminal was detected
    # then the run is conformant, each step was numbered and fed back live
    assert child.exitstatus == 0, text[-3000:]
    assert "\x1b[" in screen.getvalue()
    assert operator.steps >= 40 and re.search(r"test \d+/\d+ · ins/", text)
    assert "← INS rechercherInsAvecTraitsIdentite" in text and "✓ échange attendu reçu" in text
    assert "✓ conforme / pass" in text and "FICHE DE CONNEXION / CONNECTION SHEET" in text
    # and the operator's answers are in run.json and in the signed bundle
    run = json.loads((tmp_path / "run.json").read_text(encoding="utf-8"))
    assert run["dui"]["name"] == "DUI de référence (opérateur)" and run["dui"]["build_id"] == "build-42"
    assert run["dui"]["source"].startswith("déclaré par l'opérateur")
    with zipfile.ZipFile(tmp_path / "evidence-bundle.zip") as bundle:
        names = set(bundle.namelist())
        assert {"attended/journal.jsonl", "attended/connection-sheet.html", "attended/endpoints.json"} <= names
        journal = bundle.read("attended/journal.jsonl").decode("utf-8")
    assert '"event": "dui-identity"' in journal and '"operation": "lookup_ins"' in journal
