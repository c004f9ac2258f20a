"""Findings: what a check says about one requirement, at one place, with its evidence.

A finding of severity ERROR is a non-conformity of the DUI. Raised, it is an
``AssertionError`` so that pytest reports the test as *failed* (never *broken*).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Blocked", "Finding", "NonConformity", "Severity", "raise_for_findings"]


class Severity(enum.StrEnum):
    """How serious a finding is. Only ERROR makes a requirement fail."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True)
class Finding:
    """One fact a check established about what the DUI sent or stored.

    Attributes:
        rule: the id of the check that produced it (stable, e.g. ``insi.ctxlps.present``).
        requirement: the requirement id of a profile it proves broken (e.g. ``EXI SI 08``).
        message: what is wrong, in words a developer can act on.
        severity: ERROR makes the requirement fail; WARNING and INFO are reported only.
        location: where: an XPath, an HTTP header, a JSON pointer, a field name.
        evidence: references to recorded exchanges (their ids) or documents.
    """

    rule: str
    requirement: str
    message: str
    severity: Severity = Severity.ERROR
    location: str = ""
    evidence: tuple[str, ...] = field(default_factory=tuple)

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "requirement": self.requirement,
            "severity": self.severity.value,
            "location": self.location,
            "message": self.message,
            "evidence": list(self.evidence),
        }

    def __str__(self) -> str:
        where = f" at {self.location}" if self.location else ""
        requirement = f"[{self.requirement}] " if self.requirement else ""
        return f"{requirement}{self.rule}{where}: {self.message}"


class NonConformity(AssertionError):
    """The DUI broke one or more requirements. Carries the findings that prove it.

    Prints as ``title`` then a blank line then one line per finding, so that the
    pytest summary and the Allure "status details" read the same.
    """

    def __init__(self, title: str, findings: Sequence[Finding]) -> None:
        self.title = title
        self.findings = tuple(findings)
        super().__init__(self._render())

    @property
    def requirements(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(f.requirement for f in self.findings))

    def _render(self) -> str:
        lines = [f"[NON-CONFORMITE / NON-CONFORMITY] {self.title}", ""]
        lines += [f"- {finding}" for finding in self.findings]
        return "\n".join(lines)


class Blocked(Exception):
    """A check could not be made because an earlier requirement already failed.

    Example: INSi refused a request without ContexteLPS, so whether the DUI stores the INS
    it would have returned cannot be judged. Reported as *blocked* (never pass, never a
    second failure), naming the requirements that blocked it.
    """

    def __init__(self, message: str, blocking: tuple[str, ...]) -> None:
        self.blocking = blocking
        super().__init__(f"[BLOQUÉ / BLOCKED by {', '.join(blocking)}] {message}")


def raise_for_findings(title: str, findings: Iterable[Finding], *, requirement: str | None = None) -> None:
    """Raise :class:`NonConformity` when an ERROR finding is present.

    Args:
        title: one line saying which behaviour was checked.
        findings: what the checks found.
        requirement: only consider findings about this requirement id.
    """
    errors = [
        f for f in findings if f.severity is Severity.ERROR and (requirement is None or f.requirement == requirement)
    ]
    if errors:
        raise NonConformity(title, errors)
