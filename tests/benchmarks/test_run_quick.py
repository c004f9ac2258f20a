"""``benchmarks/run.py --quick``: every figure comes with its baseline and ratio (a smoke run, no timing asserted)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from benchmarks.common import Figure

REPO = Path(__file__).resolve().parents[2]


def test_quick_run_prints_each_figure_with_its_baseline_and_ratio() -> None:
    # given the benchmark runner in its smoke mode (tiny windows, loopback, free ports)
    proc = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "run.py"), "--quick", "--json"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    # then it succeeds and prints {"<name>": {"value", "baseline", "ratio", "unit"}} for every group
    assert proc.returncode == 0, proc.stderr[-3000:]
    figures = json.loads(proc.stdout)
    for name, figure in figures.items():
        assert {"value", "baseline", "ratio", "unit"} <= set(figure), name
    assert {
        "insi_c2_per_second",
        "dmp_iti41_c2_per_second",
        "dmp_iti41_lost",
        "smtp_c2_messages_per_second",
        "serve_rss_mib",
    } <= set(figures)
    for name in ("insi_c2_per_second", "dmp_iti41_c2_per_second", "smtp_c2_messages_per_second"):
        # measured, whatever the figure (a loaded machine may complete nothing in a 0.2 s window)
        assert figures[name]["value"] >= 0 and figures[name]["baseline"] >= 0 and figures[name]["unit"], name
    assert figures["dmp_iti41_lost"]["value"] == 0, figures["dmp_iti41_lost"]  # every Success answer was stored
    assert "load average" in proc.stderr


def test_a_ratio_above_one_is_always_better_than_the_baseline() -> None:
    # a rate: value / baseline; a duration or a size: baseline / value
    assert Figure(50.0, 100.0, "req/s").ratio == 0.5
    assert Figure(0.2, 4.0, "s", higher_is_better=False).ratio == 20.0
    assert Figure(None, 4.0, "s", higher_is_better=False, note="skipped").as_json() == {
        "value": None,
        "baseline": 4.0,
        "ratio": None,
        "unit": "s",
        "note": "skipped",
    }
