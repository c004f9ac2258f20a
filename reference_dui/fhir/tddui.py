"""The reference DUI's TDDUIBundle (flux 1 of ans.fhir.fr.tddui 2.0.0), built from its own record.

Patient as TDDUIPatientINS (FR Core PatientINS slices) when the identity is qualified, else
TDDUIPatient without the INS (RNIV EXI SI 08); the ESSMS Organization; the stay
(TDDUIEncounterSejour); the evaluation (TDDUIQuestionnaireResponse); the personalised project
(TDDUICarePlanProjetPerso); the EXPORT_DUI CDA in a TDDUIDocumentReference. Every entry is a
``POST`` create with a ``urn:uuid:`` fullUrl that the other entries reference.

Defect switches: ``tddui_batch_bundle`` (Bundle.type batch), ``tddui_ins_wrong_system`` (the
INS system written as the bare OID), ``tddui_no_master_identifier``, ``tddui_attachment_url``
(the document by URL instead of ``data``).
"""

from __future__ import annotations

import base64
import datetime as dt
import uuid
from typing import Any

from reference_dui.fhir.cda import Essms, build_export_dui

__all__ = ["build_bundle"]

FR_CORE = "https://hl7.fr/ig/fhir/core"
NOS = "https://mos.esante.gouv.fr/NOS"
INS_TYPES = {
    "1.2.250.1.213.1.4.8": ("INS-NIR", "official"),
    "1.2.250.1.213.1.4.9": ("INS-NIA", "temp"),
    "1.2.250.1.213.1.4.10": ("INS-NIR-TEST", "official"),
    "1.2.250.1.213.1.4.11": ("INS-NIR-DEMO", "official"),
}
GENDERS = {"M": "male", "F": "female"}
STAY_SYSTEM = "https://identifiant-medicosocial-sejour.esante.gouv.fr"
EVENT_SYSTEM = "https://identifiant-medicosocial-evenement.esante.gouv.fr"
EVENT_PROFILE = "https://interop.esante.gouv.fr/ig/fhir/tddui/StructureDefinition/tddui-encounter-evenement"
TDDUI_CS = "https://interop.esante.gouv.fr/ig/fhir/tddui/CodeSystem"


def _urn() -> str:
    return f"urn:uuid:{uuid.uuid4()}"


def _patient(
    person: dict[str, Any], ins: dict[str, str] | None, status: str, essms: Essms, defects: frozenset[str]
) -> dict[str, Any]:
    traits = person["traits"]
    first_names = list(traits["first_names"])
    identifiers: list[dict[str, Any]] = [
        {
            "use": "usual",
            "type": {"coding": [{"system": f"{TDDUI_CS}/TDDUIIdentifier", "code": "PLI"}]},
            "system": f"urn:oid:{essms.struct_id}",
            "value": f"3{essms.finess}/{person['person_id']}",
        }
    ]
    if ins is not None:
        code, use = INS_TYPES[ins["oid"]]
        system = ins["oid"] if "tddui_ins_wrong_system" in defects else f"urn:oid:{ins['oid']}"
        identifiers.insert(
            0,
            {
                "use": use,
                "type": {"coding": [{"system": f"{FR_CORE}/CodeSystem/fr-core-cs-v2-0203", "code": code}]},
                "system": system,
                "value": ins["value"],
            },
        )
    extensions: list[dict[str, Any]] = (
        []
        if "tddui_no_identity_status" in defects
        else [
            {
                "url": f"{FR_CORE}/StructureDefinition/fr-core-identity-reliability",
                "extension": [
                    {
                        "url": "identityStatus",
                        "valueCoding": {"system": f"{FR_CORE}/CodeSystem/fr-core-cs-identity-status", "code": status},
                    }
                ],
            }
        ]
    )
    if traits.get("birth_place") and "tddui_no_birth_place" not in defects:
        extensions.append(
            {
                "url": "http://hl7.org/fhir/StructureDefinition/patient-birthPlace",
                "valueAddress": {
                    "extension": [
                        {
                            "url": f"{FR_CORE}/StructureDefinition/fr-core-address-insee-code",
                            "valueCoding": {
                                "system": f"{NOS}/TRE_R13-CommuneOM/FHIR/TRE-R13-CommuneOM",
                                "code": traits["birth_place"],
                            },
                        }
                    ]
                },
            }
        )
    profile = "tddui-patient-ins" if ins is not None else "tddui-patient"
    return {
        "resourceType": "Patient",
        "meta": {"profile": [f"https://interop.esante.gouv.fr/ig/fhir/tddui/StructureDefinition/{profile}"]},
        "extension": extensions,
        "identifier": identifiers,
        "name": [
            {
                "use": "official",
                "family": traits["birth_name"],
                "given": [first_names[0]],
                "extension": [
                    {
                        "url": f"{FR_CORE}/StructureDefinition/fr-core-patient-birth-list-given-name",
                        "valueString": " ".join(first_names),
                    }
                ],
            }
        ],
        "gender": GENDERS.get(traits["sex"], "unknown"),
        "birthDate": traits["birth_date"],
    }


