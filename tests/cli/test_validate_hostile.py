"""``dui-harness validate`` on hostile files (issue 17, defect 7): bounded reads, clear errors, no hang."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.cli.conftest import CliRun

Cli = Callable[..., CliRun]


@pytest.mark.parametrize("kind", ["ins", "fhir", "mail"])
def test_a_device_is_refused_without_reading_it(cli: Cli, kind: str) -> None:
    # /dev/zero never ends: it was read until memory ran out (5.3 GB)
    run = cli("validate", kind, "/dev/zero")
    assert run.code == 2 and "not a regular file" in run.err


@pytest.mark.parametrize("kind", ["ins", "fhir", "mail"])
def test_a_fifo_is_refused_without_waiting_for_a_writer(cli: Cli, kind: str, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    run = cli("validate", kind, str(fifo))  # opening it for reading would block forever
    assert run.code == 2 and "not a regular file" in run.err


def test_a_text_file_without_any_ins_is_not_valid(cli: Cli, tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("# nothing here\n\n", encoding="utf-8")
    run = cli("validate", "ins", str(empty))
    assert run.code == 1 and "INVALID" in run.out and "no INS to validate" in run.out


def test_a_huge_fhir_integer_is_a_finding_not_a_traceback(cli: Cli, tmp_path: Path) -> None:
    resource = tmp_path / "big.json"
    resource.write_text('{"resourceType": "Patient", "multipleBirthInteger": ' + "9" * 5000 + "}", encoding="utf-8")
    run = cli("validate", "fhir", str(resource))
    assert run.code == 1 and "fhir.json.value" in run.out and "5000 digits" in run.out
    assert "Traceback" not in run.err
