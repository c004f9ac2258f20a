"""Render the Allure HTML report from the results of a run (Allure 3 command line).

The report generator is a Node.js program (npm package ``allure``). ``dev.py`` installs it
under ``.tools/``; any ``allure`` on the PATH, or the one named by ``DUI_HARNESS_ALLURE``,
works too. Without it the run still writes the Allure results and the JUnit file, and says
how to render them.

The report is one self-contained ``index.html`` (the allure2 plugin's ``singleFile``: data,
scripts and styles inline), so that it opens from disk in a browser, offline; a multi-file
report fetches its data and shows "500 Failed to fetch" when opened as a file — that one
must be served (``dui-harness report``). The generator's analytics tag is switched off
(``ALLURE_NO_ANALYTICS``): a conformity report calls no third party.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

from harness.evidence.history import number_build

__all__ = ["find_allure", "render_report", "report_data"]


def find_allure(start: Path | None = None) -> str | None:
    """The ``allure`` executable to use, or None."""
    explicit = os.environ.get("DUI_HARNESS_ALLURE")
    if explicit:
        return explicit if Path(explicit).exists() or shutil.which(explicit) else None
    folder = (start or Path.cwd()).resolve()
    for candidate_root in (folder, *folder.parents):
        candidate = candidate_root / ".tools" / "node_modules" / ".bin" / "allure"
        if candidate.exists():
            return str(candidate)
    return shutil.which("allure")


def render_report(
    results: Path,
    output: Path,
    *,
    title: str,
    timeout: float = 300.0,
    history: Path | None = None,
    single_file: bool = True,
) -> tuple[bool, str]:
    """Render ``results`` into ``output`` (classic Allure 2 layout with its Behaviors view).

    ``history``: Allure 3's ``historyPath`` (a JSON Lines file the generator reads, then appends
    this report's point to; see :mod:`harness.evidence.history`).

    Returns ``(ok, message)``: the message says where the report is, or why it is not.
    """
    allure = find_allure()
    if allure is None:
        return False, (
            "Allure report generator not found: run `python3 dev.py run` (installs it under "
            ".tools/), or `npm install allure` / set DUI_HARNESS_ALLURE"
        )
    if output.exists():
        shutil.rmtree(output)
    config = output.parent / "allurerc.json"
    settings: dict[str, object] = {
        "name": title,
        "output": str(output),
        "plugins": {"allure2": {"options": {"reportName": title, "reportLanguage": "en", "singleFile": single_file}}},
    }
    if history is not None:
        history.parent.mkdir(parents=True, exist_ok=True)
        settings["historyPath"] = str(history)
        number_build(results, history)
    config.write_text(json.dumps(settings, indent=2, ensure_ascii=False), encoding="utf-8")
    env = {**os.environ, "NO_COLOR": "1", "CI": os.environ.get("CI", "true"), "ALLURE_NO_ANALYTICS": "true"}
    try:
        proc = subprocess.run(
            [allure, "generate", str(results), "--config", str(config), "--output", str(output)],
            capture_output=True,
            text=True,
            timeout=timeout,
            env=env,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return False, f"Allure report generation failed: {exc}"
    index = output / "index.html"
    if proc.returncode != 0 or not index.exists():
        detail = (proc.stderr or proc.stdout).strip()[-800:]
        if single_file and "too large" in detail:  # the generator's limit: several files, to be served
            return render_report(results, output, title=title, timeout=timeout, history=history, single_file=False)
        return False, f"Allure report generation failed (exit {proc.returncode}): {detail}"
    return True, str(index)


_EMBEDDED = re.compile(r'd\(("(?:[^"\\]|\\.)*"),("(?:[^"\\]|\\.)*")\)')


def report_data(report: Path, name: str) -> bytes | None:
    """A data file of a rendered report (``widgets/history-trend.json``…), from disk or embedded in the
    one-file report's ``index.html``; None when the report has no such file."""
    path = report / name
    if path.is_file():
        return path.read_bytes()
    index = report / "index.html"
    if not index.is_file():
        return None
    for match in _EMBEDDED.finditer(index.read_text(encoding="utf-8", errors="replace")):
        if json.loads(match.group(1)) == name:
            return base64.b64decode(json.loads(match.group(2)))
    return None