def _document(
    person: dict[str, Any],
    ins: dict[str, str] | None,
    record: dict[str, Any],
    essms: Essms,
    patient_url: str,
    defects: frozenset[str],
    now: dt.datetime,
) -> dict[str, Any]:
    data, doc_id = build_export_dui(
        person, ins, record, essms, now=now, with_set_id="tddui_export_no_set_id" not in defects
    )
    attachment: dict[str, Any] = {
        "contentType": "text/xml",
        "language": "fr-FR",
        "title": "Export du Dossier Usager Informatisé",
        "creation": now.isoformat(timespec="seconds"),
    }
    if "tddui_attachment_url" in defects:
        attachment["url"] = f"https://dui-reference.example/documents/{doc_id}"
    else:
        attachment["data"] = base64.b64encode(data).decode("ascii")
    document: dict[str, Any] = {
        "resourceType": "DocumentReference",
        "status": "current",
        "type": {
            "coding": [
                {
                    "system": f"{NOS}/TRE_A05-TypeDocComplementaire/FHIR/TRE-A05-TypeDocComplementaire",
                    "code": "EXPORT_DUI",
                    "display": "Export du Dossier Usager Informatisé",
                }
            ]
        },
        "category": [
            {
                "coding": [
                    {
                        "system": f"{NOS}/TRE_A03-ClasseDocument/FHIR/TRE-A03-ClasseDocument",
                        "code": "GESTION" if "tddui_doc_category_label" in defects else "95",
                        "display": "Document de gestion",
                    }
                ]
            }
        ],
        "subject": {"reference": patient_url},
        "date": now.isoformat(timespec="seconds"),
        "content": [
            {
                "attachment": attachment,
                "format": {
                    "system": f"{NOS}/TRE_A06-FormatCodeComplementaire/FHIR/TRE-A06-FormatCodeComplementaire",
                    "code": "urn:asip:ci-sis:export-dui:2023",
                },
            }
        ],
        "context": {
            "facilityType": {
                "coding": [{"system": f"{NOS}/TRE_R02-SecteurActivite/FHIR/TRE-R02-SecteurActivite", "code": "SA41"}]
            },
            "practiceSetting": {
                "coding": [{"system": f"{NOS}/TRE_A01-CadreExercice/FHIR/TRE-A01-CadreExercice", "code": "ESSMS"}]
            },
        },
    }
    if "tddui_no_master_identifier" not in defects:
        document["masterIdentifier"] = {"system": "urn:ietf:rfc:3986", "value": f"urn:oid:{doc_id}"}
    return document


def _qr_identifier(system: str, value: str, as_list: bool) -> dict[str, Any] | list[dict[str, Any]]:
    """QuestionnaireResponse.identifier is one Identifier in R4 (0..1); a list is the R5 habit."""
    identifier = {"system": system, "value": value}
    return [identifier] if as_list else identifier


