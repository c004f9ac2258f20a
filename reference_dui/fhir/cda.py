"""The EXPORT_DUI CDA document of the reference DUI (Transfert de données DUI, ans.cda.fr.tddui 1.0.1).

Written by the DUI itself from the IG's header rules (templateId 1.2.250.1.213.1.1.1.58, code
EXPORT_DUI, author and legal authenticator = the DUI software LOGICIEL_DUI, custodian = the
ESSMS, serviceEvent performed by the DUI, healthCareFacility SA41 with its FINESS category)
and the CI-SIS structuration minimale. The body is one narrative section per block of the
record (séjour, évaluation, projet personnalisé).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from lxml import etree

__all__ = ["Essms", "build_export_dui"]

V3 = "urn:hl7-org:v3"
SDTC = "urn:hl7-org:sdtc"
SYSTEMS = "1.2.250.1.71.4.2.1"
STRUCTURES = "1.2.250.1.71.4.2.2"
DOC_ROOT = "1.2.250.1.999.99.1"  # the reference DUI's OID branch for its documents (test range)


@dataclass(frozen=True)
class Essms:
    """The ESSMS running the DUI: FINESS, name, FINESS category and the DUI's system id."""

    finess: str = "990000012"
    name: str = "EHPAD de référence dui-harness"
    category: tuple[str, str] = ("500", "Etablissement d'hébergement pour personnes âgées dépendantes")
    software: str = "DUI-REFERENCE"

    @property
    def struct_id(self) -> str:
        return "1" + self.finess

    @property
    def system_id(self) -> str:
        return f"3{self.finess}/{self.software}"


