"""The reference DUI's own CDA documents: DLU and FLUDT (EHPAD), PPA (80788-3, PDF) and N1 (PDF).

Written by the reference DUI from the CI-SIS facts (structuration minimale header; DLU-EHPAD
2022.01 model: templateId 1.2.250.1.213.1.1.1.22, code 74207-2, informant PCP, serviceEvent
34117-2, the six mandatory sections; FLUDT: :mod:`reference_dui.dmp.fludt`; unstructured level 1
documents: IHE XDS-SD templateId and a base64 PDF body), for persons with a qualified identity.
Every recipient the document is sent to is named in the header (``informationRecipient``,
SC.DOC.04.MS1). Independent of the harness code.
"""

from __future__ import annotations

import base64
import datetime as dt
import uuid
from dataclasses import dataclass, field

from lxml import etree

from reference_dui.dmp.fludt import FLUDT_SERVICE_EVENT, FLUDT_TEMPLATE, fludt_body

__all__ = [
    "KINDS",
    "ORGANISATION",
    "DocumentRequest",
    "Kind",
    "Patient",
    "Recipient",
    "act_time",
    "build_document",
    "new_oid",
    "pdf",
]

V3 = "urn:hl7-org:v3"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
LOINC = "2.16.840.1.113883.6.1"
XDS_SD = "1.3.6.1.4.1.19376.1.2.20"
DLU_TEMPLATE = "1.2.250.1.213.1.1.1.22"
ADDED_DOCUMENTS = "1.2.250.1.213.1.1.2.37"
#: the reference DUI's EHPAD (synthetic identifiers, never real)
ORGANISATION = {
    "struct": "1999000021",
    "name": "EHPAD DE TEST DUI-REFERENCE",
    "author": "899900000021",
    "family": "COORDONNATEUR-ESSAI",
    "given": "Alex",
    "facility": "SA17",
    "practice": "ESSMS",
    "profession": "G15_10/SM26",
}
_PCC = "1.3.6.1.4.1.19376.1.5.3.1."
DLU_SECTIONS = (
    (f"{_PCC}1.13.2.10", "11302-7", "Etablissement de santé de préférence"),
    (f"{_PCC}3.19", "10160-0", "Traitements"),
    (f"{_PCC}3.35", "42348-3", "Directives anticipées"),
    ("1.3.6.1.4.1.19376.1.7.3.1.1.13.7", "67851-3", "Résultats d'événements"),
    (f"{_PCC}3.28", "30954-2", "Résultats d'examens : BMR"),
    ("1.2.250.1.213.1.1.2.37", "55107-7", "Documents ajoutés"),
)


@dataclass(frozen=True)
class Kind:
    name: str
    code: str
    display: str
    title: str
    structured: bool
    class_code: str
    format_code: str
    format_system: str


KINDS = {
    "DLU": Kind(
        "DLU",
        "74207-2",
        "Document de liaison d'urgence",
        "Document de liaison d'urgence",
        True,
        "11",
        "urn:asip:ci-sis:dlu:2015",
        "1.2.250.1.213.1.1.4.2.282",
    ),
    "FLUDT": Kind(
        "FLUDT",
        "74207-2",
        "Dossier de liaison d'urgence",
        "Fiche de liaison d'urgence - transfert",
        True,
        "11",
        "urn:asip:ci-sis:fludt:2017",
        "1.2.250.1.213.1.1.4.2.282",
    ),
    "PPA": Kind(
        "PPA",
        "80788-3",
        "Projet personnalisé d'accompagnement",
        "Projet personnalisé d'accompagnement",
        False,
        "44",
        "urn:ihe:iti:xds-sd:pdf:2008",
        "1.3.6.1.4.1.19376.1.2.3",
    ),
    "N1": Kind(
        "N1",
        "28653-4",
        "Document du secteur social / médico-social",
        "Document médico-social",
        False,
        "10",
        "urn:ihe:iti:xds-sd:pdf:2008",
        "1.3.6.1.4.1.19376.1.2.3",
    ),
}


@dataclass(frozen=True)
class Patient:
    """What the DUI writes about the person (qualified identity: INS and the strict traits)."""

    ins: str
    ins_oid: str
    birth_name: str
    first_names: tuple[str, ...]
    sex: str
    birth_date: str
    birth_place: str | None
    local_id: str


@dataclass(frozen=True)
class Recipient:
    """A recipient of the document (a professional, with the organisation receiving it)."""

    rpps: str
    family: str
    given: str
    organisation_id: str | None = None
    organisation_name: str | None = None


