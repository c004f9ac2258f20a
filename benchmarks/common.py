"""Shared parts of ``benchmarks/run.py``: figures with their baseline, best of N, processes' CPU and RSS."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
PYTHON = sys.executable


@dataclass
class Figure:
    """One measured value beside its baseline measured in the same run.

    ``ratio`` is value / baseline when ``higher_is_better`` (throughput: 0.5 = half the
    baseline's rate), baseline / value otherwise (a duration: 20 = twenty times faster than
    the baseline), so that a ratio above 1 always means "better than the baseline".
    """

    value: float | None
    baseline: float | None
    unit: str
    higher_is_better: bool = True
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if not self.value or not self.baseline:
            return None
        ratio = self.value / self.baseline if self.higher_is_better else self.baseline / self.value
        return round(ratio, 3)

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"value": self.value, "baseline": self.baseline, "ratio": self.ratio, "unit": self.unit}
        if self.note:
            out["note"] = self.note
        return out


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def best(results: list[dict[str, Any]], key: str, *, highest: bool = True) -> dict[str, Any]:
    """The best of several repetitions (a noisy shared machine: the best is the least disturbed)."""
    return (max if highest else min)(results, key=lambda r: r[key])


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a live process (Linux ``/proc``; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mib(pid: int) -> float:
    """Resident set size of a live process, MiB (Linux ``/proc``; 0 elsewhere)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return 0.0


def load_average() -> tuple[float, float, float]:
    try:
        return os.getloadavg()
    except OSError:
        return (0.0, 0.0, 0.0)


@contextmanager
def child_servers(*servers: list[str]) -> Iterator[list[dict[str, Any]]]:
    """Benchmark servers in child processes (``http_servers.py``), started together, stopped by closing stdin."""
    procs = [
        subprocess.Popen(
            [PYTHON, str(REPO / "benchmarks" / "http_servers.py"), *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=REPO,
        )
        for args in servers
    ]
    try:
        out = []
        for args, proc in zip(servers, procs, strict=True):
            assert proc.stdout is not None
            line = proc.stdout.readline()
            if not line:
                raise RuntimeError(f"benchmark server {args[0]} did not start (exit {proc.wait(30)})")
            out.append(json.loads(line))
        yield out
    finally:
        for proc in procs:
            if proc.stdin is not None:
                proc.stdin.close()
        for proc in procs:
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)


def interleaved(repeats: int, steps: dict[str, Callable[[], dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    """Each step ``repeats`` times, alternating (a baseline and its subject see the same machine load)."""
    out: dict[str, list[dict[str, Any]]] = {name: [] for name in steps}
    for _ in range(repeats):
        for name, step in steps.items():
            out[name].append(step())
    return out
