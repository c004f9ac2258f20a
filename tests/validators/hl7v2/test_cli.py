"""``dui-harness validate hl7v2``: exit 0 valid, 1 a finding (even for garbage), 2 only for a missing file."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from harness.cli import main
from harness.paths import fixtures_dir

ROOT = fixtures_dir() / "hl7v2"


def test_valid_fixtures_exit_0(capsys: pytest.CaptureFixture[str]) -> None:
    files = [str(p) for p in sorted((ROOT / "valid").iterdir())]
    assert main(["validate", "hl7v2", *files]) == 0
    assert f"{len(files)} input(s): {len(files)} valid" in capsys.readouterr().out


def test_broken_message_is_a_finding_not_a_crash(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    noise = tmp_path / "noise.hl7"
    noise.write_bytes(bytes(range(256)) * 4)
    assert main(["validate", "hl7v2", str(noise), str(ROOT / "broken" / "ins-cle-fausse.hl7"), "--json"]) == 1
    results = json.loads(capsys.readouterr().out)["results"]
    assert [r["findings"][0]["rule"] for r in results] == ["hl7.binary", "ins.key"]
    assert results[1]["findings"][0]["location"] == "PID[1]-3[2].1"


def test_missing_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "hl7v2", str(tmp_path / "absent.hl7")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_batch_file_locations_name_the_message(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    batch = tmp_path / "batch.hl7"
    batch.write_bytes(
        (ROOT / "valid" / "a28-pat-trois-qualifiee.hl7").read_bytes()
        + (ROOT / "broken" / "ins-statut-validee.hl7").read_bytes()
    )
    assert main(["validate", "hl7v2", str(batch), "--json"]) == 1
    [result] = json.loads(capsys.readouterr().out)["results"]
    assert [f["location"] for f in result["findings"]] == ["message 2 PID[1]-3[2]"]


def test_a_fifo_is_refused_without_waiting(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fifo = tmp_path / "pipe.hl7"
    os.mkfifo(fifo)
    assert main(["validate", "hl7v2", str(fifo)]) == 2
    assert "not a file" in capsys.readouterr().err