@dataclass
class DocumentRequest:
    kind: Kind
    patient: Patient
    document_id: str = field(default_factory=lambda: new_oid())
    set_id: str = field(default_factory=lambda: new_oid())
    version: int = 1
    replaces: str | None = None
    confidentiality: str = "N"
    title: str | None = None
    pdf: bytes | None = None
    when: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC).replace(microsecond=0))
    missing_traits: bool = False
    extra_template: bool = False
    #: the recipients the document is sent to (each an ``informationRecipient``)
    recipients: tuple[Recipient, ...] = ()
    #: visibility codes set at the first submission (MASQUE_PS, INVISIBLE_PATIENT, INVISIBLE_REPRESENTANTS_LEGAUX)
    visibility: tuple[str, ...] = ()
    #: a historical document: the date of the act (YYYY-MM-DD) that dates it (SC.DMP/HISTO.03)
    act_date: str | None = None
    #: a historical document whose author left the RPPS: the legal entity is added as an author (SC.DMP/HISTO.04)
    legal_entity_author: bool = False
    #: ``cda_*`` defect switches bending the document (see :mod:`reference_dui.defects`)
    quirks: frozenset[str] = frozenset()


#: confidentialityCode display names (HL7 Confidentiality; the structuration minimale requires @displayName)
CONFIDENTIALITY_NAMES = {"N": "Normal", "R": "Restreint", "V": "Très restreint"}


def new_oid() -> str:
    return f"2.25.{uuid.uuid4().int}"


def pdf(text: str) -> bytes:
    """A one-page PDF with ``text`` (the PDF the DUI renders for an unstructured document)."""
    content = f"BT /F1 11 Tf 50 780 Td ({text}) Tj ET".encode("latin-1", errors="replace")
    parts = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R"
        b" >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for index, part in enumerate(parts, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (index, part)
    start = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n%s" % (len(parts) + 1, b"".join(b"%010d 00000 n \n" % o for o in offsets))
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(parts) + 1, start)
    return bytes(out)


def _add(parent: etree._Element, tag: str, text: str | None = None, **attributes: str) -> etree._Element:
    element = etree.SubElement(parent, f"{{{V3}}}{tag}", attributes)
    if text is not None:
        element.text = text
    return element


def _professional(entity: etree._Element, with_org: bool = True) -> None:
    org = ORGANISATION
    _add(entity, "id", root="1.2.250.1.71.4.2.1", extension=org["author"])
    _add(
        entity,
        "code",
        code=org["profession"],
        codeSystem="1.2.250.1.213.1.1.4.5",
        displayName="Médecin - Qualifié en Médecine Générale (SM)",
    )
    name = _add(_add(entity, "assignedPerson"), "name")
    _add(name, "given", org["given"])
    _add(name, "family", org["family"])
    if with_org:
        represented = _add(entity, "representedOrganization")
        _add(represented, "id", root="1.2.250.1.71.4.2.2", extension=org["struct"])
        _add(represented, "name", org["name"])
        _add(
            represented,
            "standardIndustryClassCode",
            code=org["practice"],
            codeSystem="1.2.250.1.213.1.1.4.9",
            displayName="Etablissement ou Service Social ou Médico-Social",
        )


def _record_target(root: etree._Element, request: DocumentRequest) -> None:
    person = request.patient
    role = _add(_add(root, "recordTarget"), "patientRole")
    _add(role, "id", root=person.ins_oid, extension=person.ins)
    _add(role, "id", root=f"1.2.250.1.213.1.1.9.{ORGANISATION['struct']}", extension=person.local_id)
    patient = _add(role, "patient", classCode="PSN")
    name = _add(patient, "name")
    _add(name, "family", person.birth_name, qualifier="BR")
    _add(name, "given", " ".join(person.first_names))
    if not request.missing_traits:
        _add(name, "given", person.first_names[0], qualifier="BR")
    _add(patient, "administrativeGenderCode", code=person.sex, codeSystem="2.16.840.1.113883.5.1")
    _add(patient, "birthTime", value=person.birth_date.replace("-", ""))
    if person.birth_place and not request.missing_traits and "cda_no_birth_place" not in request.quirks:
        _add(_add(_add(_add(patient, "birthplace"), "place"), "addr"), "county", person.birth_place)


