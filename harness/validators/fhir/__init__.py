"""FHIR R4 validation: safe JSON, structure (``fhir.resources`` R4B models), FR profile rules.

One entry point, :func:`validate_fhir`, shared by the simulators and ``dui-harness validate
fhir``. It reads the bytes safely (:mod:`~.jsonio`), checks the structure against FHIR R4
(:mod:`~.structure`) and applies the rules of the French profiles the DUI exchanges use:

* FR Core PatientINS and the TDDUI profiles of flux 1 (:mod:`~.patient`, :mod:`~.tddui`,
  :mod:`~.tddui_cda` for the EXPORT_DUI CDA carried in the DocumentReference);
* the e-prescription MedicationAdministration (:mod:`~.epresc`, modelled on assumptions);
* the CNSA orientation-decision profiles (:mod:`~.sdo`), for a resource claiming one in ``meta.profile``.

**FHIR version.** The French profiles are R4 (4.0.1). ``fhir.resources`` 8.x models R5 by
default and ships R4B (4.3.0) and STU3 — no R4. dui-harness checks structure with the R4B
models and handles the R4/R4B gap explicitly (resource types that exist in only one of the
two, the types whose elements changed, the ``Extension.value[x]`` choices): see
:mod:`~.structure`, where each gap is listed, and ``tests/validators/fhir/test_r4_gap.py``,
which recomputes it from the R4 models of ``fhirclient``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.core.findings import Finding, Severity
from harness.core.rules import rule
from harness.validators.cda.pack import CdaPack
from harness.validators.fhir.epresc import check_administration
from harness.validators.fhir.jsonio import FhirInputError, parse_fhir_json
from harness.validators.fhir.patient import check_patient
from harness.validators.fhir.sdo import check_sdo, sdo_profile
from harness.validators.fhir.structure import check_structure
from harness.validators.fhir.tddui import STRUCT, check_base_codes, check_tddui_bundle

__all__ = ["FhirInputError", "FhirReport", "parse_fhir_json", "validate_fhir"]


@dataclass
class FhirReport:
    """The outcome of validating one FHIR JSON body: what it is and the findings."""

    resource_type: str = ""
    kind: str = ""
    findings: list[Finding] = field(default_factory=list)
    resource: Any = None

    @property
    def ok(self) -> bool:
        return not any(f.severity is Severity.ERROR for f in self.findings)


@rule("fhir.json", requirement="EPARCOURS-FHIR-01", summary="FHIR JSON readable within limits")
def validate_fhir(data: bytes | dict[str, Any], *, cda_pack: Path | CdaPack | None = None) -> FhirReport:
    """Validate one FHIR JSON resource, choosing the rules from what it is.

    A Bundle of type transaction or batch is judged as a TDDUI flux 1 body; a Patient by FR
    Core PatientINS; a MedicationAdministration by the e-prescription rules; any other R4
    resource by its structure only.

    Args:
        data: the raw bytes (parsed safely) or an already decoded resource.
        cda_pack: CI-SIS artefact pack for the CDA carried in a DocumentReference.
    """
    if isinstance(data, (bytes, bytearray)):
        try:
            resource = parse_fhir_json(bytes(data))
        except FhirInputError as exc:
            return FhirReport(
                kind="unreadable",
                findings=[Finding(f"fhir.json.{exc.code}", STRUCT, exc.message, location=exc.location or "$")],
            )
    else:
        resource = data
    kind = resource.get("resourceType") if isinstance(resource, dict) else None
    report = FhirReport(resource_type=str(kind or ""), resource=resource)
    if isinstance(resource, dict) and sdo_profile(resource):  # CNSA orientation decisions (SI-SdO ⇄ SI-ESMS)
        sdo_kind, report.findings = check_sdo(resource)
        report.kind = f"sdo-{sdo_kind}"
    elif kind == "Bundle" and resource.get("type") in ("transaction", "batch"):
        report.kind = "tddui-flux1"
        report.findings = check_tddui_bundle(resource, cda_pack=cda_pack).findings
    elif kind == "Patient":
        report.kind = "fr-core-patient"
        report.findings = check_structure(resource, requirement=STRUCT) + check_base_codes(resource, "Patient", STRUCT)
        report.findings += check_patient(resource)
    elif kind == "MedicationAdministration":
        report.kind = "epresc-administration"
        report.findings = check_administration(resource)
    else:
        report.kind = "structure"
        report.findings = check_structure(resource, requirement=STRUCT)
        if isinstance(resource, dict):
            report.findings += check_base_codes(resource, str(kind), STRUCT)
    return report
