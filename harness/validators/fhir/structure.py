"""Structure of FHIR R4 resources, checked with the ``fhir.resources`` R4B models.

``fhir.resources`` 8.x implements R5 by default and ships ``fhir.resources.R4B`` (4.3.0) and
``STU3``; it has **no R4 (4.0.1) package**. The French profiles (FR Core, TDDUI, PDSm) are
R4. R4B is R4 plus a limited set of changes, measured against the R4 models of
``fhirclient`` 4.x (``tests/validators/fhir/test_r4_gap.py`` recomputes it):

* resource types only in R4B (:data:`R4B_ONLY`): refused here, they do not exist in R4;
* resource types only in R4 (:data:`R4_ONLY`): accepted, reported with a WARNING that
  their structure is not checked (no model);
* types whose elements differ (:data:`R4B_DIFFERS`): checked against R4B, with a WARNING;
* the ``Extension.value[x]`` choice: R4B adds ``valueCodeableReference`` and
  ``valueRatioRange`` (refused here: not R4) and drops R4's ``valueMeta`` (accepted here:
  removed before the R4B check, with an INFO finding).

Every other type used by the DUI exchanges (Bundle, Patient, Encounter, DocumentReference,
QuestionnaireResponse, CarePlan, MedicationRequest, MedicationAdministration,
OperationOutcome…) is identical in R4 and R4B. Nested resources (``Bundle.entry.resource``,
``contained``) are checked one by one, so that each finding names its own path.
"""

from __future__ import annotations

from typing import Any

from harness.core.findings import Finding, Severity
from harness.core.rules import rule
from harness.errors import ValidatorError

__all__ = ["R4B_DIFFERS", "R4B_ONLY", "R4_ONLY", "check_structure", "is_r4_resource_type"]

R4B_ONLY = frozenset(
    {
        "AdministrableProductDefinition",
        "Citation",
        "ClinicalUseDefinition",
        "EvidenceReport",
        "Ingredient",
        "ManufacturedItemDefinition",
        "MedicinalProductDefinition",
        "NutritionProduct",
        "PackagedProductDefinition",
        "RegulatedAuthorization",
        "SubscriptionStatus",
        "SubscriptionTopic",
        "SubstanceDefinition",
    }
)
R4_ONLY = frozenset(
    {
        "EffectEvidenceSynthesis",
        "MedicinalProduct",
        "MedicinalProductAuthorization",
        "MedicinalProductContraindication",
        "MedicinalProductIndication",
        "MedicinalProductIngredient",
        "MedicinalProductInteraction",
        "MedicinalProductManufactured",
        "MedicinalProductPackaged",
        "MedicinalProductPharmaceutical",
        "MedicinalProductUndesirableEffect",
        "RiskEvidenceSynthesis",
        "SubstanceNucleicAcid",
        "SubstancePolymer",
        "SubstanceProtein",
        "SubstanceReferenceInformation",
        "SubstanceSourceMaterial",
        "SubstanceSpecification",
    }
)
#: R4 resource type -> the R4 elements R4B changed (checked against R4B, with a warning)
R4B_DIFFERS: dict[str, str] = {
    "ActivityDefinition": "R4B adds subjectCanonical",
    "PlanDefinition": "R4B adds subjectCanonical (also on action)",
    "Evidence": "R4B redefined Evidence (R4 elements exposureBackground, outcome… are gone)",
    "EvidenceVariable": "R4B redefined EvidenceVariable (R4 type, characteristic.definition[x]… are gone)",
    "StructureDefinition": "ElementDefinition value[x] choices: R4B adds CodeableReference/RatioRange, drops Meta",
}
_NOT_R4_CHOICES = ("CodeableReference", "RatioRange")
MAX_FINDINGS = 50
_DOMAIN = {"Resource", "DomainResource"}


def is_r4_resource_type(name: str) -> bool:
    """True for a resource type of FHIR R4 (4.0.1)."""
    if name in R4_ONLY:
        return True
    if name in R4B_ONLY or name in _DOMAIN or not name[:1].isupper():
        return False
    return _model(name) is not None


def _model(name: str) -> Any:
    from fhir.resources.R4B import get_fhir_model_class

    try:
        model = get_fhir_model_class(name)
    except (KeyError, ValueError, AttributeError, ImportError):
        return None
    return model if getattr(model, "__resource_type__", None) == name else None


def _loc(base: str, parts: tuple[Any, ...]) -> str:
    out = base
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def _split(resource: dict[str, Any], path: str) -> tuple[dict[str, Any], list[tuple[str, Any]]]:
    """A shallow copy without nested resources, and those nested resources with their paths."""
    top = dict(resource)
    nested: list[tuple[str, Any]] = []
    contained = top.pop("contained", None)
    if isinstance(contained, list):
        nested += [(f"{path}.contained[{i}]", r) for i, r in enumerate(contained)]
    elif contained is not None:
        top["contained"] = contained
    entries = top.get("entry")
    if top.get("resourceType") == "Bundle" and isinstance(entries, list):
        copies: list[Any] = []
        for i, entry in enumerate(entries):
            if isinstance(entry, dict):
                entry = dict(entry)
                if "resource" in entry:
                    nested.append((f"{path}.entry[{i}].resource", entry.pop("resource")))
                response = entry.get("response")
                if isinstance(response, dict) and "outcome" in response:
                    response = dict(response)
                    nested.append((f"{path}.entry[{i}].response.outcome", response.pop("outcome")))
                    entry["response"] = response
            copies.append(entry)
        top["entry"] = copies
    return top, nested


