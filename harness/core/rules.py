"""The rule registry: each check is registered once, with the requirement its findings prove broken.

A rule id names a family of findings: ``insi.ctxlps`` covers ``insi.ctxlps.missing``,
``insi.ctxlps.idam.r``… (the finding's ``rule`` is the rule id or starts with ``<id>.``). The
check function that judges it is registered with :func:`rule`::

    @rule("insi.ctxlps", requirement="INS-INSI-02", summary="ContexteLPS present and complete")
    def check_ctxlps(check, ctx): ...

:func:`rule_of` finds the registered rule of a finding; :func:`disagreements` lists findings whose
requirement is not their rule's (a test runs it over the validators' corpus); ``dui-harness
rules`` lists the registry. Validator modules register their rules when imported
(:data:`harness.validators.RULE_MODULES`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

from harness.core.findings import Finding

__all__ = ["Rule", "all_rules", "disagreements", "register", "rule", "rule_of"]

F = TypeVar("F", bound=Callable[..., object])


@dataclass(frozen=True)
class Rule:
    """A registered check: its id (a family of finding ids), its requirement, what it checks, where."""

    id: str
    requirement: str
    summary: str
    check: str
    #: other requirements a caller may give a shared check's findings (e.g. FHIR structure: e-parcours or
    #: e-prescription), beside its main ``requirement``
    also: tuple[str, ...] = ()
    #: the module of the check function (default: ``check`` up to its last dot)
    module: str = ""

    def __post_init__(self) -> None:
        if not self.module:
            object.__setattr__(self, "module", self.check.rpartition(".")[0])

    @property
    def requirements(self) -> tuple[str, ...]:
        return (self.requirement, *self.also)

    @property
    def family(self) -> str:
        """The first part of the id (``xds``, ``mss``, ``fhir``…)."""
        return self.id.split(".", 1)[0]

    def covers(self, finding_rule: str) -> bool:
        return finding_rule == self.id or finding_rule.startswith(self.id + ".")

    def as_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "requirement": self.requirement,
            "also": list(self.also),
            "family": self.family,
            "summary": self.summary,
            "check": self.check,
            "module": self.module,
        }


_lock = threading.Lock()
_rules: dict[str, Rule] = {}


def register(
    rule_id: str, requirement: str, summary: str, check: str, also: tuple[str, ...] = (), module: str = ""
) -> Rule:
    """Register ``rule_id`` once; registering it again with another requirement is an error."""
    new = Rule(rule_id, requirement, summary, check, tuple(also), module)
    with _lock:
        known = _rules.get(rule_id)
        if known is not None and (known.requirements, known.check) != (new.requirements, check):
            raise ValueError(f"rule {rule_id} is already registered ({known.requirement}, {known.check})")
        _rules[rule_id] = new
    return new


def rule(rule_id: str, *, requirement: str, summary: str = "", also: tuple[str, ...] = ()) -> Callable[[F], F]:
    """Decorator: ``func`` is the check judging ``rule_id`` for ``requirement`` (summary: its docstring's
    first line by default; ``also``: the other requirements its callers may give its findings)."""

    def decorate(func: F) -> F:
        doc = (func.__doc__ or "").strip().splitlines()
        register(
            rule_id,
            requirement,
            summary or (doc[0] if doc else ""),
            f"{func.__module__}.{getattr(func, '__qualname__', repr(func))}",
            also,
            func.__module__,
        )
        return func

    return decorate


def all_rules() -> list[Rule]:
    """Every registered rule, by id."""
    with _lock:
        return sorted(_rules.values(), key=lambda r: r.id)


def rule_of(finding_rule: str) -> Rule | None:
    """The registered rule covering ``finding_rule`` (the longest id that does), or None."""
    covering = [r for r in all_rules() if r.covers(finding_rule)]
    return max(covering, key=lambda r: len(r.id)) if covering else None


def disagreements(findings: Iterable[Finding], prefix: str = "") -> list[str]:
    """Findings (of rules starting with ``prefix``) without a registered rule, or whose requirement is not
    their rule's: one line each."""
    out = []
    for finding in findings:
        if not finding.rule.startswith(prefix):
            continue
        registered = rule_of(finding.rule)
        if registered is None:
            out.append(f"{finding.rule}: no registered rule")
        elif finding.requirement not in registered.requirements:
            out.append(
                f"{finding.rule}: requirement {finding.requirement}, registered {registered.requirement} "
                f"({registered.id})"
            )
    return out
