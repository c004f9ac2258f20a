"""Verdict names and the overall verdict of a run, shared by the plugin, the evidence and the CLI.

A requirement ends with one verdict (README, "Verdicts"). The DUI ends with one overall
verdict, computed from the requirement verdicts of the profile and the run's completeness:

* ``non-conforme`` — at least one MUST requirement *fail* (a non-conformity was observed), even in a
  partial run (it is then said partial too);
* ``partiel`` — nothing failed, but the run did not judge everything it had to: a planned test
  did not run (deselected, interrupted, stopped), or a MUST requirement is not *pass* (not
  judged, skipped for a missing input, blocked, unreachable, harness error, not covered);
* ``conforme`` — every MUST requirement of the profile passed (attestations aside) and every
  planned test ran.

A SHOULD or MAY requirement that fails (an official *Préconisée* not followed) never makes the DUI
*non-conforme* nor *partiel*: the overall verdict names it apart, as a recommendation not followed
(``not_followed``), because the referencing funds on the mandatory requirements only.

The overall verdict says nothing about the evidence bundle's integrity (``verify`` says that
separately).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "ATTESTATION",
    "BLOCKED",
    "CONFORME",
    "ERROR",
    "FAIL",
    "NON_CONFORME",
    "NOT_COVERED",
    "NOT_JUDGED",
    "NOT_RUN",
    "PARTIEL",
    "PASS",
    "REQUIREMENT_ORDER",
    "SKIP",
    "UNREACHABLE",
    "Overall",
    "overall_verdict",
]

PASS, FAIL, ERROR, UNREACHABLE, SKIP, BLOCKED = "pass", "fail", "error", "unreachable", "skip", "blocked"
#: a planned test that did not run (test level); its requirement is then *not-judged*
NOT_RUN = "not-run"
NOT_JUDGED, NOT_COVERED, ATTESTATION = "not-judged", "not-covered", "attestation"
#: requirement verdicts from tests, worst first: an observed failure wins over what was not observed
REQUIREMENT_ORDER = (FAIL, UNREACHABLE, ERROR, BLOCKED, NOT_JUDGED, SKIP, PASS)

CONFORME, NON_CONFORME, PARTIEL = "conforme", "non-conforme", "partiel"
_LABELS = {
    CONFORME: "CONFORME / CONFORMANT",
    NON_CONFORME: "NON CONFORME / NOT CONFORMANT",
    PARTIEL: "PARTIEL / PARTIAL",
}


@dataclass(frozen=True)
class Overall:
    """The DUI's overall verdict on a profile, and why."""

    verdict: str
    #: MUST requirements that failed
    failed: tuple[str, ...] = ()
    #: MUST requirements not judged (any verdict but pass, fail, attestation)
    not_judged: tuple[str, ...] = ()
    #: why the run itself is partial (tests not run), empty for a complete run
    partial_reasons: tuple[str, ...] = ()
    #: SHOULD / MAY requirements that failed: recommendations not followed (never a non-conformity)
    not_followed: tuple[str, ...] = ()

    @property
    def partial(self) -> bool:
        return bool(self.partial_reasons)

    def label(self) -> str:
        """One line, French first: ``PARTIEL / PARTIAL (non jugées / not judged: A, B)``."""
        text = _LABELS[self.verdict]
        details = []
        if self.verdict == NON_CONFORME:
            details.append(f"en échec / failed: {_ids(self.failed)}")
        if self.not_judged:
            details.append(f"non jugées / not judged: {_ids(self.not_judged)}")
        if self.partial_reasons:
            details.append("exécution partielle / partial run: " + "; ".join(self.partial_reasons))
        if self.not_followed:
            details.append(f"recommandations non suivies / recommendations not followed: {_ids(self.not_followed)}")
        return f"{text} ({' — '.join(details)})" if details else text

    def as_dict(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict,
            "label": self.label(),
            "partial": self.partial,
            "failed": list(self.failed),
            "not_judged": list(self.not_judged),
            "partial_reasons": list(self.partial_reasons),
            "not_followed": list(self.not_followed),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Overall:
        return cls(
            str(data.get("verdict", PARTIEL)),
            tuple(data.get("failed") or ()),
            tuple(data.get("not_judged") or ()),
            tuple(data.get("partial_reasons") or ()),
            tuple(data.get("not_followed") or ()),
        )


def _ids(ids: tuple[str, ...], shown: int = 12) -> str:
    return ", ".join(ids[:shown]) + (f" … (+{len(ids) - shown})" if len(ids) > shown else "")


def overall_verdict(rows: Iterable[Mapping[str, Any]], partial_reasons: Iterable[str] = ()) -> Overall:
    """The overall verdict of requirement rows (``id``, ``level``, ``verdict``) and the run's partiality."""
    items = list(rows)
    failed = tuple(str(r.get("id")) for r in items if r.get("verdict") == FAIL and r.get("level", "MUST") == "MUST")
    not_followed = tuple(
        str(r.get("id")) for r in items if r.get("verdict") == FAIL and r.get("level", "MUST") != "MUST"
    )
    not_judged = tuple(
        str(r.get("id"))
        for r in items
        if r.get("level") == "MUST" and r.get("verdict") not in (PASS, FAIL, ATTESTATION)
    )
    reasons = tuple(partial_reasons)
    if failed:
        verdict = NON_CONFORME
    elif not_judged or reasons or not items:
        verdict = PARTIEL
    else:
        verdict = CONFORME
    return Overall(verdict, failed, not_judged, reasons, not_followed)