def _choices(node: Any, path: str, findings: list[Finding], requirement: str) -> Any:
    """Refuse value[x] choices R4 lacks; drop R4's valueMeta (R4B lacks it). Returns the node to check."""
    if isinstance(node, list):
        return [_choices(v, f"{path}[{i}]", findings, requirement) for i, v in enumerate(node)]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        where = f"{path}.{key}"
        if key.endswith(_NOT_R4_CHOICES) and key[:1].islower():
            findings.append(
                Finding(
                    "fhir.structure.not_r4",
                    requirement,
                    f"{key}: this choice type exists in R4B/R5, not in FHIR R4",
                    location=where,
                )
            )
            continue
        if key == "valueMeta":
            findings.append(
                Finding(
                    "fhir.structure.r4_only",
                    requirement,
                    "valueMeta (R4) is not checked: the R4B models used for structure lack it",
                    Severity.INFO,
                    where,
                )
            )
            continue
        out[key] = _choices(value, where, findings, requirement) if isinstance(value, (dict, list)) else value
    return out


@rule(
    "fhir.structure",
    requirement="EPARCOURS-FHIR-01",
    summary="a valid FHIR R4 resource (structure definitions)",
    also=("EPRESC-ADM-01",),
)
def _check_one(resource: Any, path: str, requirement: str, findings: list[Finding]) -> None:
    if not isinstance(resource, dict):
        findings.append(
            Finding(
                "fhir.structure.type",
                requirement,
                f"a resource must be a JSON object, not {type(resource).__name__}",
                location=path,
            )
        )
        return
    name = resource.get("resourceType")
    if not isinstance(name, str) or not name:
        findings.append(
            Finding(
                "fhir.structure.resource_type",
                requirement,
                "resourceType is missing (every FHIR resource names its type)",
                location=path,
            )
        )
        return
    if name in R4B_ONLY:
        findings.append(
            Finding(
                "fhir.structure.not_r4",
                requirement,
                f"resourceType {name!r} exists in FHIR R4B/R5, not in R4",
                location=path,
            )
        )
        return
    if name in R4_ONLY:
        findings.append(
            Finding(
                "fhir.structure.unchecked",
                requirement,
                f"{name} is an R4 resource type with no model in fhir.resources R4B: its structure is not checked",
                Severity.WARNING,
                path,
            )
        )
        return
    model = None if name in _DOMAIN else _model(name)
    if model is None:
        findings.append(
            Finding(
                "fhir.structure.resource_type",
                requirement,
                f"unknown resourceType {name!r} (not a FHIR R4 resource)",
                location=path,
            )
        )
        return
    top, nested = _split(resource, path)
    top = _choices(top, path, findings, requirement)
    try:
        model.model_validate(top)
    except ValueError as exc:  # pydantic's ValidationError: what the resource breaks, each with its place
        errors = getattr(exc, "errors", None)
        if callable(errors):
            for error in errors():
                where = _loc(path, tuple(p for p in error.get("loc", ()) if p != "resource_type"))
                message = " ".join(str(error.get("msg", "invalid")).split())
                findings.append(Finding("fhir.structure", requirement, f"{message} ({name})", location=where))
        else:
            findings.append(Finding("fhir.structure", requirement, f"{name} cannot be read: {exc}", location=path))
    except Exception as exc:  # a library failing (fhir_core KeyError/TypeError…): the harness's fault, not a finding
        raise ValidatorError(
            f"the FHIR structure check of {name} at {path} failed inside fhir.resources ({type(exc).__name__}: {exc})",
            tip="please report it / merci de le signaler",
        ) from exc
    if name in R4B_DIFFERS:
        findings.append(
            Finding(
                "fhir.structure.r4b_gap",
                requirement,
                f"checked against R4B, which differs from R4 here: {R4B_DIFFERS[name]}",
                Severity.WARNING,
                path,
            )
        )
    for sub_path, sub in nested:
        if len(findings) >= MAX_FINDINGS:
            return
        _check_one(sub, sub_path, requirement, findings)


def check_structure(resource: Any, *, requirement: str, path: str = "") -> list[Finding]:
    """Structural findings on one resource and every resource nested in it.

    Args:
        resource: the decoded JSON resource.
        requirement: the requirement id the findings prove broken.
        path: the location prefix (default: the resource type).

    Returns:
        Findings (at most :data:`MAX_FINDINGS`): unknown elements, wrong datatypes, missing
        required elements of the base specification, types that are not R4.
    """
    findings: list[Finding] = []
    base = path or (resource.get("resourceType") if isinstance(resource, dict) else None) or "$"
    _check_one(resource, str(base), requirement, findings)
    return findings[:MAX_FINDINGS]
