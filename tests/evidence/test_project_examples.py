"""The shipped ``check-project`` examples: one fundable project, two that are not, with real bundles
of the reference DUI (INS, MSSanté and e-prescription runs; a medicalised ESMS needs INS and two of
MSSanté, DMP, e-prescription)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.evidence.conftest import Run, cli
from tests.shared_runs import profile_run

EXAMPLES = Path(__file__).resolve().parents[2] / "fixtures" / "projects"


@pytest.fixture(scope="module")
def socle_bundles(clean_run: Run, tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    # the two runs side by side: each has its own reports, PKI and free ports, and much of a run is waiting;
    # made once for the session (tests.shared_runs): the MSSanté run is also tests/cli/test_run_partial.py's
    with ThreadPoolExecutor(max_workers=2) as pool:
        runs = list(pool.map(lambda profile: profile_run(tmp_path_factory, profile), ("mss", "epresc")))
    bundles = [str(clean_run.bundle)]
    for run in runs:
        assert run.returncode == 0, run.stdout[-2000:]
        bundles.append(str(run.bundle))
    return bundles


def _check(name: str, bundles: list[str]) -> tuple[int, str]:
    args = ["check-project", str(EXAMPLES / name)]
    for bundle in bundles:
        args += ["--bundle", bundle]
    result = cli(*args)
    return result.returncode, result.stdout + result.stderr


def test_fundable_example_meets_every_rule(socle_bundles: list[str]) -> None:
    code, out = _check("fundable-normandie.yaml", socle_bundles)
    assert code == 0, out
    assert "VERDICT: conforme aux règles / meets the rules" in out and "675 000 €" in out


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("grouping-bretagne.yaml", "not declared: anap-security"),
        ("corse-small-og.yaml", "grouping"),
    ],
)
def test_failing_examples_say_why(name: str, why: str, socle_bundles: list[str]) -> None:
    code, out = _check(name, socle_bundles)
    assert code == 1, out
    assert "VERDICT: NON / NOT met" in out and why in out
