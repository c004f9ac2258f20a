"""The result of a conformance run (:class:`RunResult`), built once at the end of the pytest session.

It holds what the run planned and observed: the planned tests of the profile (before any
``-k``/``--deselect``/``-m`` filtering) and which of them ran, each test's verdict, the
requirement verdicts (coverage matrix), the overall verdict, whether the run is partial or was
interrupted and why, the DUI's identity as its trigger API ``info`` gave it, its usage
indicators and the usage counters. Every output of a run is a *writer* of it
(:mod:`harness.plugin.writers`): the coverage matrix, ``run.json``, the Allure environment,
``usage.json``; ``dui-harness run`` receives it in-process and writes the evidence bundle from it.
"""

from __future__ import annotations

import functools
import platform
import sys
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from typing import TYPE_CHECKING, Any

from harness import __version__
from harness.core.requirements import Profile
from harness.core.verdicts import Overall
from harness.errors import HarnessError
from harness.evidence.attestations import declared_of
from harness.evidence.usage import mss_counters, usage_of
from harness.plugin.options import RunSettings
from harness.plugin.verdicts import CoverageMatrix, TestVerdict
from harness.sut.driver import SutInfo

if TYPE_CHECKING:
    from harness.plugin.state import PluginState

__all__ = ["RUN_FORMAT", "RunResult", "build_result", "environment", "failure_reason"]

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


@functools.cache
def _version(distribution: str) -> str:
    """The installed version of ``distribution``, read once per process (each read scans the installed
    distributions' metadata)."""
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


@dataclass
class RunResult:
    """What one conformance run planned, observed and concluded."""

    profile: Profile
    settings: RunSettings
    tests: list[TestVerdict]
    matrix: CoverageMatrix
    started: datetime
    finished: datetime
    interrupted: bool = False
    #: why the session stopped before its end (DUI unreachable, --maxfail/-x), empty otherwise
    stopped: str = ""
    sut: SutInfo | None = None
    indicators: dict[str, Any] | None = None
    #: the usage report of the run's exchanges (:meth:`harness.evidence.usage.UsageReport.as_dict`)
    usage: dict[str, Any] = field(default_factory=dict)
    #: MSSanté counters (:func:`harness.evidence.usage.mss_counters`), None without the MSSanté simulator
    mss_usage: dict[str, int] | None = None
    pytest_exit_status: int = 0

    @property
    def planned(self) -> list[str]:
        return [t.nodeid for t in self.tests]

    @property
    def ran(self) -> list[str]:
        return [t.nodeid for t in self.tests if t.ran]

    @property
    def not_run(self) -> dict[str, str]:
        return {t.nodeid: t.reason for t in self.tests if not t.ran}

    @property
    def partial(self) -> bool:
        return bool(self.matrix.partial_reasons)

    @property
    def overall(self) -> Overall:
        return self.matrix.overall

    @property
    def mode(self) -> str:
        return "attended" if self.settings.attended else ("trigger" if self.settings.sut_url else "reference-dui")

    def dui(self) -> dict[str, Any]:
        sut = self.sut
        dui: dict[str, Any] = (
            {
                "name": sut.name,
                "version": sut.version,
                "editor": sut.editor,
                "build_id": sut.build_id,
                "extra": sut.extra,
            }
            if sut
            else {"name": "not started", "version": "", "editor": "", "build_id": "", "extra": {}}
        )
        dui["mode"] = self.mode
        dui["source"] = (sut.extra.get("source") or "trigger API GET /info") if sut else "none"
        return dui

    def completeness(self) -> dict[str, Any]:
        """Planned and run test counts, and why the others did not run."""
        return {
            "planned": len(self.tests),
            "ran": len(self.ran),
            "not_run": len(self.not_run),
            "not_run_reasons": dict(Counter(self.not_run.values())),
            "interrupted": self.interrupted,
            "stopped": self.stopped,
            "partial": self.partial,
            "partial_reasons": self.matrix.partial_reasons,
        }

    def run_record(self) -> dict[str, Any]:
        """The content of ``run.json``."""
        profile, settings = self.profile, self.settings
        return {
            "format": RUN_FORMAT,
            "harness_version": __version__,
            "started": self.started.isoformat(),
            "finished": self.finished.isoformat(),
            "profile": {
                "name": profile.name,
                "version": profile.version,
                "title": profile.title,
                "sha256": profile.sha256,
                "file": str(profile.path),
            },
            "dui": self.dui(),
            "settings": {
                "sut_url": settings.sut_url,
                "attended": settings.attended,
                "defects": list(settings.defects),
                "tls": settings.tls,
            },
            "environment": environment(),
            "overall": self.overall.as_dict(),
            "partial": self.partial,
            "interrupted": self.interrupted,
            "tests": self.completeness(),
            "counts": self.matrix.counts(),
            "pytest_exit_status": int(self.pytest_exit_status),
            "indicators": self.indicators,
        }


def _partial_reasons(tests: list[TestVerdict]) -> list[str]:
    why = Counter(t.reason for t in tests if not t.ran)
    return [f"{n}/{len(tests)} test(s) non exécuté(s) / not run: {reason}" for reason, n in why.items()]


def build_result(state: PluginState, exitstatus: int) -> RunResult:
    """The run's result from the plugin state, once every test that could run has run."""
    if state.profile is None:
        raise HarnessError("no profile: the run result of a session without conformance tests")
    tests = list(state.verdicts.values())
    for test in tests:
        if not test.ran:
            test.not_run(*state.why_not_run(test.nodeid))
    matrix = CoverageMatrix(state.profile, tests, state.dependencies, _partial_reasons(tests))
    matrix.declared = declared_of(state.settings.reports)  # attestations staged by run / bundle
    ctx = state.context
    exchanges = [e.as_dict() for e in ctx.recorder.exchanges()] if ctx is not None else []
    indicators = ctx.indicators if ctx is not None else None
    usage = usage_of(exchanges, "this run / cette exécution", indicators).as_dict()
    has_mss = ctx is not None and "MSS" in ctx.simulators
    return RunResult(
        profile=state.profile,
        settings=state.settings,
        tests=tests,
        matrix=matrix,
        started=state.started,
        finished=datetime.now(UTC),
        interrupted=state.interrupted,
        stopped=state.stopped,
        sut=ctx.sut_info if ctx is not None else None,
        indicators=indicators,
        usage=usage,
        mss_usage=mss_counters(exchanges) if has_mss else None,
        pytest_exit_status=int(exitstatus),
    )
