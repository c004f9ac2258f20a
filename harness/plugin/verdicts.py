"""Verdicts: classify each test outcome, and compute the requirement coverage matrix.

The firewall (after Inferno), made explicit in :func:`classify`:

* *fail* — only a :class:`harness.core.findings.NonConformity` (findings judged on what the DUI
  did) counts against the DUI, and the DUI refusing through its trigger API an operation the
  scenario requires (:class:`~harness.sut.http_trigger.TriggerApiError` with an HTTP status);
* *blocked* — :class:`harness.core.findings.Blocked`: a check that another requirement's failure
  made impossible (named);
* *unreachable* — :class:`harness.errors.SutUnreachable`: the DUI did not answer;
* *skip* — a missing input or precondition (``pytest.skip``, no operator answer);
* *error* — everything else: a harness fault (:class:`harness.errors.HarnessError`), the DUI's
  trigger API answering against its contract (not JSON, missing fields), a library exception,
  and a bare ``AssertionError`` (a harness-side check: suites judge the DUI with
  ``NonConformity`` / ``raise_for_findings``), never counted against the DUI.

A requirement is *pass* only when every test planned for it ran and passed (README, "Verdicts").
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.core.dependencies import Dependency
from harness.core.findings import Blocked, NonConformity
from harness.core.official import official_section, write_official_csv
from harness.core.requirements import Profile
from harness.core.verdicts import (
    ATTESTATION,
    BLOCKED,
    ERROR,
    FAIL,
    NOT_COVERED,
    NOT_JUDGED,
    NOT_RUN,
    PASS,
    REQUIREMENT_ORDER,
    SKIP,
    UNREACHABLE,
    Overall,
    overall_verdict,
)
from harness.errors import SutUnreachable
from harness.paths import profiles_dir
from harness.sut.attended import OperatorNoAnswer
from harness.sut.http_trigger import TriggerApiError

__all__ = [
    "ATTESTATION",
    "BLOCKED",
    "ERROR",
    "FAIL",
    "NOT_COVERED",
    "NOT_JUDGED",
    "NOT_RUN",
    "PASS",
    "SKIP",
    "UNREACHABLE",
    "CoverageMatrix",
    "RequirementVerdict",
    "TestVerdict",
    "classify",
]

#: test-level verdicts, worst first (a teardown error after a pass makes the test an error)
ORDER = (FAIL, UNREACHABLE, ERROR, BLOCKED, SKIP, PASS)


def classify(excinfo: Any, skipped: bool) -> str:
    """Map a pytest outcome to a verdict of the firewall (see the module docstring)."""
    if skipped:
        return SKIP
    if excinfo is None:
        return PASS
    exc = excinfo.value
    if isinstance(exc, SutUnreachable):
        return UNREACHABLE
    if isinstance(exc, OperatorNoAnswer):
        return SKIP
    if isinstance(exc, Blocked):
        return BLOCKED
    if isinstance(exc, NonConformity):
        return FAIL
    if isinstance(exc, TriggerApiError) and exc.refused:
        return FAIL  # the DUI refused or failed the operation the scenario requires: what it did
    return ERROR  # a harness fault, a broken trigger API contract or a bare assertion: never the DUI's


@dataclass
class TestVerdict:
    """The outcome of one planned test, and which of its requirements that outcome speaks for.

    It starts *not-run*: only an observed outcome changes it. A
    :class:`~harness.core.findings.NonConformity` names the requirements its findings break:
    the test fails those, and says nothing about its other requirements.
    """

    nodeid: str
    requirements: tuple[str, ...]
    verdict: str = NOT_RUN
    message: str = ""
    blamed: tuple[str, ...] | None = None
    #: one line saying why (the non-conformity's title, the error's first line, why it did not run)
    reason: str = ""
    #: the findings of the non-conformity (``Finding.as_dict()``), for the evidence bundle
    findings: list[dict[str, Any]] = field(default_factory=list)
    #: ids of the recorded exchanges attached to this test as evidence
    exchanges: list[str] = field(default_factory=list)
    #: requirement ids named by :class:`~harness.core.findings.Blocked`
    blocking: tuple[str, ...] = ()
    #: an outcome of this test was observed (it ran); False for a planned test that never ran
    executed: bool = False

    @property
    def ran(self) -> bool:
        return self.executed

    def record(
        self,
        verdict: str,
        message: str,
        blamed: tuple[str, ...] | None = None,
        *,
        reason: str = "",
        findings: list[dict[str, Any]] | None = None,
        blocking: tuple[str, ...] = (),
    ) -> None:
        """An observed outcome of one phase; the worst one stays."""
        if not self.executed or ORDER.index(verdict) < ORDER.index(self.verdict):
            self.executed = True
            self.verdict = verdict
            self.message = message
            self.blamed = blamed
            self.reason = reason
            self.findings = list(findings or [])
            self.blocking = blocking

    def not_run(self, reason: str, verdict: str = NOT_RUN) -> None:
        """Say why this planned test has no outcome (``verdict``: unreachable when the run stopped on it)."""
        self.verdict, self.reason = verdict, reason

    def verdict_for(self, requirement: str) -> str | None:
        """This test's verdict on ``requirement``; None when its outcome says nothing of it."""
        if self.verdict == FAIL and self.blamed and requirement not in self.blamed:
            return None
        return self.verdict


