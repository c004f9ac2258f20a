"""e-prescription in the reference DUI: retrieve by unique identifier, check the person, record administrations.

The payload is modelled on FHIR R4 (an assumption of dui-harness: the national format is not
public); :class:`FhirR4Adapter` is the only place that knows its shape, so that another
adapter can follow the official specification. The DUI integrates a prescription only when
its patient's INS equals the resident's *qualified* INS, and writes each administration
locally before sending it: when the teleservice is unavailable the administration stays
``pending`` and is sent again before the next one.

Defect switches: ``epresc_wrong_person`` (no INS comparison), ``epresc_lose_on_unavailable``
(the administration is dropped when the teleservice does not answer).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from reference_dui.fhir.client import FhirAnswer, FhirClient

__all__ = ["FhirR4Adapter", "Parsed", "administer", "outcome_of_retrieval"]

PRESCRIPTION_ID_SYSTEM = "https://dui-harness.example/ordonnance-numerique/identifiant-unique"


@dataclass
class Parsed:
    """A prescription as the DUI reads it: unique id, patient INS, lines."""

    prescription_id: str
    patient_ref: str | None
    ins: str | None
    ins_system: str | None
    lines: list[dict[str, Any]] = field(default_factory=list)


class FhirR4Adapter:
    """The dui-harness FHIR R4 model: Bundle?identifier=…, MedicationRequest lines, MedicationAdministration."""

    def query(self, prescription_id: str) -> tuple[str, dict[str, str]]:
        return "Bundle", {"identifier": f"{PRESCRIPTION_ID_SYSTEM}|{prescription_id}"}

    def parse(self, body: Any, prescription_id: str) -> Parsed | None:
        """None when the searchset is empty; ValueError when it is not what the model says."""
        if not isinstance(body, dict) or body.get("resourceType") != "Bundle":
            raise ValueError("the answer is not a FHIR Bundle")
        entries = [e.get("resource") for e in body.get("entry") or [] if isinstance(e, dict)]
        bundles = [r for r in entries if isinstance(r, dict) and r.get("resourceType") == "Bundle"]
        if not bundles:
            return None
        inner = [e.get("resource") for e in bundles[0].get("entry") or [] if isinstance(e, dict)]
        patients = [r for r in inner if isinstance(r, dict) and r.get("resourceType") == "Patient"]
        parsed = Parsed(prescription_id, None, None, None)
        if patients:
            patient = patients[0]
            parsed.patient_ref = f"Patient/{patient.get('id')}"
            for ident in patient.get("identifier") or []:
                if str(ident.get("system", "")).startswith("urn:oid:1.2.250.1.213.1.4."):
                    parsed.ins, parsed.ins_system = ident.get("value"), ident.get("system")
        for request in (r for r in inner if isinstance(r, dict) and r.get("resourceType") == "MedicationRequest"):
            coding = ((request.get("medicationCodeableConcept") or {}).get("coding") or [{}])[0]
            line_id = next((i.get("value") for i in request.get("identifier") or []), request.get("id"))
            parsed.lines.append(
                {
                    "line_id": str(line_id),
                    "request_ref": f"MedicationRequest/{request.get('id')}",
                    "medication": {
                        "system": coding.get("system"),
                        "code": coding.get("code"),
                        "display": coding.get("display"),
                    },
                    "dosage": " ".join(d.get("text", "") for d in request.get("dosageInstruction") or []),
                }
            )
        return parsed

    def administration(
        self,
        prescription: dict[str, Any],
        line: dict[str, Any],
        administered_at: str,
        ins: str | None,
        ins_system: str | None,
    ) -> tuple[str, dict[str, Any]]:
        subject: dict[str, Any] = {"reference": prescription.get("patient_ref")}
        if ins and ins_system:
            subject["identifier"] = {"system": ins_system, "value": ins}
        return "/MedicationAdministration", {
            "resourceType": "MedicationAdministration",
            "status": "completed",
            "medicationCodeableConcept": {"coding": [{k: v for k, v in line["medication"].items() if v}]},
            "subject": subject,
            "effectiveDateTime": administered_at,
            "request": {"reference": line["request_ref"]},
            "dosage": {"text": line.get("dosage") or "selon prescription"},
        }


def outcome_of_retrieval(
    answer: FhirAnswer,
    adapter: FhirR4Adapter,
    prescription_id: str,
    resident_ins: dict[str, str] | None,
    defects: frozenset[str],
) -> tuple[dict[str, Any], Parsed | None]:
    """The trigger API outcome of one retrieval, and what to integrate (None: nothing)."""
    base = {"prescription_id": prescription_id, "lines": []}
    if answer.status == 0 or answer.status >= 500:
        return {
            **base,
            "outcome": "unavailable",
            "message": f"téléservice indisponible, rien n'est intégré ({answer.diagnostics()})",
        }, None
    if not answer.ok:
        return {**base, "outcome": "error", "message": answer.diagnostics()}, None
    try:
        parsed = adapter.parse(answer.body, prescription_id)
    except ValueError as exc:
        return {**base, "outcome": "error", "message": str(exc)}, None
    if parsed is None:
        if "epresc_unknown_as_error" in defects:  # an empty searchset read as a failure of the teleservice
            return {**base, "outcome": "error", "message": "réponse vide du téléservice"}, None
        return {**base, "outcome": "not_found", "message": f"aucune ordonnance {prescription_id}"}, None
    if "epresc_first_line_only" in defects:  # reads entry[0] only, as for a single-line prescription
        parsed.lines = parsed.lines[:1]
    if "epresc_wrong_person" not in defects:
        if resident_ins is None:
            return {
                **base,
                "outcome": "refused",
                "message": "identité du résident non qualifiée : rapprochement "
                "par l'INS impossible, ordonnance non intégrée",
            }, None
        if parsed.ins != resident_ins["value"] or parsed.ins_system != f"urn:oid:{resident_ins['oid']}":
            return {
                **base,
                "outcome": "refused",
                "message": f"ordonnance d'une autre personne (INS {parsed.ins}) : non intégrée",
            }, None
    return {
        **base,
        "outcome": "integrated",
        "lines": parsed.lines,
        "message": f"{len(parsed.lines)} ligne(s) intégrée(s)",
    }, parsed


def administer(
    client: FhirClient | None,
    adapter: FhirR4Adapter,
    record: dict[str, Any],
    prescription: dict[str, Any],
    line: dict[str, Any],
    resident_ins: dict[str, str] | None,
    defects: frozenset[str] = frozenset(),
) -> tuple[str, str | None, str | None]:
    """Send one administration; returns ``(status, message, location)``."""
    if client is None:
        return "pending", "téléservice e-prescription non configuré : administration conservée", None
    path, resource = adapter.administration(
        prescription,
        line,
        record["administered_at"],
        resident_ins["value"] if resident_ins else None,
        f"urn:oid:{resident_ins['oid']}" if resident_ins else None,
    )
    if "epresc_adm_no_request" in defects:  # the administration no longer says which prescribed line it executes
        resource.pop("request", None)
    answer = client.post(path, resource)
    if answer.ok:
        location = answer.body.get("id") if isinstance(answer.body, dict) else None
        return "transmitted", "transmise", f"MedicationAdministration/{location}" if location else None
    if answer.status == 0 or answer.status >= 500:
        return "pending", f"téléservice indisponible, administration conservée ({answer.diagnostics()})", None
    return "failed", f"refusée par le téléservice : {answer.diagnostics()}", None


def new_id() -> str:
    return uuid.uuid4().hex[:12]
