"""e-prescription: the MedicationAdministration a DUI records back (modelled, see below).

**Assumption.** The national *ordonnance numérique* teleservice payload is not public
(``shared/research/french-specs.md`` §4: identifier format and schema not found). dui-harness
models it on FHIR R4: a prescription is a Bundle holding a Patient (with the INS) and one
MedicationRequest per line, retrieved by the prescription's unique identifier (the value of
its QR code); the DUI of a medicalised ESMS records each administration as a FHIR R4
``MedicationAdministration``. The shape of these resources (search parameters, identifier
systems, references) is owned by a swappable adapter in the simulator
(:mod:`mocks.fhir.epresc_shape`); the rules below are those of FHIR R4 plus what any shape
needs: who, what, when, for which prescription line.

Requirement: ``EPRESC-ADM-01``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from harness.core.findings import Finding
from harness.core.rules import rule
from harness.validators.fhir.refs import as_dict, codings, text
from harness.validators.fhir.structure import check_structure
from harness.validators.fhir.tddui import check_base_codes

__all__ = ["ADM", "PrescribedLine", "check_administration"]

ADM = "EPRESC-ADM-01"


@dataclass(frozen=True)
class PrescribedLine:
    """The prescription line an administration must point at, as the teleservice knows it.

    Attributes:
        prescription_id: the prescription's unique identifier.
        request_refs: the references that denote this line (``MedicationRequest/<id>``…).
        patient_refs: the references that denote the prescription's patient.
        ins: the patient's INS (15 characters) and ``ins_system`` its ``urn:oid:`` system.
        medication: the (system, code) pairs of the prescribed medication.
    """

    prescription_id: str
    request_refs: frozenset[str]
    patient_refs: frozenset[str]
    ins: str
    ins_system: str
    medication: frozenset[tuple[str, str]] = field(default_factory=frozenset)


def _subject_findings(subject: dict[str, Any], line: PrescribedLine, path: str) -> list[Finding]:
    ref = text(subject.get("reference"))
    ident = as_dict(subject.get("identifier"))
    if ref in line.patient_refs:
        return []
    if text(ident.get("system")) == line.ins_system and text(ident.get("value")) == line.ins:
        return []
    said = ref or f"{text(ident.get('system'))}|{text(ident.get('value'))}"
    return [
        Finding(
            "epresc.adm.subject",
            ADM,
            f"the administration is recorded for {said!r}, not for the patient "
            f"of prescription {line.prescription_id} (INS {line.ins})",
            location=f"{path}.subject",
        )
    ]


@rule("epresc.adm", requirement="EPRESC-ADM-01", summary="MedicationAdministration of a prescription line")
def check_administration(
    resource: Any, *, line: PrescribedLine | None = None, path: str = "MedicationAdministration"
) -> list[Finding]:
    """Findings on a MedicationAdministration a DUI sends (``line``: the line it must match)."""
    if not isinstance(resource, dict) or resource.get("resourceType") != "MedicationAdministration":
        kind = resource.get("resourceType") if isinstance(resource, dict) else type(resource).__name__
        return [
            Finding(
                "epresc.adm.type", ADM, f"an administration is a MedicationAdministration, not {kind!r}", location="$"
            )
        ]
    found = check_structure(resource, requirement=ADM, path=path) + check_base_codes(resource, path, ADM)
    if resource.get("status") != "completed":
        found.append(
            Finding(
                "epresc.adm.status",
                ADM,
                f"a recorded administration has status 'completed', not {resource.get('status')!r}",
                location=f"{path}.status",
            )
        )
    medication = codings(resource.get("medicationCodeableConcept"))
    if not medication and not as_dict(resource.get("medicationReference")).get("reference"):
        found.append(
            Finding(
                "epresc.adm.medication", ADM, "medication[x] (what was given) is 1..1", location=f"{path}.medication[x]"
            )
        )
    if not resource.get("effectiveDateTime") and not as_dict(resource.get("effectivePeriod")).get("start"):
        found.append(
            Finding(
                "epresc.adm.effective", ADM, "effective[x] (when it was given) is 1..1", location=f"{path}.effective[x]"
            )
        )
    subject = as_dict(resource.get("subject"))
    if not subject.get("reference") and not as_dict(subject.get("identifier")).get("value"):
        found.append(
            Finding(
                "epresc.adm.subject",
                ADM,
                "subject (the resident, by reference or INS identifier) is 1..1",
                location=f"{path}.subject",
            )
        )
    request = as_dict(resource.get("request"))
    if not text(request.get("reference")):
        found.append(
            Finding(
                "epresc.adm.request",
                ADM,
                "request must reference the MedicationRequest (the prescription line) that was administered",
                location=f"{path}.request",
            )
        )
    if line is None:
        return found
    if text(request.get("reference")) and text(request.get("reference")) not in line.request_refs:
        found.append(
            Finding(
                "epresc.adm.request",
                ADM,
                f"request {request.get('reference')!r} is not a line of prescription {line.prescription_id}",
                location=f"{path}.request",
            )
        )
    if subject:
        found += _subject_findings(subject, line, path)
    pairs = {(text(c.get("system")), text(c.get("code"))) for c in medication}
    if medication and line.medication and not pairs & line.medication:
        found.append(
            Finding(
                "epresc.adm.medication",
                ADM,
                f"medication {sorted(pairs)} is not the prescribed one {sorted(line.medication)}",
                location=f"{path}.medicationCodeableConcept",
            )
        )
    return found
