"""The installed ``dui-harness`` console script: one end-to-end run in a real process."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest


def _script() -> str:
    beside_python = Path(sys.executable).with_name("dui-harness")
    found = str(beside_python) if beside_python.is_file() else shutil.which("dui-harness")
    if found is None:
        pytest.skip("the dui-harness console script is not installed (pip install -e .)")
    return found


def test_console_script_validates_and_exits_with_the_documented_codes(tmp_path: Path) -> None:
    # given the script installed by `pip install -e .`, run from an unrelated folder
    env = {**os.environ, "PYTHONWARNINGS": "error"}
    ok = subprocess.run(
        [_script(), "validate", "ins", "--json", "275126322074974"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=60,
    )
    bad = subprocess.run(
        [_script(), "validate", "ins", str(tmp_path / "absent.xml")],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=60,
    )
    # then the JSON is on stdout and a usage error is a message on stderr, not a traceback
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["results"][0]["valid"] is True
    assert bad.returncode == 2
    assert bad.stderr.startswith("dui-harness: ") and "Traceback" not in bad.stderr
