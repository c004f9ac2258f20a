"""Carry the Allure history (trend, per-test history) from one run to the next.

Allure 2 kept it in a ``history/`` folder of the report, copied into the next run's results.
Allure 3 (the generator ``dev.py`` installs) reads only the top-level files of the results
folder and keeps history in one JSON Lines file named by its ``historyPath`` setting, to which
it appends a point per report. dui-harness does both, so that either generator finds it:

* the results folder gets ``history/history.jsonl`` (Allure 3's ``historyPath``), and any
  Allure 2 ``history/*.json`` of the previous report, also copied to the top level where
  Allure 3 reads them as legacy history;
* after rendering, the report gets ``history/`` with the updated file, ready for the next run.

The previous run may be a reports folder, an ``allure-report`` folder or an evidence bundle.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from harness.evidence.sources import open_source

__all__ = ["HISTORY_JSONL", "LEGACY_FILES", "keep_history", "number_build", "seed_history"]

HISTORY_JSONL = "history.jsonl"
#: Allure 2 history files, read by Allure 3 as legacy data when at the top of the results folder
LEGACY_FILES = (
    "history.json",
    "history-trend.json",
    "duration-trend.json",
    "retry-trend.json",
    "categories-trend.json",
)


def seed_history(previous: Path, results: Path) -> list[str]:
    """Copy the history of ``previous`` into ``results``; returns the files written (relative names)."""
    source = open_source(previous)
    written: list[str] = []
    for prefix in ("allure-report/history/", "allure-results/history/"):
        names = [n for n in source.names(prefix) if n.rsplit("/", 1)[-1] in (HISTORY_JSONL, *LEGACY_FILES)]
        if not names:
            continue
        for name in names:
            base = name.rsplit("/", 1)[-1]
            data = source.read(name) or b""
            targets = [f"history/{base}"] + ([base] if base in LEGACY_FILES else [])
            for rel in targets:
                path = results / rel
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
                written.append(rel)
        break
    return written


def history_file(results: Path) -> Path:
    """The Allure 3 ``historyPath`` of a run (inside its results folder, ignored by the results reader)."""
    return results / "history" / HISTORY_JSONL


def number_build(results: Path, history: Path) -> None:
    """Give the run's ``executor.json`` the next build number of ``history`` (its ``buildOrder``).

    Allure numbers a run itself only when the results hold no executor; dui-harness writes one (the
    overall verdict as the build name), so the number is written here, or the trend loses its order.
    """
    executor = results / "executor.json"
    if not executor.is_file():
        return
    data = json.loads(executor.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or "buildOrder" in data:
        return
    previous = history.read_text(encoding="utf-8").splitlines() if history.is_file() else []
    data["buildOrder"] = sum(1 for line in previous if line.strip()) + 1
    executor.write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")


def keep_history(results: Path, report: Path) -> None:
    """Copy the results' ``history/`` into the rendered report, where the next run looks for it."""
    source = results / "history"
    if source.is_dir():
        target = report / "history"
        target.mkdir(parents=True, exist_ok=True)
        for path in source.iterdir():
            if path.is_file():
                shutil.copyfile(path, target / path.name)