@dataclass
class RequirementVerdict:
    id: str
    title_fr: str
    service: str
    level: str
    verification: str
    verdict: str
    tests: list[dict[str, Any]] = field(default_factory=list)
    applicability: str = "all"
    #: why the verdict is not a plain pass/fail: not judged, blocked (by whom)
    reason: str = ""
    #: the requirements whose failure blocked this one
    blocked_by: list[str] = field(default_factory=list)
    #: official Ségur ids of the requirement (catalog column official_ids)
    official: list[str] = field(default_factory=list)


def _not_judged_reason(tests: list[TestVerdict]) -> str:
    missing = [t for t in tests if not t.ran]
    why = Counter(t.reason or "not run" for t in missing)
    causes = "; ".join(f"{n} {reason}" if len(why) > 1 else reason for reason, n in why.items())
    return (
        f"{len(missing)} test(s) sur {len(tests)} non exécuté(s) / {len(missing)} of {len(tests)} "
        f"tests not run: {causes}"
    )


def _requirement_verdict(req_id: str, tests: list[TestVerdict]) -> tuple[str, str, list[str]]:
    """``(verdict, reason, blocked_by)`` of one requirement from its tests."""
    said = [(t, t.verdict_for(req_id)) for t in tests]
    spoken = [(t, v) for t, v in said if v is not None]
    if not spoken:  # every test stopped on another requirement's non-conformity
        blockers = list(dict.fromkeys(r for t in tests for r in (t.blamed or ())))
        return BLOCKED, f"bloqué par / blocked by {', '.join(blockers)} (same test)", blockers
    verdicts = [NOT_JUDGED if v == NOT_RUN else v for _, v in spoken]
    verdict = min(verdicts, key=REQUIREMENT_ORDER.index)
    if verdict == NOT_JUDGED:
        return verdict, _not_judged_reason(tests), []
    if verdict == BLOCKED:
        blockers = list(dict.fromkeys(r for t, v in spoken if v == BLOCKED for r in t.blocking))
        first = next(t.reason for t, v in spoken if v == BLOCKED)
        return verdict, first, blockers
    reason = next((t.reason for t, v in spoken if v == verdict and t.reason), "") if verdict != PASS else ""
    return verdict, reason, []