def _attached_document(section: etree._Element, request: DocumentRequest) -> None:
    """The DLU's "Documents ajoutés" entry: one attached document (CI-SIS FR-Document-attache), here the
    attestation of the carte Vitale (JDV_ChecklistDLU code DLU_006) as a PDF."""
    organizer = _add(_add(section, "entry"), "organizer", classCode="CLUSTER", moodCode="EVN")
    _add(organizer, "templateId", root="1.2.250.1.213.1.1.3.18")
    _add(organizer, "id", root=new_oid())
    _add(organizer, "code", code="55107-7", codeSystem=LOINC, displayName="Document attaché")
    _add(organizer, "statusCode", code="completed")
    observation = _add(_add(organizer, "component"), "observation", classCode="OBS", moodCode="EVN")
    for template in ("1.3.6.1.4.1.19376.1.5.3.1.4.13", "1.2.250.1.213.1.1.3.48", "1.2.250.1.213.1.1.3.48.18"):
        _add(observation, "templateId", root=template)
    _add(observation, "id", root=new_oid())
    _add(observation, "code", code="69764-9", codeSystem=LOINC, displayName="Type de document")
    _add(_add(observation, "text"), "reference", value="#doc1")
    if "cda_dlu_attachment_no_status" not in request.quirks:
        _add(observation, "statusCode", code="completed")
    _add(observation, "effectiveTime", nullFlavor="NA")
    value = _add(
        observation,
        "value",
        code="DLU_999" if "cda_dlu_unknown_attachment_code" in request.quirks else "DLU_006",
        codeSystem="1.2.250.1.213.1.1.4.322",
        displayName="Attestation de la carte vitale",
    )
    value.set(f"{{{XSI}}}type", "CD")
    media = _add(_add(organizer, "component"), "observationMedia", classCode="OBS", moodCode="EVN")
    media.set("ID", "doc-1")
    _add(media, "value", mediaType="application/pdf", representation="B64").text = base64.b64encode(
        pdf(f"Attestation de carte Vitale - {request.patient.birth_name}")
    ).decode("ascii")


def act_time(request: DocumentRequest) -> str | None:
    """The HL7 date of the act of a historical document (None: not historical, or ``dmp_histo_dated_at_sending``
    dates it when it is sent)."""
    if request.act_date is None or "dmp_histo_dated_at_sending" in request.quirks:
        return None
    return request.act_date.replace("-", "")


def _recipients(root: etree._Element, request: DocumentRequest) -> None:
    """One ``informationRecipient`` per recipient (SC.DOC.04.MS1); ``cda_first_recipient_only`` names the
    first one only."""
    recipients = request.recipients[:1] if "cda_first_recipient_only" in request.quirks else request.recipients
    for recipient in recipients:
        intended = _add(_add(root, "informationRecipient"), "intendedRecipient")
        _add(intended, "id", root="1.2.250.1.71.4.2.1", extension=recipient.rpps)
        name = _add(_add(intended, "informationRecipient"), "name")
        _add(name, "given", recipient.given)
        _add(name, "family", recipient.family)
        if recipient.organisation_id and recipient.organisation_name:
            organisation = _add(intended, "receivedOrganization")
            _add(organisation, "id", root="1.2.250.1.71.4.2.2", extension=recipient.organisation_id)
            _add(organisation, "name", recipient.organisation_name)


