"""Verdicts: classify each test outcome, and compute the requirement coverage matrix.

The firewall (after Inferno): *fail* is a non-conformity of the DUI (an AssertionError,
e.g. :class:`harness.core.findings.NonConformity`); *unreachable* is a DUI that did not
answer; *error* is the harness or a validator breaking, never counted against the DUI;
*blocked* is a check that an earlier failure made impossible; *skip* is a missing
precondition or input; *omit* is outside the selected profile.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.core.findings import Blocked
from harness.core.official import official_section, write_official_csv
from harness.core.requirements import Profile
from harness.errors import SutUnreachable
from harness.paths import profiles_dir
from harness.sut.attended import OperatorNoAnswer

__all__ = ["CoverageMatrix", "RequirementVerdict", "TestVerdict", "classify"]

PASS, FAIL, ERROR, UNREACHABLE, SKIP, BLOCKED = "pass", "fail", "error", "unreachable", "skip", "blocked"
#: requirement-level verdicts, worst first
ORDER = (FAIL, UNREACHABLE, ERROR, BLOCKED, SKIP, PASS)
NOT_COVERED, ATTESTATION, INCONCLUSIVE = "not-covered", "attestation", "inconclusive"


def classify(excinfo: Any, skipped: bool) -> str:
    """Map a pytest outcome to a verdict of the firewall."""
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
    if isinstance(exc, AssertionError):
        return FAIL
    return ERROR


@dataclass
class TestVerdict:
    """The outcome of one test, and which of its requirements that outcome speaks for.

    A :class:`~harness.core.findings.NonConformity` names the requirements its findings
    break: the test fails those, and says nothing about its other requirements.
    """

    nodeid: str
    requirements: tuple[str, ...]
    verdict: str = PASS
    message: str = ""
    blamed: tuple[str, ...] | None = None
    #: one line saying why (the non-conformity's title, the error's first line)
    reason: str = ""
    #: the findings of the non-conformity (``Finding.as_dict()``), for the evidence bundle
    findings: list[dict[str, Any]] = field(default_factory=list)
    #: ids of the recorded exchanges attached to this test as evidence
    exchanges: list[str] = field(default_factory=list)

    def worsen(self, verdict: str, message: str, blamed: tuple[str, ...] | None = None, *,
               reason: str = "", findings: list[dict[str, Any]] | None = None) -> None:
        if ORDER.index(verdict) < ORDER.index(self.verdict):
            self.verdict = verdict
            self.message = message
            self.blamed = blamed
            self.reason = reason
            self.findings = list(findings or [])

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
    #: official Ségur ids of the requirement (catalog column official_ids)
    official: list[str] = field(default_factory=list)


class CoverageMatrix:
    """Requirement → tests → verdict, for every requirement of the profile."""

    def __init__(self, profile: Profile, verdicts: Iterable[TestVerdict]) -> None:
        self.profile = profile
        #: attestations and demonstrations the editor declared (official id → kind, statement, files)
        self.declared: dict[str, dict[str, Any]] = {}
        by_req: dict[str, list[TestVerdict]] = {}
        for tv in verdicts:
            for req_id in tv.requirements:
                by_req.setdefault(req_id, []).append(tv)
        self.rows: list[RequirementVerdict] = []
        for req in profile.requirements:
            tests = by_req.get(req.id, [])
            if tests:
                said = [v for v in (t.verdict_for(req.id) for t in tests) if v is not None]
                verdict = min(said, key=ORDER.index) if said else INCONCLUSIVE
            else:
                verdict = ATTESTATION if req.is_attestation else NOT_COVERED
            self.rows.append(RequirementVerdict(
                id=req.id, title_fr=req.title_fr, service=req.service, level=req.level,
                verification=req.verification, verdict=verdict, applicability=req.applicability,
                official=list(req.official),
                tests=[{"test": t.nodeid, "verdict": t.verdict_for(req.id) or "no-verdict",
                        "message": t.message[:2000], "reason": t.reason[:500],
                        "findings": [f for f in t.findings if f.get("requirement") in ("", req.id)],
                        "exchanges": list(dict.fromkeys(t.exchanges))} for t in tests],
            ))

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
            "profile": {"name": self.profile.name, "version": self.profile.version,
                        "title": self.profile.title, "sha256": self.profile.sha256},
            "counts": self.counts(),
            "uncovered_must": [r.id for r in self.uncovered_must()],
            "requirements": [r.__dict__ for r in self.rows],
            **self.official(),
        }

    def official(self) -> dict[str, Any]:
        """The official Ségur requirements of the account, each with the verdict its project requirements give."""
        return official_section({r.id: r.verdict for r in self.rows}, profiles_dir(), self.declared)

    def write(self, directory: Path) -> tuple[Path, Path]:
        directory.mkdir(parents=True, exist_ok=True)
        json_path = directory / "coverage-matrix.json"
        json_path.write_text(json.dumps(self.as_dict(), indent=2, ensure_ascii=False), encoding="utf-8")
        csv_path = directory / "coverage-matrix.csv"
        with csv_path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["requirement", "level", "service", "verification", "verdict", "tests", "title_fr",
                             "official_ids"])
            for row in self.rows:
                writer.writerow([row.id, row.level, row.service, row.verification, row.verdict,
                                 " ".join(f"{t['test']}={t['verdict']}" for t in row.tests), row.title_fr,
                                 " ".join(row.official)])
        write_official_csv(directory / "official-coverage.csv", self.official())
        return json_path, csv_path
