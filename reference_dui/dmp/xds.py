"""The reference DUI's XDS.b messages: ITI-41 (with its metadata), ITI-57, ITI-18, ITI-43, TD0.2.

Metadata come from what the DUI itself put in the document (its :class:`DocumentRequest`),
as the CI-SIS mapping says (french-specs §2.3). The DUI names its DocumentEntries with
``urn:uuid:`` entryUUIDs, so that it can later replace (RPLC) or update (ITI-57) them.
Defect switches that bend the metadata are applied here (``defects``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Iterable
from pathlib import Path

from lxml import etree

from reference_dui.dmp.cda import ORGANISATION, DocumentRequest, act_time, pdf
from reference_dui.dmp.history import legal_entity_author
from reference_dui.dmp.signing import sign_submission

__all__ = [
    "ACTIONS",
    "envelope",
    "find_documents",
    "provide_and_register",
    "retrieve",
    "td02",
    "td03",
    "update_status",
    "update_visibility",
]

RIM = "urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0"
LCM = "urn:oasis:names:tc:ebxml-regrep:xsd:lcm:3.0"
QUERY = "urn:oasis:names:tc:ebxml-regrep:xsd:query:3.0"
XDSB = "urn:ihe:iti:xds-b:2007"
XOP = "http://www.w3.org/2004/08/xop/include"
SOAP = "http://www.w3.org/2003/05/soap-envelope"
WSA = "http://www.w3.org/2005/08/addressing"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
TD02 = "urn:dui-harness:dmp:td02:1"
TD03 = "urn:dui-harness:dmp:td03:1"
ACTIONS = {
    "ITI-41": "urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-b",
    "ITI-18": "urn:ihe:iti:2007:RegistryStoredQuery",
    "ITI-43": "urn:ihe:iti:2007:RetrieveDocumentSet",
    "ITI-57": "urn:ihe:iti:2010:UpdateDocumentSet",
    "TD0.2": "urn:dui-harness:dmp:td02Exist",
    "TD0.3": "urn:dui-harness:dmp:td03AddAuthorization",
}
APPROVED = "urn:oasis:names:tc:ebxml-regrep:StatusType:Approved"
SCHEME = {
    "author": "urn:uuid:93606bcf-9494-43ec-9b4e-a7748d1a838d",
    "class": "urn:uuid:41a5887f-8865-4c09-adf7-e362475b143a",
    "conf": "urn:uuid:f4f85eac-e6cb-4883-b524-f2705394840f",
    "event": "urn:uuid:2c6b8cb7-8b2a-4051-b291-b1ae6a575ef4",
    "format": "urn:uuid:a09d5840-386c-46f2-b5ad-9c3699a4309d",
    "facility": "urn:uuid:f33fb8ac-18af-42cc-ae0e-ed0b0bdb91e1",
    "practice": "urn:uuid:cccf5598-8b07-4b77-a05e-ae952c785ead",
    "type": "urn:uuid:f0306f51-975f-434e-a61c-c59651d33983",
    "patient": "urn:uuid:58a6f841-87b3-4a3e-92fd-a8ffeff98427",
    "unique": "urn:uuid:2e82c1f6-a085-4c72-9da3-8640a32e42ab",
    "ss_author": "urn:uuid:a7058bb9-b4e4-4307-ba5b-e3f0ab85e12d",
    "ss_content": "urn:uuid:aa543740-bdda-424e-8c96-df4873be8500",
    "ss_unique": "urn:uuid:96fdda7c-d067-4183-912e-bf5ee74998a8",
    "ss_source": "urn:uuid:554ac39e-e3fe-47fe-b233-965d2a147832",
    "ss_patient": "urn:uuid:6b5aea1a-874d-4603-a4bc-96a0a7b38446",
}
SS_NODE = "urn:uuid:a54d6aa5-d40d-43f9-88c5-b4633d873bdd"
#: the DUI's sourceId (an OID of the reference DUI instance, synthetic)
SOURCE_ID = "1.2.250.1.213.1.1.9.1999000021"
AUTHOR = (
    f"{ORGANISATION['author']}^{ORGANISATION['family']}^{ORGANISATION['given']}^^^^^^&1.2.250.1.71.4.2.1&ISO^D^^^IDNPS"
)
INSTITUTION = f"{ORGANISATION['name']}^^^^^&1.2.250.1.71.4.2.2&ISO^IDNST^^^{ORGANISATION['struct']}"


def _slot(parent: etree._Element, name: str, *values: str) -> None:
    value_list = etree.SubElement(etree.SubElement(parent, f"{{{RIM}}}Slot", name=name), f"{{{RIM}}}ValueList")
    for value in values:
        etree.SubElement(value_list, f"{{{RIM}}}Value").text = value


def _named(parent: etree._Element, tag: str, text: str) -> None:
    etree.SubElement(etree.SubElement(parent, f"{{{RIM}}}{tag}"), f"{{{RIM}}}LocalizedString", value=text)


def _code(parent: etree._Element, scheme: str, obj: str, code: str, system: str, display: str) -> None:
    element = etree.SubElement(
        parent,
        f"{{{RIM}}}Classification",
        id=f"urn:uuid:{uuid.uuid4()}",
        classificationScheme=scheme,
        classifiedObject=obj,
        nodeRepresentation=code,
    )
    _slot(element, "codingScheme", system)
    _named(element, "Name", display)


def _identifier(parent: etree._Element, scheme: str, obj: str, value: str, name: str) -> None:
    element = etree.SubElement(
        parent,
        f"{{{RIM}}}ExternalIdentifier",
        id=f"urn:uuid:{uuid.uuid4()}",
        identificationScheme=scheme,
        registryObject=obj,
        value=value,
    )
    _named(element, "Name", name)


def patient_cx(request: DocumentRequest, defects: frozenset[str] = frozenset()) -> str:
    person = request.patient
    if "dmp_patient_id_mismatch" in defects:  # the local IPP where the INS belongs
        return f"{person.local_id}^^^&1.2.250.1.213.1.1.9.{ORGANISATION['struct']}&ISO"
    return f"{person.ins}^^^&{person.ins_oid}&ISO^NH"


def _entry(
    objects: etree._Element,
    entry_uuid: str,
    cda: bytes,
    request: DocumentRequest,
    defects: frozenset[str],
    *,
    lid: str | None = None,
    extra_codes: Iterable[str] = (),
    mime_type: str = "text/xml",
) -> None:
    kind = request.kind
    attributes = {
        "id": entry_uuid,
        "mimeType": mime_type,
        "objectType": "urn:uuid:7edca82f-054d-47f2-a032-9b2a5b5186c1",
    }
    if lid:
        attributes["lid"] = lid
    entry = etree.SubElement(objects, f"{{{RIM}}}ExtrinsicObject", attributes)
    stamp = request.when.strftime("%Y%m%d%H%M%S")
    created = stamp
    if "dmp_creation_time_local" in defects:  # Paris local time written as if it were UTC
        created = (request.when + dt.timedelta(hours=1)).strftime("%Y%m%d%H%M%S")
    _slot(entry, "creationTime", created)
    _slot(entry, "languageCode", "fr-FR")
    _slot(
        entry,
        "serviceStartTime",
        act_time(request) or (request.when.isoformat() if "dmp_service_start_iso" in defects else stamp),
    )
    _slot(
        entry, "sourcePatientId", f"{request.patient.local_id}^^^&1.2.250.1.213.1.1.9.{ORGANISATION['struct']}&ISO^PI"
    )
    _slot(
        entry,
        "sourcePatientInfo",
        f"PID-5|{request.patient.birth_name}^{request.patient.first_names[0]}^^^^^L",
        f"PID-7|{request.patient.birth_date.replace('-', '')}",
        f"PID-8|{request.patient.sex}",
    )
    signed = cda[1:] if "dmp_hash_mismatch" in defects else cda  # hash of other bytes than those sent
    _slot(entry, "hash", hashlib.sha1(signed).hexdigest())
    _slot(entry, "size", str(len(cda)))
    _slot(entry, "legalAuthenticator", AUTHOR)
    _named(entry, "Name", request.title or kind.title)
    author = _author(entry, SCHEME["author"], entry_uuid)
    legal_entity_author(entry, entry_uuid, SCHEME["author"], request)
    _slot(
        author,
        "authorSpecialty",
        f"{ORGANISATION['profession']}^Médecin - Qualifié en Médecine Générale (SM)^1.2.250.1.213.1.1.4.5",
    )
    _code(entry, SCHEME["class"], entry_uuid, kind.class_code, "1.2.250.1.213.1.1.4.1", kind.title)
    if "dmp_no_confidentiality" not in defects:
        # the structure's default level instead of the document's (defect ``dmp_confidentiality_default_r``)
        level = "R" if "dmp_confidentiality_default_r" in defects else request.confidentiality
        _code(entry, SCHEME["conf"], entry_uuid, level, "2.16.840.1.113883.5.25", "Normal")
        for code in dict.fromkeys((*request.visibility, *extra_codes)):  # chosen at submission, then updated
            _code(entry, SCHEME["conf"], entry_uuid, code, "1.2.250.1.213.1.1.4.13", code)
    fmt, system = kind.format_code, kind.format_system
    if "dmp_wrong_format_code" in defects:  # structured and unstructured formats swapped
        fmt, system = (
            ("urn:ihe:iti:xds-sd:pdf:2008", "1.3.6.1.4.1.19376.1.2.3")
            if kind.structured
            else ("urn:asip:ci-sis:dlu:2015", "1.2.250.1.213.1.1.4.2.282")
        )
    _code(entry, SCHEME["format"], entry_uuid, fmt, system, fmt)
    _code(
        entry,
        SCHEME["facility"],
        entry_uuid,
        "EHPAD" if "dmp_facility_local_code" in defects else ORGANISATION["facility"],
        "1.2.250.1.71.4.2.4",
        "Etablissement pour personnes âgées",
    )
    _code(
        entry,
        SCHEME["practice"],
        entry_uuid,
        ORGANISATION["practice"],
        "1.2.250.1.213.1.1.4.9",
        "Etablissement ou Service Social ou Médico-Social",
    )
    type_code = "11490-0" if "dmp_n1_generic_type_code" in defects and kind.name == "N1" else kind.code
    _code(entry, SCHEME["type"], entry_uuid, type_code, "2.16.840.1.113883.6.1", kind.display)
    _identifier(entry, SCHEME["patient"], entry_uuid, patient_cx(request, defects), "XDSDocumentEntry.patientId")
    unique = request.document_id
    if "dmp_unique_id_with_version" in defects:  # the version number appended to the document id
        unique = f"{request.document_id}.{request.version}"
    _identifier(entry, SCHEME["unique"], entry_uuid, unique, "XDSDocumentEntry.uniqueId")


def _submission_set(objects: etree._Element, request: DocumentRequest, defects: frozenset[str]) -> str:
    ss_id = f"urn:uuid:{uuid.uuid4()}"
    ss = etree.SubElement(objects, f"{{{RIM}}}RegistryPackage", id=ss_id)
    _slot(ss, "submissionTime", request.when.strftime("%Y%m%d%H%M%S"))
    _named(ss, "Name", "Lot de soumission DUI de référence")
    _author(ss, SCHEME["ss_author"], ss_id)
    legal_entity_author(ss, ss_id, SCHEME["ss_author"], request)
    _code(ss, SCHEME["ss_content"], ss_id, "SYNTHESE_MS", "1.2.250.1.213.1.1.4.2.2", "Suivi médico-social")
    _identifier(ss, SCHEME["ss_unique"], ss_id, f"2.25.{uuid.uuid4().int}", "XDSSubmissionSet.uniqueId")
    if "dmp_ss_no_source_id" not in defects:
        _identifier(ss, SCHEME["ss_source"], ss_id, SOURCE_ID, "XDSSubmissionSet.sourceId")
    _identifier(ss, SCHEME["ss_patient"], ss_id, patient_cx(request, defects), "XDSSubmissionSet.patientId")
    etree.SubElement(
        objects,
        f"{{{RIM}}}Classification",
        id=f"urn:uuid:{uuid.uuid4()}",
        classifiedObject=ss_id,
        classificationNode=SS_NODE,
    )
    return ss_id


def _author(parent: etree._Element, scheme: str, object_id: str) -> etree._Element:
    """An author Classification of ``object_id`` (the reference DUI's professional and structure)."""
    author = etree.SubElement(
        parent,
        f"{{{RIM}}}Classification",
        id=f"urn:uuid:{uuid.uuid4()}",
        classificationScheme=scheme,
        classifiedObject=object_id,
        nodeRepresentation="",
    )
    _slot(author, "authorPerson", AUTHOR)
    _slot(author, "authorInstitution", INSTITUTION)
    return author


def _member(
    objects: etree._Element, ss_id: str, entry_uuid: str, previous_version: int | None = None, status: bool = True
) -> None:
    assoc = etree.SubElement(
        objects,
        f"{{{RIM}}}Association",
        id=f"urn:uuid:{uuid.uuid4()}",
        associationType="urn:oasis:names:tc:ebxml-regrep:AssociationType:HasMember",
        sourceObject=ss_id,
        targetObject=entry_uuid,
    )
    if status:
        _slot(assoc, "SubmissionSetStatus", "Original")
    if previous_version is not None:
        _slot(assoc, "PreviousVersion", str(previous_version))


def _signature_entry(
    objects: etree._Element, entry_uuid: str, content: bytes, request: DocumentRequest, defects: frozenset[str]
) -> None:
    """The IHE DSG signature's DocumentEntry (:mod:`reference_dui.dmp.signing`): the submission's patient,
    author and structure, the DSG codes (Digital Signature, E1762, xmldsig#, eventCode "Source")."""
    entry = etree.SubElement(
        objects,
        f"{{{RIM}}}ExtrinsicObject",
        id=entry_uuid,
        mimeType="text/xml",
        objectType="urn:uuid:7edca82f-054d-47f2-a032-9b2a5b5186c1",
    )
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d%H%M%S")
    for name, value in (("creationTime", stamp), ("languageCode", "art"), ("serviceStartTime", stamp)):
        _slot(entry, name, value)
    _slot(
        entry, "sourcePatientId", f"{request.patient.local_id}^^^&1.2.250.1.213.1.1.9.{ORGANISATION['struct']}&ISO^PI"
    )
    _slot(entry, "hash", hashlib.sha1(content).hexdigest())
    _slot(entry, "size", str(len(content)))
    _slot(entry, "legalAuthenticator", AUTHOR)
    _named(entry, "Name", "Source")
    _author(entry, SCHEME["author"], entry_uuid)
    for scheme, code, system, display in (
        ("class", "urn:oid:1.3.6.1.4.1.19376.1.2.1.1.1", "URN", "Digital Signature"),
        ("type", "E1762", "ASTM", "Full Document"),
        ("conf", "N", "2.16.840.1.113883.5.25", "Normal"),
        ("format", "http://www.w3.org/2000/09/xmldsig#", "URN", "Default Signature Style"),
        ("facility", ORGANISATION["facility"], "1.2.250.1.71.4.2.4", "Etablissement pour personnes âgées"),
        ("practice", ORGANISATION["practice"], "1.2.250.1.213.1.1.4.9", "Etablissement ou Service Social"),
        ("event", "1.2.840.10065.1.12.1.14", "1.2.840.10065.1.12", "Source"),
    ):
        _code(entry, SCHEME[scheme], entry_uuid, code, system, display)
    _identifier(entry, SCHEME["patient"], entry_uuid, patient_cx(request, defects), "XDSDocumentEntry.patientId")
    _identifier(entry, SCHEME["unique"], entry_uuid, f"2.25.{uuid.uuid4().int}", "XDSDocumentEntry.uniqueId")


def provide_and_register(
    request: DocumentRequest,
    cda: bytes,
    entry_uuid: str,
    *,
    defects: frozenset[str],
    replaces_entry: str | None = None,
    signing: tuple[Path, Path] | None = None,
) -> tuple[etree._Element, dict[str, bytes]]:
    """The ITI-41 body (``xdsb:ProvideAndRegisterDocumentSetRequest``) and its MTOM attachments: the document
    and, with the structure's "cachet" ``signing`` certificate, the signature of the submission set (DMPi TD2.1,
    :mod:`reference_dui.dmp.signing`)."""
    body = etree.Element(
        f"{{{XDSB}}}ProvideAndRegisterDocumentSetRequest", nsmap={"xdsb": XDSB, "lcm": LCM, "rim": RIM, "xop": XOP}
    )
    objects = etree.SubElement(etree.SubElement(body, f"{{{LCM}}}SubmitObjectsRequest"), f"{{{RIM}}}RegistryObjectList")
    cda, mime_type = _sent(request, cda, defects)
    _entry(objects, entry_uuid, cda, request, defects, mime_type=mime_type)
    ss_id = _submission_set(objects, request, defects)
    _member(objects, ss_id, entry_uuid, status="dmp_member_no_status" not in defects)
    if replaces_entry:
        etree.SubElement(
            objects,
            f"{{{RIM}}}Association",
            id=f"urn:uuid:{uuid.uuid4()}",
            associationType="urn:ihe:iti:2007:AssociationType:RPLC",
            sourceObject=entry_uuid,
            targetObject=replaces_entry,
        )
    cid = f"{uuid.uuid4().hex}@reference-dui"
    etree.SubElement(
        etree.SubElement(body, f"{{{XDSB}}}Document", id=entry_uuid), f"{{{XOP}}}Include", href=f"cid:{cid}"
    )
    signature = sign_submission(
        body,
        objects,
        ss_id=ss_id,
        entry_of=lambda parent, sig_uuid, content: _signature_entry(parent, sig_uuid, content, request, defects),
        documents=[(_unique_of(objects, entry_uuid), cda)],
        signing=signing,
        defects=defects,
    )
    return body, {cid: cda, **signature}


def _unique_of(objects: etree._Element, entry_uuid: str) -> str:
    """The uniqueId written for the DocumentEntry ``entry_uuid`` (as sent, defects included)."""
    for ext in objects.iter(f"{{{RIM}}}ExternalIdentifier"):
        if ext.get("registryObject") == entry_uuid and ext.get("identificationScheme") == SCHEME["unique"]:
            return str(ext.get("value") or "")
    return ""


def _sent(request: DocumentRequest, cda: bytes, defects: frozenset[str]) -> tuple[bytes, str]:
    """The document bytes sent and their mimeType: the CDA, or (``dmp_bare_pdf``, an unstructured
    document) the bare PDF itself, not wrapped in its N1 CDA."""
    if "dmp_bare_pdf" in defects and request.kind.name == "N1":
        return request.pdf or pdf(request.title or request.kind.title), "application/pdf"
    return cda, "text/xml"


def update_visibility(
    request: DocumentRequest,
    cda: bytes,
    *,
    lid: str,
    previous_version: int,
    codes: Iterable[str],
    defects: frozenset[str],
) -> etree._Element:
    """An ITI-57 SubmitObjectsRequest: a new version of the entry with these extra confidentiality codes."""
    body = etree.Element(f"{{{LCM}}}SubmitObjectsRequest", nsmap={"lcm": LCM, "rim": RIM})
    objects = etree.SubElement(body, f"{{{RIM}}}RegistryObjectList")
    entry_uuid = f"urn:uuid:{uuid.uuid4()}"
    _entry(objects, entry_uuid, cda, request, defects, lid=lid, extra_codes=codes)
    ss_id = _submission_set(objects, request, defects)
    _member(objects, ss_id, entry_uuid, previous_version)
    return body


def update_status(
    request: DocumentRequest, entry_uuid: str, original: str, new: str, defects: frozenset[str]
) -> etree._Element:
    """An ITI-57 SubmitObjectsRequest changing the availability status of a registered entry (the deletion
    of the DMP, TD3.3c, modelled as NewStatus ``urn:asip:ci-sis:2010:StatusType:Deleted``)."""
    body = etree.Element(f"{{{LCM}}}SubmitObjectsRequest", nsmap={"lcm": LCM, "rim": RIM})
    objects = etree.SubElement(body, f"{{{RIM}}}RegistryObjectList")
    ss_id = _submission_set(objects, request, defects)
    assoc = etree.SubElement(
        objects,
        f"{{{RIM}}}Association",
        id=f"urn:uuid:{uuid.uuid4()}",
        associationType="urn:ihe:iti:2010:AssociationType:UpdateAvailabilityStatus",
        sourceObject=ss_id,
        targetObject=entry_uuid,
    )
    _slot(assoc, "OriginalStatus", original)
    _slot(assoc, "NewStatus", new)
    return body


def td03(patient: str) -> etree._Element:
    """A TD0.3 request (add the professional's access authorisation; the simulator's wire format)."""
    request = etree.Element(f"{{{TD03}}}td03AddAuthorizationRequest", nsmap={"td03": TD03})
    etree.SubElement(request, f"{{{TD03}}}patientId").text = patient
    return request


def find_documents(patient: str, type_codes: Iterable[str], *, with_status: bool = True) -> etree._Element:
    body = etree.Element(f"{{{QUERY}}}AdhocQueryRequest", nsmap={"query": QUERY, "rim": RIM})
    etree.SubElement(body, f"{{{QUERY}}}ResponseOption", returnType="LeafClass", returnComposedObjects="true")
    query = etree.SubElement(body, f"{{{RIM}}}AdhocQuery", id="urn:uuid:14d4debf-8f97-4251-9a74-a90016b0af0d")
    _slot(query, "$XDSDocumentEntryPatientId", f"'{patient}'")
    if with_status:  # false only for the ``dmp_find_without_status`` defect
        _slot(query, "$XDSDocumentEntryStatus", f"('{APPROVED}')")
    codes = ",".join(f"'{c}'" for c in type_codes)
    if codes:
        _slot(query, "$XDSDocumentEntryTypeCode", f"({codes})")
    return body


def retrieve(repository: str, unique_ids: Iterable[str]) -> etree._Element:
    body = etree.Element(f"{{{XDSB}}}RetrieveDocumentSetRequest", nsmap={"xdsb": XDSB})
    for unique in unique_ids:
        item = etree.SubElement(body, f"{{{XDSB}}}DocumentRequest")
        etree.SubElement(item, f"{{{XDSB}}}RepositoryUniqueId").text = repository
        etree.SubElement(item, f"{{{XDSB}}}DocumentUniqueId").text = unique
    return body


def td02(patient: str) -> etree._Element:
    """TD0.2 request, in the format the harness documents as its assumption (the real one is not public)."""
    body = etree.Element(f"{{{TD02}}}td02ExistRequest", nsmap={"td02": TD02})
    etree.SubElement(body, f"{{{TD02}}}patientId").text = patient
    return body


def envelope(action: str, body: etree._Element, assertion: etree._Element) -> bytes:
    root = etree.Element(f"{{{SOAP}}}Envelope", nsmap={"soap": SOAP, "wsa": WSA})
    header = etree.SubElement(root, f"{{{SOAP}}}Header")
    etree.SubElement(header, f"{{{WSA}}}Action", {f"{{{SOAP}}}mustUnderstand": "true"}).text = action
    etree.SubElement(header, f"{{{WSA}}}MessageID").text = f"urn:uuid:{uuid.uuid4()}"
    etree.SubElement(header, f"{{{WSSE}}}Security", nsmap={"wsse": WSSE}).append(assertion)
    etree.SubElement(root, f"{{{SOAP}}}Body").append(body)
    data: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return data
