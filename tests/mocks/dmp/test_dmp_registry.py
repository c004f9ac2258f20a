"""Registry persistence (SQLite), the control API and seeding, the command line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import requests

from harness.core.recorder import Recorder
from mocks.dmp import DmpSimulator
from mocks.dmp.registry import Registry
from mocks.dmp.samples import iti41_request
from tests.mocks.dmp.conftest import INS, OID, TRAITS, document


def test_accepted_submissions_survive_a_restart(tmp_path: Path) -> None:
    db = tmp_path / "dmp.sqlite3"
    http = requests.Session()
    http.trust_env = False
    with DmpSimulator(Recorder(), db_path=db) as sim:
        body, ctype = iti41_request([document("VSM")], signer=None)
        response = http.post(sim.url + "/dmp/repository", data=body, headers={"Content-Type": ctype}, timeout=10)
        assert b"ResponseStatusType:Success" in response.content  # plain HTTP: VIHF signature is a warning
        registered = sim.recorder.exchanges(transaction="ITI-41")[-1].summary["registered"][0]
        # a rejected one (the same uniqueId again) leaves nothing
        http.post(sim.url + "/dmp/repository", data=body, headers={"Content-Type": ctype}, timeout=10)
        counts = sim.registry.counts()
    http.close()
    reopened = Registry(db)
    try:
        assert reopened.counts() == counts
        assert reopened.document(registered["unique_id"]) is not None
        assert reopened.entry(registered["entry_uuid"]) is not None
    finally:
        reopened.close()


def test_control_api_state_and_seeding() -> None:
    http = requests.Session()
    http.trust_env = False
    with DmpSimulator(Recorder()) as sim:
        assert http.get(sim.url + "/_harness/state", timeout=10).status_code == 401  # no token, no control
        http.headers.update(sim.control_headers())
        answer = http.patch(
            sim.url + "/_harness/state",
            timeout=10,
            json={"patients": {INS: "EXPIRE"}, "seed": [{"kind": "FLUDR", "ins": INS, "oid": OID, "traits": TRAITS}]},
        )
        assert answer.status_code in (200, 204), answer.text
        state = http.get(sim.url + "/_harness/state", timeout=10).json()
        assert state["patients"] == {INS: "EXPIRE"} and state["counts"]["documents"] == 1
        bad = http.patch(sim.url + "/_harness/state", json={"patients": {INS: "PEUT-ETRE"}}, timeout=10)
        assert bad.status_code == 400 and "PEUT-ETRE" in bad.text
        with pytest.raises(ValueError, match="unknown document kind"):
            sim.seed("ORDONNANCE", INS, OID, TRAITS)
        sim.reset()
        assert sim.registry.counts()["documents"] == 0 and sim.default_status == "VALIDE"
    http.close()


def test_command_line_serves_and_stops(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "mocks.dmp", "--port", "0", "--db", str(tmp_path / "r.sqlite3")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("DMP simulator:"), line
        url = line.split()[-1]
        http = requests.Session()
        http.trust_env = False
        assert http.get(url, timeout=5).status_code == 405
        http.close()
    finally:
        proc.terminate()
        proc.communicate(timeout=10)  # reads and closes both pipes
