"""``dui-harness serve --with-reference-dui``: the simulators and the bundled reference DUI, pointed at them.

A DUI editor starts this to see what a conformant DUI sends; tools read the reference DUI's trigger API
address from the ``ready`` event of ``--json``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import requests


def test_serve_with_the_reference_dui_names_its_trigger_api_and_it_answers(tmp_path: Path) -> None:
    # given serve on free ports with the reference DUI, JSON events for tools
    command = [sys.executable, "-m", "harness", "serve", "--free-ports", "--no-tls", "--json", "--with-reference-dui"]
    proc = subprocess.Popen(
        [*command, "--reports", str(tmp_path), "--duration", "60"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        ready = json.loads(proc.stdout.readline())
        # then the ready event names the reference DUI's trigger API, which answers and names itself
        assert ready["event"] == "ready" and ready["reference_dui"].startswith("http://127.0.0.1:")
        info = requests.get(ready["reference_dui"] + "/info", timeout=15)
        assert info.status_code == 200 and info.json()["name"] == "DUI de référence dui-harness"
    finally:
        proc.terminate()
        proc.communicate(timeout=15)
