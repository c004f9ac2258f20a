"""What the reference DUI writes to the SI-SdO: its ESMSConsent (flux 2) and ESMSTask (flux 4), and its searches.

Written from the ANS IG ``ans.fhir.fr.sdo`` (4.0.x) by the DUI's own code (it does not share the
harness's rules, so that it can be wrong). The defect switches bend one fact each.
"""

from __future__ import annotations

from collections.abc import Set
from datetime import UTC, datetime, timedelta
from typing import Any

__all__ = ["consent", "decision_query", "evaluation_query", "notification_query", "task"]

_IG = "https://interop.esante.gouv.fr/ig/fhir/sdo/"
_INPUTS = _IG + "CodeSystem/input-task-sdo-codesystem"
_R357 = "https://mos.esante.gouv.fr/NOS/TRE_R357-StatutPersonnePriseCharge/FHIR/TRE-R357-StatutPersonnePriseCharge"


def _since(first: bool) -> str:
    """gt + the instant J-30 (first connection) or J-1, with its time zone (``+00:00``)."""
    moment = datetime.now(UTC) - timedelta(days=30 if first else 1)
    return "gt" + moment.isoformat(timespec="seconds")


def decision_query(first: bool, defects: Set[str]) -> dict[str, str]:
    """Flux 1.1: ``type=57830-2&_lastUpdated=gt[instant]&_elements=id`` (requests escapes ``+`` as %2B)."""
    query = {"type": "57830-2", "_lastUpdated": _since(first), "_elements": "id"}
    if "sdo_search_all_fields" in defects:  # asks whole resources: no _elements
        del query["_elements"]
    return query


def evaluation_query(id_nat_decision: str, id_decision: str, defects: Set[str]) -> dict[str, str]:
    """Flux 3.1: ``identifier=[idNat_Decision]&type=51848-0``."""
    wanted = id_decision if "sdo_evaluation_by_id_decision" in defects else id_nat_decision
    return {"identifier": wanted, "type": "51848-0"}


def notification_query(first: bool, defects: Set[str]) -> dict[str, str]:
    """Flux 5.1: ``_lastUpdated=gt[instant]``."""
    return {} if "sdo_notifications_everything" in defects else {"_lastUpdated": _since(first)}


def consent(struct: str, id_nat_decision: str, document_reference: str, date: str, defects: Set[str]) -> dict[str, Any]:
    """Flux 2: the ESMSConsent of the person's accord for a decision."""
    reference: dict[str, Any] = {"identifier": {"use": "official", "value": id_nat_decision}}
    if "sdo_consent_literal_reference" in defects:  # points at the resource, not at the decision's identifier
        reference = {"reference": f"DocumentReference/{document_reference}"}
    return {
        "resourceType": "Consent",
        "meta": {"profile": [_IG + "StructureDefinition/esms-consent"], "source": struct},
        "status": "active",
        "scope": {
            "coding": [{"system": "http://terminology.hl7.org/CodeSystem/consentscope", "code": "patient-privacy"}]
        },
        "category": [{"coding": [{"system": "http://loinc.org", "code": "59284-0"}]}],
        "dateTime": date,
        "policyRule": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "OPTIN"}]},
        "provision": {"data": [{"meaning": "related", "reference": reference}]},
    }


def _input(code: str, key: str, value: Any) -> dict[str, Any]:
    return {"type": {"coding": [{"system": _INPUTS, "code": code}]}, key: value}


def task(
    struct: str, name: str, id_decision: str, id_nat_decision: str, status: str, date: str, defects: Set[str]
) -> dict[str, Any]:
    """Flux 4: one ESMSTask per status event of the person in the ESMS."""
    return {
        "resourceType": "Task",
        "meta": {
            "profile": [_IG + "StructureDefinition/esms-task"],
            "lastUpdated": datetime.now(UTC).isoformat(timespec="seconds"),
        },
        "status": "in-progress" if "sdo_task_in_progress" in defects else "completed",
        "intent": "plan",
        "input": [
            _input("idNat_Struct", "valueIdentifier", {"value": struct}),
            _input("nomESMS", "valueString", name),
            _input("statutESMS", "valueCodeableConcept", {"coding": [{"system": _R357, "code": status}]}),
            _input("dateStatutESMS", "valueDate", date),
            _input("idDecision", "valueIdentifier", {"value": id_decision}),
            _input("idNat_Decision", "valueIdentifier", {"value": id_nat_decision}),
        ],
    }
