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

__all__ = ["Layer", "ValidateOptions", "ValidationResult", "Validator"]


@dataclass(frozen=True)
class ValidateOptions:
    """Options of ``dui-harness validate`` that a validator may use.

    Attributes:
        oid: assigning authority OID for INS values that do not carry one (``--oid``).
        cda_pack: the CI-SIS artefact pack folder (``--cda-pack``; None: ``DUI_HARNESS_CDA_PACK``).
        model_version: CDA content-model version(s) to judge with (``--model-version``:
            ``2022.01`` or ``STEM=VERSION``, e.g. ``DLU-EHPAD-DLU=2022.01``).
        schematron_engine: how official schematrons are compiled (``--schematron-engine``:
            ``harness`` or ``ans``, the pack's ``schematrons/moteur/`` pipeline).
    """

    oid: str | None = None
    cda_pack: str | None = None
    model_version: tuple[str, ...] = ()
    schematron_engine: str | None = None


@dataclass(frozen=True)
class Layer:
    """One layer of a validation (embedded rules, a schema, one schematron) and whether it judged.

    Attributes:
        name: what the layer is (``embedded rules``, ``CDA_extended.xsd``, a schematron file).
        ran: True when the layer judged the input.
        reason: why it did not run (``no pack given``, ``file X missing from the pack``).
        findings: how many findings it produced.
        notes: what the reader must know about how it ran (``X derived from Y``, version chosen).
    """

    name: str
    ran: bool
    reason: str = ""
    findings: int = 0
    notes: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "ran": self.ran,
            "reason": self.reason,
            "findings": self.findings,
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class ValidationResult:
    """The verdict of one validator on one input.

    Attributes:
        file: the input as the user gave it (a path or a value).
        kind: the validator kind (``ins``...).
        findings: everything the validator found, in document order.
        checked: how many items (INS values...) were examined.
        layers: the layers of the validation and whether each judged (kinds that have layers,
            ``cda``); a layer not run makes the judgement partial.
    """

    file: str
    kind: str
    findings: tuple[Finding, ...] = ()
    checked: int = 0
    layers: tuple[Layer, ...] = ()

    @property
    def partial(self) -> bool:
        """True when some layer of the validation did not run (the verdict covers less)."""
        return any(not layer.ran for layer in self.layers)

    @property
    def valid(self) -> bool:
        """True when no finding has severity ERROR (warnings and infos do not count)."""
        return not self.count(Severity.ERROR)

    def count(self, severity: Severity) -> int:
        """Number of findings of ``severity``."""
        return sum(1 for f in self.findings if f.severity is severity)

    def as_dict(self) -> dict[str, Any]:
        """The JSON form printed by ``validate --json`` (these keys; ``layers`` and ``partial``
        only for kinds that have layers)."""
        data: dict[str, Any] = {
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
        if self.layers:
            data["partial"] = self.partial
            data["layers"] = [layer.as_dict() for layer in self.layers]
        return data


#: a validator kind: one input (value or path) and the options -> its results
Validator = Callable[[str, ValidateOptions], list[ValidationResult]]
