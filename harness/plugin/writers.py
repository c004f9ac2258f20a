"""Writers of a :class:`~harness.plugin.run_record.RunResult`: every file a run leaves in its reports folder.

``coverage-matrix.json`` / ``.csv`` (requirement → tests → verdict, overall verdict, partial
flag), ``run.json`` (what was run), ``usage.json`` (usage indicators and MSSanté counters) and,
with Allure, ``environment.properties``, ``executor.json`` (the overall verdict in the Allure
overview) and ``categories.json``. None of them re-reads another: each writes from the result.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from harness.plugin import allure_bridge
from harness.plugin.run_record import RunResult

__all__ = ["STAGING_PREFIX", "blocked_by_dependency", "usage_document", "write_outputs"]

#: ``dui-harness run`` writes into ``<reports>/.run-XXXX`` and moves the outputs up when the run ends
STAGING_PREFIX = ".run-"


def _dump(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")


def usage_document(result: RunResult) -> dict[str, Any]:
    """``usage.json``: the usage indicators of the run's exchanges and, with MSSanté, its counters."""
    data = dict(result.usage)
    if result.mss_usage is not None:
        data["mssante"] = {**result.mss_usage, "source": "exchanges accepted by the MSSanté simulator during this run"}
    return data


def write_outputs(result: RunResult, reports: Path, alluredir: Path | None) -> None:
    """Every report file of ``result`` under ``reports`` (and ``alluredir`` when Allure runs)."""
    reports.mkdir(parents=True, exist_ok=True)
    result.matrix.write(reports)
    _dump(reports / "run.json", result.run_record())
    _dump(reports / "usage.json", usage_document(result))
    if alluredir is not None:
        allure_bridge.write_environment(
            alluredir, result.profile, result.sut, result.mode, result.overall, result.completeness()
        )
        allure_bridge.mark_blocked(alluredir, blocked_by_dependency(result))


def blocked_by_dependency(result: RunResult) -> dict[str, list[str]]:
    """Failed tests whose every failure the dependencies attributed to another requirement (node id -> blockers)."""
    verdicts: dict[str, set[str]] = {}
    blockers: dict[str, list[str]] = {}
    for row in result.matrix.rows:
        for test in row.tests:
            verdicts.setdefault(test["test"], set()).add(test["verdict"])
            if test["verdict"] == "blocked":
                blockers.setdefault(test["test"], []).extend(test.get("blocked_by") or [])
    return {
        t.nodeid: list(dict.fromkeys(blockers[t.nodeid]))
        for t in result.tests
        if t.verdict == "fail" and t.nodeid in blockers and "fail" not in verdicts.get(t.nodeid, set())
    }