def build_document(request: DocumentRequest) -> bytes:
    """The CDA R2 document of ``request`` (UTF-8 bytes)."""
    kind = request.kind
    stamp = request.when.astimezone(dt.UTC).strftime("%Y%m%d%H%M%S") + "+0000"
    root = etree.Element(f"{{{V3}}}ClinicalDocument", nsmap={None: V3, "xsi": XSI})
    _add(root, "realmCode", code="FR")
    _add(root, "typeId", root="2.16.840.1.113883.1.3", extension="POCD_HD000040")
    _add(root, "templateId", root="2.16.840.1.113883.2.8.2.1")
    _add(root, "templateId", root="1.2.250.1.213.1.1.1.1")
    if kind.structured:
        _add(root, "templateId", root=FLUDT_TEMPLATE if kind.name == "FLUDT" else DLU_TEMPLATE, extension="2022.01")
    else:
        _add(root, "templateId", root=XDS_SD)
        if request.extra_template:
            _add(root, "templateId", root=DLU_TEMPLATE, extension="2022.01")
    _add(root, "id", root=request.document_id)
    _add(root, "code", code=kind.code, codeSystem=LOINC, displayName=kind.display)
    _add(root, "title", request.title or kind.title)
    _add(root, "effectiveTime", value=stamp)
    language = etree.Element(f"{{{V3}}}languageCode", code="fr-FR")
    if "cda_language_before_confidentiality" in request.quirks:  # element order of the schema not followed
        root.append(language)
    _add(
        root,
        "confidentialityCode",
        code=request.confidentiality,
        codeSystem="2.16.840.1.113883.5.25",
        displayName=CONFIDENTIALITY_NAMES.get(request.confidentiality, request.confidentiality),
    )
    if language.getparent() is None:
        root.append(language)
    _add(root, "setId", root=request.set_id)
    _add(root, "versionNumber", value=str(request.version))
    _record_target(root, request)
    author = _add(root, "author")
    _add(author, "time", value=stamp)
    _professional(_add(author, "assignedAuthor"))
    if "cda_no_custodian" not in request.quirks:
        custodian = _add(_add(_add(root, "custodian"), "assignedCustodian"), "representedCustodianOrganization")
        _add(custodian, "id", root="1.2.250.1.71.4.2.2", extension=ORGANISATION["struct"])
        _add(custodian, "name", ORGANISATION["name"])
    _recipients(root, request)
    legal = _add(root, "legalAuthenticator")
    _add(legal, "time", value=stamp)
    _add(legal, "signatureCode", code="S")
    _professional(_add(legal, "assignedEntity"))
    if kind.structured:
        participant = _add(root, "participant", typeCode="INF")
        _add(
            participant, "functionCode", code="PCP", codeSystem="2.16.840.1.113883.5.88", displayName="Médecin Traitant"
        )
        _add(_add(participant, "time"), "low", value=stamp)  # structuration minimale: participant/time [1..1]
        entity = _add(participant, "associatedEntity", classCode="PROV")
        _add(entity, "id", root="1.2.250.1.71.4.2.1", extension=ORGANISATION["author"])
    event = _add(_add(root, "documentationOf"), "serviceEvent")
    if kind.name == "DLU" and "cda_dlu_no_service_event_code" not in request.quirks:
        _add(event, "code", code="34117-2", codeSystem=LOINC, displayName="Historique et clinique")
    elif kind.name == "FLUDT":
        _add(event, "code", code=FLUDT_SERVICE_EVENT[0], codeSystem=LOINC, displayName=FLUDT_SERVICE_EVENT[1])
    period = _add(event, "effectiveTime")
    _add(period, "low", value=act_time(request) or stamp)
    _professional(_add(_add(event, "performer", typeCode="PRF"), "assignedEntity"))
    if request.replaces:
        related = _add(root, "relatedDocument", typeCode="RPLC")
        _add(_add(related, "parentDocument"), "id", root=request.replaces)
    encounter = _add(_add(root, "componentOf"), "encompassingEncounter")
    _add(_add(encounter, "effectiveTime"), "low", value=act_time(request) or stamp)
    _add(
        _add(_add(encounter, "location"), "healthCareFacility"),
        "code",
        code=ORGANISATION["facility"],
        codeSystem="1.2.250.1.71.4.2.4",
        displayName="Etablissement pour personnes âgées",
    )
    component = _add(root, "component")
    if kind.name == "FLUDT":
        skip = frozenset({"1.3.6.1.4.1.19376.1.5.3.1.3.25"} if "cda_fludt_no_vital_signs" in request.quirks else ())
        fludt_body(_add(component, "structuredBody"), stamp, new_oid, skip=skip)
    elif kind.structured:
        body = _add(component, "structuredBody")
        for template, code, title in DLU_SECTIONS:
            section = _add(_add(body, "component"), "section")
            _add(section, "templateId", root=template)
            _add(section, "id", root=new_oid())
            _add(section, "code", code=code, codeSystem=LOINC)
            _add(section, "title", title)
            text = _add(section, "text", f"{title} : renseigné par l'EHPAD")
            if template == ADDED_DOCUMENTS:
                _add(text, "content", "Attestation de la carte vitale", ID="doc1")
                _attached_document(section, request)
    else:
        text = _add(_add(component, "nonXMLBody"), "text", mediaType="application/pdf", representation="B64")
        if "cda_n1_no_representation" in request.quirks:  # base64 sent, but not declared as such
            del text.attrib["representation"]
        content = request.pdf or pdf(f"{kind.title} - {request.patient.birth_name}")
        text.text = base64.b64encode(content).decode("ascii")
    data: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return data
