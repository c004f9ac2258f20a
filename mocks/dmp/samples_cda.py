"""CDA documents the harness writes itself: what other professionals put in a patient's DMP.

Written from the CI-SIS facts (french-specs.md §2.1–2.2: structuration minimale header,
content-model templateIds, LOINC / TRE_A05 codes, IHE XDS-SD for N1), for synthetic
authors under test identifiers. The DMP suite seeds a FLUDR (emergency department → EHPAD)
or a VSM in the simulator for the DUI to retrieve; tests and the benchmark submit them.
"""

from __future__ import annotations

import base64
import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from lxml import etree

__all__ = ["KINDS", "DocumentKind", "clinical_document", "minimal_pdf", "new_oid"]

V3 = "urn:hl7-org:v3"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
LOINC = "2.16.840.1.113883.6.1"
TRE_A05 = "1.2.250.1.213.1.1.4.12"
#: a synthetic hospital (FINESS-like Struct_IdNat under the test identifiers, never real)
HOSPITAL = {
    "struct": "1999000011",
    "name": "CENTRE HOSPITALIER DE TEST DUI-HARNESS",
    "author": "899900000011",
    "family": "URGENTISTE-ESSAI",
    "given": "Camille",
    "facility": "SA01",
    "practice": "ETABLISSEMENT",
}


@dataclass(frozen=True)
class DocumentKind:
    name: str
    template: str | None
    extension: str | None
    code: str
    code_system: str
    display: str
    title: str
    format_code: str
    class_code: str
    event: str | None = None
    #: body sections: (templateId, title), one each (the model's mandatory sections)
    sections: tuple[tuple[str, str], ...] = ()


KINDS = {
    "FLUDR": DocumentKind(
        "FLUDR",
        "1.2.250.1.213.1.1.1.24",
        "2022.01",
        "74207-2",
        LOINC,
        "Dossier de liaison d'urgence",
        "Fiche de liaison d'urgence - retour des urgences vers l'EHPAD",
        "urn:asip:ci-sis:fludr:2017",
        "11",
        "28651-8",
        (
            ("1.3.6.1.4.1.19376.1.7.3.1.1.13.7", "Résultats d'événements"),
            ("1.3.6.1.4.1.19376.1.5.3.1.3.7", "Diagnostic de sortie"),
            ("1.3.6.1.4.1.19376.1.5.3.1.3.22", "Traitements à la sortie"),
            ("1.2.250.1.213.1.1.2.53", "Prothèses et objets personnels"),
            ("1.2.250.1.213.1.1.2.37", "Documents ajoutés"),
        ),
    ),
    "VSM": DocumentKind(
        "VSM",
        "1.2.250.1.213.1.1.1.13",
        "201310",
        "SYNTH",
        TRE_A05,
        "Synthèse",
        "Volet de synthèse médicale",
        "urn:asip:ci-sis:vsm:2012",
        "11",
        "34117-2",
        (
            ("1.2.250.1.213.1.1.2.29", "Pathologies, antécédents, allergies et facteurs de risque"),
            ("1.3.6.1.4.1.19376.1.5.3.1.3.27", "Résultats"),
            ("1.2.250.1.213.1.1.2.32", "Traitement au long cours"),
        ),
    ),
    "N1": DocumentKind(
        "N1",
        None,
        None,
        "11490-0",
        LOINC,
        "Lettre de liaison à la sortie d'un établissement de soins",
        "Lettre de liaison de sortie",
        "urn:ihe:iti:xds-sd:pdf:2008",
        "10",
    ),
}


def new_oid() -> str:
    """A fresh document OID under the UUID arc 2.25 (ITU-T X.667)."""
    return f"2.25.{uuid.uuid4().int}"


