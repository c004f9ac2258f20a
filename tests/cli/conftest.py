"""Run ``dui-harness`` in-process: ``cli("validate", "ins", ...)`` returns exit code, stdout, stderr."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from harness.cli import main


@dataclass(frozen=True)
class CliRun:
    """The outcome of one in-process ``dui-harness`` call."""

    code: int
    out: str
    err: str


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., CliRun]:
    def run(*argv: str) -> CliRun:
        capsys.readouterr()  # drop anything printed before
        try:
            code = main(list(argv))
        except SystemExit as exc:  # argparse errors and --help
            code = exc.code if isinstance(exc.code, int) else 2
        captured = capsys.readouterr()
        return CliRun(code, captured.out, captured.err)

    return run