def _el(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    node = etree.SubElement(parent, f"{{{V3}}}{tag}", {k.rstrip("_"): v for k, v in attrs.items()})
    if text is not None:
        node.text = text
    return node


def _dui_entity(parent: etree._Element, essms: Essms, *, device: bool) -> None:
    _el(parent, "id", root=SYSTEMS, extension=essms.system_id)
    _el(
        parent,
        "code",
        code="LOGICIEL_DUI",
        displayName="Logiciel de Dossier Usager Informatisé",
        codeSystem="1.2.250.1.213.1.1.4.6",
    )
    if device:
        authoring = _el(parent, "assignedAuthoringDevice")
        _el(authoring, "manufacturerModelName", "dui-harness")
        _el(authoring, "softwareName", essms.software)
    else:
        person = _el(_el(parent, "assignedPerson"), "name")
        _el(person, "family", "RESPONSABLE")
        _el(person, "given", "DUI")
    org = _el(parent, "representedOrganization")
    _el(org, "id", root=STRUCTURES, extension=essms.struct_id)
    _el(org, "name", essms.name)


def _patient(target: etree._Element, person: dict[str, Any], ins: dict[str, str] | None) -> None:
    role = _el(_el(target, "recordTarget"), "patientRole")
    if ins is not None:
        _el(role, "id", root=ins["oid"], extension=ins["value"])
    else:
        _el(role, "id", root=STRUCTURES, extension=f"{person['local_id']}")
    patient = _el(role, "patient")
    name = _el(patient, "name")
    traits = person["traits"]
    _el(name, "family", traits["birth_name"], qualifier="BR")
    _el(name, "given", " ".join(traits["first_names"]))
    _el(name, "given", traits["first_names"][0], qualifier="BR")
    _el(patient, "administrativeGenderCode", code=traits["sex"], codeSystem="2.16.840.1.113883.5.1")
    _el(patient, "birthTime", value=traits["birth_date"].replace("-", ""))
    if ins is None:
        etree.SubElement(patient, f"{{{SDTC}}}multipleBirthOrderNumber", value="1")
    if traits.get("birth_place"):
        addr = _el(_el(_el(patient, "birthplace"), "place"), "addr")
        _el(addr, "county", traits["birth_place"])


def _section(body: etree._Element, title: str, lines: list[str]) -> None:
    section = _el(_el(body, "component"), "section")
    _el(section, "title", title)
    text = _el(section, "text")
    items = _el(text, "list")
    for line in lines:
        _el(items, "item", line)


def build_export_dui(
    person: dict[str, Any],
    ins: dict[str, str] | None,
    record: dict[str, Any],
    essms: Essms,
    *,
    now: dt.datetime | None = None,
    with_set_id: bool = True,
) -> tuple[bytes, str]:
    """The EXPORT_DUI document and its unique id (``root`` OID).

    Args:
        person: ``{"traits": {...}, "local_id": ...}`` as the DUI stores it.
        ins: ``{"value", "oid"}`` for a qualified identity, else None (no INS in the document).
        record: the stay, evaluation and personalised project being exported.
        essms: the ESSMS and the DUI software.
    """
    now = now or dt.datetime.now(dt.UTC)
    stamp = now.strftime("%Y%m%d%H%M%S+0000")
    doc_id = f"{DOC_ROOT}.{uuid.uuid4().int % 10**12}"
    root = etree.Element(f"{{{V3}}}ClinicalDocument", nsmap={None: V3, "sdtc": SDTC})
    _el(root, "realmCode", code="FR")
    _el(root, "typeId", root="2.16.840.1.113883.1.3", extension="POCD_HD000040")
    for template in ("2.16.840.1.113883.2.8.2.1", "1.2.250.1.213.1.1.1.1"):
        _el(root, "templateId", root=template)
    _el(root, "templateId", root="1.2.250.1.213.1.1.1.58", extension="1.0.1")
    _el(root, "id", root=doc_id)
    _el(
        root,
        "code",
        code="EXPORT_DUI",
        displayName="Export du Dossier Usager Informatisé",
        codeSystem="1.2.250.1.213.1.1.4.12",
    )
    _el(root, "title", "Document transfert de données DUI")
    _el(root, "effectiveTime", value=stamp)
    _el(root, "confidentialityCode", code="N", codeSystem="2.16.840.1.113883.5.25", displayName="Normal")
    _el(root, "languageCode", code="fr-FR")
    if with_set_id:  # false only for the ``tddui_export_no_set_id`` defect
        _el(root, "setId", root=doc_id + ".0")
    _el(root, "versionNumber", value="1")
    _patient(root, person, ins)
    author = _el(root, "author")
    _el(author, "time", value=stamp)
    _dui_entity(_el(author, "assignedAuthor"), essms, device=True)
    custodian = _el(_el(_el(root, "custodian"), "assignedCustodian"), "representedCustodianOrganization")
    _el(custodian, "id", root=STRUCTURES, extension=essms.struct_id)
    _el(custodian, "name", essms.name)
    legal = _el(root, "legalAuthenticator")
    _el(legal, "time", value=stamp)
    _el(legal, "signatureCode", code="S")
    _dui_entity(_el(legal, "assignedEntity"), essms, device=False)
    event = _el(_el(root, "documentationOf"), "serviceEvent")
    _el(_el(event, "effectiveTime"), "low", value=stamp)
    performer = _el(_el(event, "performer", typeCode="PRF"), "assignedEntity")
    _el(performer, "id", root=SYSTEMS, extension=essms.system_id)
    org = _el(performer, "representedOrganization")
    _el(org, "id", root=STRUCTURES, extension=essms.struct_id)
    _el(org, "name", essms.name)
    _el(
        org,
        "standardIndustryClassCode",
        code="ESSMS",
        codeSystem="1.2.250.1.213.1.1.4.9",
        displayName="Etablissement ou Service Social ou Médico-Social",
    )
    encounter = _el(_el(root, "componentOf"), "encompassingEncounter")
    _el(_el(encounter, "effectiveTime"), "low", value=stamp)
    facility = _el(
        _el(_el(encounter, "location"), "healthCareFacility"),
        "code",
        code="SA41",
        codeSystem="1.2.250.1.71.4.2.4",
        displayName="Autre établissement du domaine social ou médico-social",
    )
    _el(
        facility,
        "translation",
        code=essms.category[0],
        codeSystem="1.2.250.1.213.1.6.1.8",
        displayName=essms.category[1],
    )
    body = _el(_el(root, "component"), "structuredBody")
    stay = record.get("stay") or {}
    _section(body, "Séjour", [f"Séjour {stay.get('id', '')} depuis le {stay.get('start', '')}"])
    evaluation = record.get("evaluation")
    if evaluation:
        _section(
            body,
            f"Évaluation {evaluation.get('title', '')}".strip(),
            [f"{i.get('question', i.get('code'))} : {i.get('answer')}" for i in evaluation.get("items", [])],
        )
    project = record.get("project")
    if project:
        _section(body, "Projet personnalisé", [f"{project.get('title')} (à partir du {project.get('start')})"])
    data = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return data, doc_id
