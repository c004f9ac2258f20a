"""What a validator returns for one input: its findings and whether the input is valid.

Every kind of ``dui-harness validate`` (``ins`` today; ``cda``, ``xds``, ``mail``, ``fhir``
later) is a :data:`Validator`: a function of one input (a value or a file path) and the
command's options, returning :class:`ValidationResult` objects.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from harness.core.findings import Finding, Severity

__all__ = ["ValidateOptions", "ValidationResult", "Validator"]


@dataclass(frozen=True)
class ValidateOptions:
    """Options of ``dui-harness validate`` that a validator may use.

    Attributes:
        oid: assigning authority OID for INS values that do not carry one (``--oid``).
        cda_pack: the CI-SIS artefact pack folder (``--cda-pack``; None: ``DUI_HARNESS_CDA_PACK``).
    """

    oid: str | None = None
    cda_pack: str | None = None


@dataclass(frozen=True)
class ValidationResult:
    """The verdict of one validator on one input.

    Attributes:
        file: the input as the user gave it (a path or a value).
        kind: the validator kind (``ins``...).
        findings: everything the validator found, in document order.
        checked: how many items (INS values...) were examined.
    """

    file: str
    kind: str
    findings: tuple[Finding, ...] = ()
    checked: int = 0

    @property
    def valid(self) -> bool:
        """True when no finding has severity ERROR (warnings and infos do not count)."""
        return not self.count(Severity.ERROR)

    def count(self, severity: Severity) -> int:
        """Number of findings of ``severity``."""
        return sum(1 for f in self.findings if f.severity is severity)

    def as_dict(self) -> dict[str, Any]:
        """The JSON form printed by ``validate --json`` (exactly these keys)."""
        return {
            "file": self.file,
            "kind": self.kind,
            "valid": self.valid,
            "findings": [
                {
                    "rule": f.rule,
                    "requirement": f.requirement,
                    "severity": f.severity.value,
                    "location": f.location,
                    "message": f.message,
                }
                for f in self.findings
            ],
        }


#: a validator kind: one input (value or path) and the options -> its results
Validator = Callable[[str, ValidateOptions], list[ValidationResult]]
