"""The SI-SdO's test base: orientation decisions, their evaluations and the SdO's notifications (synthetic).

Every person, number and document here is synthetic (test identities only). The decision and
evaluation documents are small CDA-shaped texts standing for the CNSA ``CNSA_ESMS-Decision`` /
``CNSA_ESMS-Evaluation`` documents: the public CI-SIS pack carries no validator for them, so their
content is not judged (only carried and compared byte for byte).
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from typing import Any

from harness.validators.fhir.sdo import DECISION, EVALUATION, INPUT_SYSTEM, SDO_CANONICAL, TITLES

__all__ = ["DECISIONS", "ESMS_ID", "NOTIFICATIONS", "SDO_SOURCE", "Decision", "decision_resources", "notification"]

#: idNat_Struct of the ESMS under test: "1" + a synthetic FINESS (what the SdO's access token would name)
ESMS_ID = "1990012345"
#: meta.source of what the SdO itself publishes
SDO_SOURCE = "urn:dui-harness:si-sdo"
_NOS = "https://mos.esante.gouv.fr/NOS/"
R357 = _NOS + "TRE_R357-StatutPersonnePriseCharge/FHIR/TRE-R357-StatutPersonnePriseCharge"


@dataclass(frozen=True)
class Decision:
    """One MDPH orientation decision notified to the ESMS under test."""

    id_decision: str
    id_nat_decision: str
    family: str
    given: str
    birth_date: str

    @property
    def resource_id(self) -> str:
        return f"decision-{self.id_nat_decision.lower()}"

    @property
    def evaluation_id(self) -> str:
        return f"evaluation-{self.id_nat_decision.lower()}"

    def document(self, kind: str) -> bytes:
        code = "CNSA_ESMS-Decision" if kind == DECISION else "CNSA_ESMS-Evaluation"
        return (
            f'<?xml version="1.0" encoding="UTF-8"?><ClinicalDocument xmlns="urn:hl7-org:v3"><title>{code} '
            f"(dui-harness, synthetic)</title><recordTarget><patientRole><patient><name><family>{self.family}"
            f'</family><given>{self.given}</given></name><birthTime value="{self.birth_date.replace("-", "")}"/>'
            f'</patient></patientRole></recordTarget><id extension="{self.id_nat_decision}"/></ClinicalDocument>'
        ).encode()

    def sha256(self, kind: str = DECISION) -> str:
        return hashlib.sha256(self.document(kind)).hexdigest()


DECISIONS = (
    Decision("MDPH099-2026-000123", "SDONAT0000001", "DURAND-ESSAI", "CAMILLE", "2008-04-12"),
    Decision("MDPH099-2026-000124", "SDONAT0000002", "MARTIN-ESSAI", "NOAH", "1995-11-30"),
)


def _document_reference(decision: Decision, kind: str) -> dict[str, Any]:
    rid = decision.resource_id if kind == DECISION else decision.evaluation_id
    display = "Admission request Document" if kind == DECISION else "Evaluation note"
    return {
        "resourceType": "DocumentReference",
        "id": rid,
        "meta": {"profile": [SDO_CANONICAL + "esms-document-reference"], "source": SDO_SOURCE},
        "identifier": [
            {"use": "usual", "value": decision.id_decision},
            {"use": "official", "value": decision.id_nat_decision},
        ],
        "status": "current",
        "type": {"coding": [{"system": "http://loinc.org", "code": kind, "display": display}]},
        "content": [
            {
                "attachment": {
                    "contentType": "text/xml",
                    "language": "fr",
                    "title": TITLES[kind],
                    "data": base64.b64encode(decision.document(kind)).decode(),
                }
            }
        ],
    }


def decision_resources(decision: Decision) -> tuple[dict[str, Any], dict[str, Any]]:
    """The decision's DocumentReference (flux 1) and its evaluation's (flux 3)."""
    return _document_reference(decision, DECISION), _document_reference(decision, EVALUATION)


def _input(code: str, key: str, value: Any) -> dict[str, Any]:
    return {"type": {"coding": [{"system": INPUT_SYSTEM, "code": code}]}, key: value}


def notification(decision: Decision, rid: str, struct: str, name: str, status: str) -> dict[str, Any]:
    """A Task the SdO publishes (flux 5): the person's status in another ESMS, for this decision."""
    return {
        "resourceType": "Task",
        "id": rid,
        "meta": {"profile": [SDO_CANONICAL + "esms-task"], "source": SDO_SOURCE},
        "status": "completed",
        "intent": "plan",
        "input": [
            _input("idNat_Struct", "valueIdentifier", {"value": struct}),
            _input("nomESMS", "valueString", name),
            _input("statutESMS", "valueCodeableConcept", {"coding": [{"system": R357, "code": status}]}),
            _input("dateStatutESMS", "valueDate", "2026-01-05"),
            _input("idDecision", "valueIdentifier", {"value": decision.id_decision}),
            _input("idNat_Decision", "valueIdentifier", {"value": decision.id_nat_decision}),
        ],
    }


#: the SdO's notifications: (task id, decision, other ESMS, its name, statutESMS code of TRE_R357)
NOTIFICATIONS = (
    ("notification-1", DECISIONS[0], "1990054321", "IME ESSAI DES TILLEULS", "48"),
    ("notification-2", DECISIONS[1], "1990067890", "FAM ESSAI LES GLYCINES", "48"),
)