def minimal_pdf(text: str = "dui-harness") -> bytes:
    """A small valid PDF 1.4 with one line of text."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("latin-1", errors="replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _e(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, f"{{{V3}}}{tag}", {k.rstrip("_"): v for k, v in attrs.items()})
    if text is not None:
        element.text = text
    return element


def _organization(parent: etree._Element, tag: str, org: dict[str, str]) -> None:
    element = _e(parent, tag)
    _e(element, "id", root="1.2.250.1.71.4.2.2", extension=org["struct"])
    _e(element, "name", org["name"])
    if tag == "representedOrganization":
        _e(element, "standardIndustryClassCode", code=org["practice"], codeSystem="1.2.250.1.213.1.1.4.9")


def _person(entity: etree._Element, org: dict[str, str], person_tag: str = "assignedPerson") -> None:
    _e(entity, "id", root="1.2.250.1.71.4.2.1", extension=org["author"])
    name = _e(_e(entity, person_tag), "name")
    _e(name, "given", org["given"])
    _e(name, "family", org["family"])
    _organization(entity, "representedOrganization", org)


def clinical_document(
    kind: str,
    *,
    ins: str,
    ins_oid: str,
    traits: dict[str, Any],
    doc_id: str | None = None,
    set_id: str | None = None,
    version: int = 1,
    effective: dt.datetime | None = None,
    confidentiality: str = "N",
    org: dict[str, str] | None = None,
    pdf: bytes | None = None,
    replaces: str | None = None,
) -> bytes:
    """A CDA R2 document of ``kind`` (FLUDR, VSM or N1) about the patient ``ins`` with ``traits``.

    ``traits``: ``birth_name``, ``first_names`` (list), ``sex``, ``birth_date`` (YYYY-MM-DD),
    ``birth_place`` (COG). ``replaces``: the id of the document this version replaces (RPLC).
    """
    spec = KINDS[kind]
    org = org or HOSPITAL
    moment = (effective or dt.datetime.now(dt.UTC)).astimezone(dt.timezone(dt.timedelta(hours=1)))
    ts = moment.strftime("%Y%m%d%H%M%S") + "+0100"
    root = etree.Element(f"{{{V3}}}ClinicalDocument", nsmap={None: V3, "xsi": XSI})
    _e(root, "realmCode", code="FR")
    _e(root, "typeId", root="2.16.840.1.113883.1.3", extension="POCD_HD000040")
    _e(root, "templateId", root="2.16.840.1.113883.2.8.2.1")
    _e(root, "templateId", root="1.2.250.1.213.1.1.1.1")
    if spec.template:
        _e(root, "templateId", root=spec.template, extension=spec.extension or "")
    else:
        _e(root, "templateId", root="1.3.6.1.4.1.19376.1.2.20")
    _e(root, "id", root=doc_id or new_oid())
    _e(root, "code", code=spec.code, codeSystem=spec.code_system, displayName=spec.display)
    _e(root, "title", spec.title)
    _e(root, "effectiveTime", value=ts)
    _e(
        root,
        "confidentialityCode",
        code=confidentiality,
        codeSystem="2.16.840.1.113883.5.25",
        displayName={"N": "Normal", "R": "Restreint", "V": "Très restreint"}.get(confidentiality, confidentiality),
    )
    _e(root, "languageCode", code="fr-FR")
    _e(root, "setId", root=set_id or new_oid())
    _e(root, "versionNumber", value=str(version))
    role = _e(_e(root, "recordTarget"), "patientRole")
    _e(role, "id", root=ins_oid, extension=ins)
    patient = _e(role, "patient", classCode="PSN")
    name = _e(patient, "name")
    _e(name, "family", str(traits["birth_name"]), qualifier="BR")
    _e(name, "given", " ".join(traits["first_names"]))
    _e(name, "given", str(traits["first_names"][0]), qualifier="BR")
    _e(patient, "administrativeGenderCode", code=str(traits["sex"]), codeSystem="2.16.840.1.113883.5.1")
    _e(patient, "birthTime", value=str(traits["birth_date"]).replace("-", ""))
    if traits.get("birth_place"):
        _e(_e(_e(_e(patient, "birthplace"), "place"), "addr"), "county", str(traits["birth_place"]))
    author = _e(root, "author")
    _e(author, "time", value=ts)
    _person(_e(author, "assignedAuthor"), org)
    _organization(_e(_e(root, "custodian"), "assignedCustodian"), "representedCustodianOrganization", org)
    legal = _e(root, "legalAuthenticator")
    _e(legal, "time", value=ts)
    _e(legal, "signatureCode", code="S")
    _person(_e(legal, "assignedEntity"), org)
    event = _e(_e(root, "documentationOf"), "serviceEvent")
    if spec.event:
        _e(event, "code", code=spec.event, codeSystem=LOINC, displayName="Historique et clinique")
    interval = _e(event, "effectiveTime")
    _e(interval, "low", value=ts)
    _e(interval, "high", value=ts)
    performer = _e(event, "performer", typeCode="PRF")
    _person(_e(performer, "assignedEntity"), org)
    if replaces:
        related = _e(root, "relatedDocument", typeCode="RPLC")
        _e(_e(related, "parentDocument"), "id", root=replaces)
    encounter = _e(_e(root, "componentOf"), "encompassingEncounter")
    low = _e(encounter, "effectiveTime")
    _e(low, "low", value=ts)
    _e(
        _e(_e(encounter, "location"), "healthCareFacility"),
        "code",
        code=org["facility"],
        codeSystem="1.2.250.1.71.4.2.4",
    )
    component = _e(root, "component")
    if spec.template is None:
        body = _e(_e(component, "nonXMLBody"), "text", mediaType="application/pdf", representation="B64")
        body.text = base64.b64encode(pdf or minimal_pdf(spec.title)).decode("ascii")
    else:
        body = _e(component, "structuredBody")
        for template, title in spec.sections:
            section = _e(_e(body, "component"), "section")
            _e(section, "templateId", root=template)
            _e(section, "title", title)
            _e(section, "text", f"{title} — document de test dui-harness")
    data: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return data