def build_bundle(
    person: dict[str, Any],
    ins: dict[str, str] | None,
    status: str,
    record: dict[str, Any],
    essms: Essms,
    defects: frozenset[str],
    *,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """The flux-1 Bundle exporting ``person``'s ``record`` (stay, event, evaluation, project, document)."""
    now = now or dt.datetime.now(dt.UTC)
    prefix = f"3{essms.finess}/{person['person_id']}"
    patient_url, org_url = _urn(), _urn()
    entries: list[tuple[str, dict[str, Any]]] = [
        (patient_url, _patient(person, ins, status, essms, defects)),
        (
            org_url,
            {
                "resourceType": "Organization",
                "name": essms.name,
                "identifier": [{"system": "urn:oid:1.2.250.1.71.4.2.2", "value": essms.struct_id}],
            },
        ),
    ]
    stay = record["stay"]
    period = {"start": stay["start"], **({"end": stay["end"]} if stay.get("end") else {})}
    stay_url = _urn()
    entries.append(
        (
            stay_url,
            {
                "resourceType": "Encounter",
                "status": "finished" if stay.get("end") else "in-progress",
                "class": {
                    "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
                    "code": "HH",
                    "display": "home health",
                },
                "identifier": [
                    {
                        "type": {"coding": [{"system": f"{TDDUI_CS}/TDDUIEncounterIdentifier", "code": "SEJ"}]},
                        "system": STAY_SYSTEM,
                        "value": f"{prefix}-SEJOUR-{stay['id']}",
                    }
                ],
                "subject": {"reference": patient_url},
                "serviceProvider": {"reference": org_url},
                "period": period,
            },
        )
    )
    event = record.get("event")
    if event:  # TDDUIEncounterEvenement: part of the stay, start and end both known
        event_period = {"start": event["start"]}
        if "tddui_event_no_end" not in defects:
            event_period["end"] = event["end"]
        entries.append(
            (
                _urn(),
                {
                    "resourceType": "Encounter",
                    "meta": {"profile": [EVENT_PROFILE]},
                    "status": "finished",
                    "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "HH"},
                    "identifier": [
                        {
                            "type": {
                                "coding": [
                                    {
                                        "system": "https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-identifier-type",
                                        "code": "VN",
                                    }
                                ]
                            },
                            "system": EVENT_SYSTEM,
                            "value": f"{prefix}-EVN-{event['id']}",
                        }
                    ],
                    "type": [{"text": str(event.get("label") or "Intervention")}],
                    "subject": {"reference": patient_url},
                    "serviceProvider": {"reference": org_url},
                    "partOf": {"reference": stay_url},
                    "period": event_period,
                },
            )
        )
    evaluation = record.get("evaluation")
    if evaluation:
        entries.append(
            (
                _urn(),
                {
                    "resourceType": "QuestionnaireResponse",
                    "status": "completed",
                    "identifier": _qr_identifier(
                        f"urn:oid:{essms.struct_id}",
                        f"{prefix}-EVAL-{evaluation['id']}",
                        "tddui_qr_identifier_list" in defects,
                    ),
                    "subject": {"reference": patient_url},
                    "authored": evaluation["date"],
                    "item": [
                        {
                            "linkId": str(i.get("code")),
                            "text": str(i.get("question") or i.get("code")),
                            "answer": [{"valueString": str(i.get("answer"))}],
                        }
                        for i in evaluation.get("items", [])
                    ],
                },
            )
        )
    project = record.get("project")
    if project and "tddui_no_care_plan" not in defects:  # the project module's export forgotten
        entries.append(
            (
                _urn(),
                {
                    "resourceType": "CarePlan",
                    "status": "active",
                    "intent": "plan",
                    "title": project["title"],
                    "identifier": [{"system": f"urn:oid:{essms.struct_id}", "value": f"{prefix}-PPER-{project['id']}"}],
                    "subject": {"reference": patient_url},
                    "period": {"start": project["start"], **({"end": project["end"]} if project.get("end") else {})},
                    **({"description": project["description"]} if project.get("description") else {}),
                },
            )
        )
    if record.get("document", True):
        entries.append((_urn(), _document(person, ins, record, essms, patient_url, defects, now)))
    return {
        "resourceType": "Bundle",
        "type": "batch" if "tddui_batch_bundle" in defects else "transaction",
        "timestamp": now.isoformat(timespec="seconds"),
        "entry": [
            {"fullUrl": url, "resource": resource, "request": {"method": "POST", "url": resource["resourceType"]}}
            for url, resource in entries
        ],
    }
