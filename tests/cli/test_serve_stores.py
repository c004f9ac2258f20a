"""``serve`` keeps its DMP and FHIR stores on disk (issue 17, defect 6): an acknowledged submission
survives a SIGKILL and a restart on the same reports folder, as under ``run``."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import requests

from benchmarks.bench_load import _payloads, _start
from mocks.common.control_token import TOKEN_HEADER


def test_acknowledged_submissions_survive_sigkill_and_restart(tmp_path: Path) -> None:
    # given serve on a reports folder, with one DMP submission and one e-parcours transaction acknowledged
    proc, urls = _start("serve", tmp_path)
    try:
        payloads = _payloads()
        body, ctype = payloads["dmp"]
        dmp = requests.post(urls["dmp"], data=body, headers={"Content-Type": str(ctype)}, timeout=30)
        assert b"ResponseStatusType:Success" in dmp.content
        bundle, headers = payloads["eparcours"]
        assert requests.post(urls["eparcours"], data=bundle, headers=headers, timeout=30).status_code == 200
    finally:
        # when serve is killed without a chance to flush anything
        os.kill(proc.pid, signal.SIGKILL)
        proc.communicate(timeout=20)
    # then a new serve on the same folder still has both
    proc, urls = _start("serve", tmp_path)
    try:
        token = {TOKEN_HEADER: (tmp_path / "control-token").read_text(encoding="ascii").strip()}
        base = urls["dmp"].rsplit("/dmp/", 1)[0]
        assert requests.get(base + "/_harness/state", headers=token, timeout=10).json()["counts"]["documents"] == 1
        state = requests.get(urls["eparcours"] + "/_harness/state", headers=token, timeout=10).json()
        assert json.dumps(state["resources"]) and state["resources"]["Encounter"] == 1
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=20)
    assert (tmp_path / "dmp-registry.sqlite3").exists() and (tmp_path / "fhir-eparcours.sqlite3").exists()
