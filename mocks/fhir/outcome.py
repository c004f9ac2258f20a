"""OperationOutcome answers of the FHIR simulators, and the error that carries one."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from harness.core.findings import Finding, Severity

__all__ = ["FHIR_JSON", "FhirError", "operation_outcome"]

FHIR_JSON = "application/fhir+json; charset=utf-8"


def operation_outcome(issues: Iterable[tuple[str, str, str, str]]) -> dict[str, Any]:
    """An OperationOutcome from ``(severity, code, diagnostics, expression)`` tuples."""
    out = []
    for severity, code, diagnostics, expression in issues:
        issue: dict[str, Any] = {"severity": severity, "code": code, "diagnostics": diagnostics}
        if expression:
            issue["expression"] = [expression]
        out.append(issue)
    return {"resourceType": "OperationOutcome", "issue": out}


class FhirError(Exception):
    """An interaction refused: the HTTP status and the OperationOutcome issues explaining it.

    Args:
        status: the HTTP status (400, 404, 405, 406, 409, 412, 413, 415, 422, 500, 503).
        code: the issue code (``invalid``, ``structure``, ``not-found``, ``not-supported``…).
        diagnostics: a sentence a developer can act on.
        expression: where (FHIRPath-like), when known.
        findings: the requirement findings behind a profile refusal (one issue each).
    """

    def __init__(
        self, status: int, code: str, diagnostics: str, expression: str = "", findings: Iterable[Finding] = ()
    ) -> None:
        super().__init__(diagnostics)
        self.status = status
        self.code = code
        self.diagnostics = diagnostics
        self.expression = expression
        self.findings = list(findings)

    def outcome(self) -> dict[str, Any]:
        issues = [("error" if self.status < 500 else "fatal", self.code, self.diagnostics, self.expression)]
        for f in self.findings:
            severity = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "information"}[f.severity]
            code = "business-rule" if f.rule.startswith(("tddui.", "epresc.")) else "invalid"
            issues.append((severity, code, f"[{f.requirement}] {f.rule}: {f.message}", f.location))
        return operation_outcome(issues)
