"""``reports/run.json``: what was run, against which DUI, when and where (read by the evidence bundle).

Written at the end of a conformance session beside the coverage matrix. It holds the DUI's
identity as its trigger API ``info`` gave it (the same values as the Allure environment),
the profile and its hash, the harness version, the run's date and environment, the counts
of verdicts and the DUI's usage indicators when it exposes them (``GET /indicators``).
"""

from __future__ import annotations

import json
import platform
import sys
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness import __version__

if TYPE_CHECKING:
    from harness.plugin.state import PluginState
    from harness.plugin.verdicts import CoverageMatrix

__all__ = ["RUN_FORMAT", "failure_reason", "write_run_record"]

RUN_FORMAT = "dui-harness-run/1"


def failure_reason(exc: BaseException | None, message: str) -> str:
    """One line saying why a test did not pass: the non-conformity's title or the error's first line."""
    if exc is not None:
        title = getattr(exc, "title", None)
        text = f"[NON-CONFORMITE / NON-CONFORMITY] {title}" if title else str(exc)
    else:
        text = message
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[0][:500] if lines else ""


def _version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return ""


def environment() -> dict[str, str]:
    """Where the run happened: interpreter, system, test tools (no host name, no user)."""
    return {
        "python": sys.version.split()[0],
        "implementation": platform.python_implementation(),
        "system": f"{platform.system()} {platform.release()}",
        "machine": platform.machine(),
        "pytest": _version("pytest"),
        "allure-pytest": _version("allure-pytest"),
        "cryptography": _version("cryptography"),
    }


def run_record(state: PluginState, matrix: CoverageMatrix, exitstatus: int) -> dict[str, Any]:
    """The content of ``run.json``."""
    settings, ctx, profile = state.settings, state.context, matrix.profile
    sut = ctx.sut_info if ctx is not None else None
    mode = "attended" if settings.attended else ("trigger" if settings.sut_url else "reference-dui")
    dui: dict[str, Any] = {"name": sut.name, "version": sut.version, "editor": sut.editor, "build_id": sut.build_id,
                           "extra": sut.extra} if sut else {"name": "not started", "version": "", "editor": "",
                                                            "build_id": "", "extra": {}}
    dui["mode"] = mode
    dui["source"] = (sut.extra.get("source") or "trigger API GET /info") if sut else "none"
    return {
        "format": RUN_FORMAT,
        "harness_version": __version__,
        "started": state.started.isoformat(),
        "finished": datetime.now(UTC).isoformat(),
        "profile": {"name": profile.name, "version": profile.version, "title": profile.title,
                    "sha256": profile.sha256, "file": str(profile.path)},
        "dui": dui,
        "settings": {"sut_url": settings.sut_url, "attended": settings.attended, "defects": list(settings.defects),
                     "tls": settings.tls},
        "environment": environment(),
        "counts": matrix.counts(),
        "pytest_exit_status": int(exitstatus),
        "indicators": ctx.indicators if ctx is not None else None,
    }


def write_run_record(reports: Path, state: PluginState, matrix: CoverageMatrix, exitstatus: int) -> Path:
    reports.mkdir(parents=True, exist_ok=True)
    path = reports / "run.json"
    data = run_record(state, matrix, exitstatus)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    return path