class CoverageMatrix:
    """Requirement → tests → verdict, for every requirement of the profile.

    ``dependencies`` (``profiles/catalog/dependencies.csv``) attribute failures to their root
    cause: a requirement that fails while a requirement it depends on fails too is *blocked*
    by that one, named.
    """

    def __init__(
        self,
        profile: Profile,
        verdicts: Iterable[TestVerdict],
        dependencies: Iterable[Dependency] = (),
        partial_reasons: Iterable[str] = (),
    ) -> None:
        self.profile = profile
        self.partial_reasons = list(partial_reasons)
        #: attestations and demonstrations the editor declared (official id → kind, statement, files)
        self.declared: dict[str, dict[str, Any]] = {}
        #: the official section last computed, with the verdicts and declarations it was computed from
        self._official: tuple[Any, dict[str, Any]] | None = None
        by_req: dict[str, list[TestVerdict]] = {}
        for tv in verdicts:
            for req_id in tv.requirements:
                by_req.setdefault(req_id, []).append(tv)
        self.rows: list[RequirementVerdict] = []
        for req in profile.requirements:
            tests = by_req.get(req.id, [])
            reason, blocked_by = "", list[str]()
            if tests:
                verdict, reason, blocked_by = _requirement_verdict(req.id, tests)
            else:
                verdict = ATTESTATION if req.is_attestation else NOT_COVERED
            self.rows.append(
                RequirementVerdict(
                    id=req.id,
                    title_fr=req.title_fr,
                    service=req.service,
                    level=req.level,
                    verification=req.verification,
                    verdict=verdict,
                    applicability=req.applicability,
                    reason=reason,
                    blocked_by=blocked_by,
                    official=list(req.official),
                    tests=[
                        {
                            "test": t.nodeid,
                            "verdict": t.verdict_for(req.id) or "no-verdict",
                            "message": t.message[:2000],
                            "reason": t.reason[:500],
                            "findings": [f for f in t.findings if f.get("requirement") in ("", req.id)],
                            "blocked_by": list(t.blocking),
                            "exchanges": list(dict.fromkeys(t.exchanges)),
                        }
                        for t in tests
                    ],
                )
            )
        self._attribute(list(dependencies))
        self._follow_roots()

    def _attribute(self, dependencies: list[Dependency]) -> None:
        """Failures explained by a failed requirement they depend on become *blocked* by it."""
        failed = {r.id for r in self.rows if r.verdict == FAIL}  # as observed, before attribution
        for row in self.rows:
            if row.verdict != FAIL:
                continue
            causes = [d for d in dependencies if d.applies_to(row.id, row.service) and d.blocked_by in failed]
            if not causes:
                continue
            row.verdict = BLOCKED
            row.blocked_by = list(dict.fromkeys(d.blocked_by for d in causes))
            row.reason = (
                f"bloqué par / blocked by {', '.join(row.blocked_by)}: {causes[0].reason} "
                f"(observé / observed: {row.reason})"
            )
            for test in row.tests:
                if test["verdict"] == FAIL:
                    test["verdict"] = BLOCKED
                    test["blocked_by"] = list(row.blocked_by)

    def _follow_roots(self) -> None:
        """A blocker that is itself blocked names its own blockers too: ``blocked_by`` ends with the root causes."""
        rows = {r.id: r for r in self.rows}
        for row in self.rows:
            if row.verdict != BLOCKED:
                continue
            seen = list(row.blocked_by)
            for blocker in seen:  # grows while walking: a bounded walk over the profile's ids
                upstream = rows.get(blocker)
                if upstream is not None and upstream.verdict == BLOCKED:
                    seen += [b for b in upstream.blocked_by if b not in seen and b != row.id]
            row.blocked_by = seen

    @property
    def overall(self) -> Overall:
        return overall_verdict(
            ({"id": r.id, "level": r.level, "verdict": r.verdict} for r in self.rows), self.partial_reasons
        )

    def uncovered_must(self) -> list[RequirementVerdict]:
        return [r for r in self.rows if r.level == "MUST" and r.verdict == NOT_COVERED]

    def failed(self) -> list[RequirementVerdict]:
        return [r for r in self.rows if r.verdict == FAIL]

    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for row in self.rows:
            counts[row.verdict] = counts.get(row.verdict, 0) + 1
        return counts

    def as_dict(self) -> dict[str, Any]:
        return {
            "profile": {
                "name": self.profile.name,
                "version": self.profile.version,
                "title": self.profile.title,
                "sha256": self.profile.sha256,
            },
            "overall": self.overall.as_dict(),
            "partial": bool(self.partial_reasons),
            "partial_reasons": self.partial_reasons,
            "counts": self.counts(),
            "uncovered_must": [r.id for r in self.uncovered_must()],
            "requirements": [r.__dict__ for r in self.rows],
            **self.official(),
        }

    def official(self) -> dict[str, Any]:
        """The official Ségur requirements of the account, each with the verdict its project requirements give.

        Computed again only when a verdict or a declaration changed (the matrix, the CSV files and the summaries
        of a run all show it)."""
        key = (tuple((r.id, r.verdict) for r in self.rows), json.dumps(self.declared, sort_keys=True, default=str))
        if self._official is None or self._official[0] != key:
            verdicts = {r.id: r.verdict for r in self.rows}
            self._official = (key, official_section(verdicts, profiles_dir(), self.declared))
        return self._official[1]

    def write(self, directory: Path) -> tuple[Path, Path]:
        directory.mkdir(parents=True, exist_ok=True)
        json_path = directory / "coverage-matrix.json"
        json_path.write_text(json.dumps(self.as_dict(), indent=2, ensure_ascii=False), encoding="utf-8")
        csv_path = directory / "coverage-matrix.csv"
        overall = self.overall
        with csv_path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            # the run's overall verdict and completeness on every row, for a reader of the CSV alone
            writer.writerow(
                [
                    "requirement",
                    "level",
                    "service",
                    "verification",
                    "verdict",
                    "blocked_by",
                    "reason",
                    "tests",
                    "title_fr",
                    "run_overall",
                    "run_partial",
                    "official_ids",
                ]
            )
            for row in self.rows:
                writer.writerow(
                    [
                        row.id,
                        row.level,
                        row.service,
                        row.verification,
                        row.verdict,
                        " ".join(row.blocked_by),
                        row.reason,
                        " ".join(f"{t['test']}={t['verdict']}" for t in row.tests),
                        row.title_fr,
                        overall.verdict,
                        "partial" if overall.partial else "complete",
                        " ".join(row.official),
                    ]
                )
        write_official_csv(directory / "official-coverage.csv", self.official())
        return json_path, csv_path
