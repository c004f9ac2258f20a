"""DMP requests built by the harness: ITI-41/18/43/57 and TD0.2, with a signed VIHF.

An independent client of the simulator (the reference DUI has its own): the metadata of a
document is derived from its CDA header as the CI-SIS mapping says (french-specs.md §2.3),
MTOM bodies are written with the standard library's :mod:`email` package. Used to seed the
DMP with documents from other professionals, by the tests and by the benchmark.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import uuid

from lxml import etree

from harness.validators.safexml import parse_xml
from harness.validators.xds.ebrim import ASSOC_HAS_MEMBER, ASSOC_RPLC, CLASSIFICATION_NODE_SS, DE, NS, RIM, SS
from mocks.dmp.samples_cda import HOSPITAL, KINDS
from mocks.dmp.samples_signature import add_signature
from mocks.dmp.samples_soap import Signer, envelope, mtom, vihf

__all__ = [
    "Signer",
    "envelope",
    "iti18_request",
    "iti41_request",
    "iti43_request",
    "metadata_for",
    "mtom",
    "td02_request",
    "vihf",
]

CDA = {"cda": "urn:hl7-org:v3"}


def _slot(parent: etree._Element, name: str, *values: str) -> None:
    slot = etree.SubElement(parent, f"{{{RIM}}}Slot", name=name)
    value_list = etree.SubElement(slot, f"{{{RIM}}}ValueList")
    for value in values:
        etree.SubElement(value_list, f"{{{RIM}}}Value").text = value


def _name(parent: etree._Element, tag: str, text: str) -> None:
    etree.SubElement(etree.SubElement(parent, f"{{{RIM}}}{tag}"), f"{{{RIM}}}LocalizedString", value=text)


def _classify(parent: etree._Element, scheme: str, obj: str, code: str, system: str, display: str) -> None:
    c = etree.SubElement(
        parent,
        f"{{{RIM}}}Classification",
        id=f"cl-{uuid.uuid4().hex[:12]}",
        classificationScheme=scheme,
        classifiedObject=obj,
        nodeRepresentation=code,
    )
    _slot(c, "codingScheme", system)
    _name(c, "Name", display)


def _external(parent: etree._Element, scheme: str, obj: str, value: str, name: str) -> None:
    e = etree.SubElement(
        parent,
        f"{{{RIM}}}ExternalIdentifier",
        id=f"ei-{uuid.uuid4().hex[:12]}",
        identificationScheme=scheme,
        registryObject=obj,
        value=value,
    )
    _name(e, "Name", name)


def _utc(ts: str) -> str:
    moment = dt.datetime.strptime(ts[:14] + ts[14:19], "%Y%m%d%H%M%S%z")
    return moment.astimezone(dt.UTC).strftime("%Y%m%d%H%M%S")


def metadata_for(
    objects: etree._Element, cda: bytes, entry_id: str, *, extra_confidentiality: tuple[str, ...] = ()
) -> str:
    """Append to ``objects`` the DocumentEntry of ``cda`` derived from its header; returns its patientId."""
    doc = parse_xml(cda)

    def text(xpath: str) -> str:
        found = doc.xpath(xpath, namespaces=CDA)
        if not isinstance(found, list) or not found:
            return ""
        first = found[0]
        return (first.text or "").strip() if isinstance(first, etree._Element) else str(first)

    ins, oid = (
        text("cda:recordTarget/cda:patientRole/cda:id/@extension"),
        text("cda:recordTarget/cda:patientRole/cda:id/@root"),
    )
    patient = f"{ins}^^^&{oid}&ISO^NH"
    templates = [str(t) for t in doc.xpath("cda:templateId/@root", namespaces=CDA)]
    kind = next((k for k in KINDS.values() if k.template in templates), KINDS["N1"])
    entry = etree.SubElement(
        objects,
        f"{{{RIM}}}ExtrinsicObject",
        id=entry_id,
        mimeType="text/xml",
        objectType="urn:uuid:7edca82f-054d-47f2-a032-9b2a5b5186c1",
    )
    effective = text("cda:effectiveTime/@value")
    _slot(entry, "creationTime", _utc(effective))
    _slot(entry, "languageCode", text("cda:languageCode/@code"))
    _slot(
        entry, "serviceStartTime", _utc(text("cda:documentationOf/cda:serviceEvent/cda:effectiveTime/cda:low/@value"))
    )
    _slot(entry, "sourcePatientId", patient)
    _slot(entry, "hash", hashlib.sha1(cda).hexdigest())
    _slot(entry, "size", str(len(cda)))
    author_id = text("cda:author/cda:assignedAuthor/cda:id/@extension")
    family = text("cda:author/cda:assignedAuthor/cda:assignedPerson/cda:name/cda:family")
    given = text("cda:author/cda:assignedAuthor/cda:assignedPerson/cda:name/cda:given")
    person = f"{author_id}^{family}^{given}^^^^^^&1.2.250.1.71.4.2.1&ISO^D^^^IDNPS"
    _slot(entry, "legalAuthenticator", person)
    _name(entry, "Name", text("cda:title"))
    author = etree.SubElement(
        entry,
        f"{{{RIM}}}Classification",
        id=f"au-{uuid.uuid4().hex[:12]}",
        classificationScheme=DE.AUTHOR,
        classifiedObject=entry_id,
        nodeRepresentation="",
    )
    struct = text("cda:author/cda:assignedAuthor/cda:representedOrganization/cda:id/@extension")
    org = text("cda:author/cda:assignedAuthor/cda:representedOrganization/cda:name")
    _slot(author, "authorPerson", person)
    _slot(author, "authorInstitution", f"{org}^^^^^&1.2.250.1.71.4.2.2&ISO^IDNST^^^{struct}")
    _classify(entry, DE.CLASS_CODE, entry_id, kind.class_code, "1.2.250.1.213.1.1.4.1", "Synthèse")
    conf = text("cda:confidentialityCode/@code")
    _classify(entry, DE.CONFIDENTIALITY, entry_id, conf, "2.16.840.1.113883.5.25", conf)
    for code in extra_confidentiality:
        _classify(entry, DE.CONFIDENTIALITY, entry_id, code, "1.2.250.1.213.1.1.4.13", code)
    _classify(
        entry,
        DE.FORMAT_CODE,
        entry_id,
        kind.format_code,
        "1.3.6.1.4.1.19376.1.2.3" if kind.template is None else "1.2.250.1.213.1.1.4.2.282",
        kind.format_code,
    )
    facility = text("cda:componentOf/cda:encompassingEncounter/cda:location/cda:healthCareFacility/cda:code/@code")
    _classify(entry, DE.FACILITY_TYPE, entry_id, facility, "1.2.250.1.71.4.2.4", facility)
    practice = text(
        "cda:documentationOf/cda:serviceEvent/cda:performer/cda:assignedEntity/"
        "cda:representedOrganization/cda:standardIndustryClassCode/@code"
    )
    _classify(entry, DE.PRACTICE_SETTING, entry_id, practice, "1.2.250.1.213.1.1.4.9", practice)
    _classify(
        entry,
        DE.TYPE_CODE,
        entry_id,
        text("cda:code/@code"),
        text("cda:code/@codeSystem"),
        text("cda:code/@displayName"),
    )
    _external(entry, DE.PATIENT_ID, entry_id, patient, "XDSDocumentEntry.patientId")
    root, ext = text("cda:id/@root"), text("cda:id/@extension")
    _external(entry, DE.UNIQUE_ID, entry_id, f"{root}^{ext}" if ext else root, "XDSDocumentEntry.uniqueId")
    return patient


def iti41_request(
    documents: list[bytes],
    *,
    signer: Signer | None,
    mtom_: bool = True,
    replaces: str | None = None,
    vihf_ins: tuple[str, str] | None = None,
    structure: str = HOSPITAL["struct"],
    extra_confidentiality: tuple[str, ...] = (),
    signed_set: bool = True,
) -> tuple[bytes, str]:
    """``(body, content_type)`` of an ITI-41 request submitting ``documents`` (CDA bytes); with a ``signer``
    the VIHF and (unless ``signed_set`` is False) the submission set are signed (IHE DSG, DMP-SIGN-01)."""
    request = etree.Element(
        f"{{{NS['xdsb']}}}ProvideAndRegisterDocumentSetRequest",
        nsmap={"xdsb": NS["xdsb"], "lcm": NS["lcm"], "rim": RIM, "xop": NS["xop"]},
    )
    submit = etree.SubElement(request, f"{{{NS['lcm']}}}SubmitObjectsRequest")
    objects = etree.SubElement(submit, f"{{{RIM}}}RegistryObjectList")
    patient = ""
    for index, cda in enumerate(documents, start=1):
        patient = metadata_for(objects, cda, f"Document{index:02d}", extra_confidentiality=extra_confidentiality)
    ss = etree.SubElement(objects, f"{{{RIM}}}RegistryPackage", id="SubmissionSet01")
    _slot(ss, "submissionTime", dt.datetime.now(dt.UTC).strftime("%Y%m%d%H%M%S"))
    author = etree.SubElement(
        ss,
        f"{{{RIM}}}Classification",
        id="ss-author",
        classificationScheme=SS.AUTHOR,
        classifiedObject="SubmissionSet01",
        nodeRepresentation="",
    )
    _slot(
        author,
        "authorPerson",
        f"{HOSPITAL['author']}^{HOSPITAL['family']}^{HOSPITAL['given']}^^^^^^&1.2.250.1.71.4.2.1&ISO^D^^^IDNPS",
    )
    _classify(ss, SS.CONTENT_TYPE, "SubmissionSet01", "04", "1.2.250.1.213.1.1.4.2.2", "Hospitalisation")
    _external(ss, SS.UNIQUE_ID, "SubmissionSet01", f"2.25.{uuid.uuid4().int}", "XDSSubmissionSet.uniqueId")
    _external(ss, SS.SOURCE_ID, "SubmissionSet01", "1.2.250.1.213.1.1.9.99", "XDSSubmissionSet.sourceId")
    _external(ss, SS.PATIENT_ID, "SubmissionSet01", patient, "XDSSubmissionSet.patientId")
    etree.SubElement(
        objects,
        f"{{{RIM}}}Classification",
        id="ss-node",
        classifiedObject="SubmissionSet01",
        classificationNode=CLASSIFICATION_NODE_SS,
    )
    for index in range(1, len(documents) + 1):
        assoc = etree.SubElement(
            objects,
            f"{{{RIM}}}Association",
            id=f"as-{index:02d}",
            associationType=ASSOC_HAS_MEMBER,
            sourceObject="SubmissionSet01",
            targetObject=f"Document{index:02d}",
        )
        _slot(assoc, "SubmissionSetStatus", "Original")
    if replaces:
        etree.SubElement(
            objects,
            f"{{{RIM}}}Association",
            id="as-rplc",
            associationType=ASSOC_RPLC,
            sourceObject="Document01",
            targetObject=replaces,
        )
    contents = {f"Document{index:02d}": cda for index, cda in enumerate(documents, start=1)}
    signature = add_signature(objects, "SubmissionSet01", signer, contents) if signer and signed_set else None
    if signature is not None:  # the signed submission set of the DMPi alimentation (IHE DSG, DMP-SIGN-01)
        contents[signature[0]] = signature[1]
    attachments = {}
    for index, (entry_id, cda) in enumerate(contents.items(), start=1):
        document = etree.SubElement(request, f"{{{NS['xdsb']}}}Document", id=entry_id)
        if mtom_:
            cid = f"doc{index}.{uuid.uuid4().hex}@dui-harness"
            etree.SubElement(document, f"{{{NS['xop']}}}Include", href=f"cid:{cid}")
            attachments[cid] = cda
        else:
            document.text = base64.b64encode(cda).decode("ascii")
    ins, _, rest = patient.partition("^^^&")
    assertion = vihf(*(vihf_ins or (ins, rest.split("&")[0])), signer=signer, structure=structure)
    action = "urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-b"
    soap = envelope(action, request, assertion)
    if not mtom_:
        return soap, f'application/soap+xml; charset=utf-8; action="{action}"'
    return mtom(soap, action, attachments)


def iti18_request(
    query_id: str,
    params: dict[str, list[str]],
    *,
    ins: str,
    oid: str,
    signer: Signer | None,
    return_type: str = "LeafClass",
    structure: str = HOSPITAL["struct"],
) -> tuple[bytes, str]:
    request = etree.Element(f"{{{NS['query']}}}AdhocQueryRequest", nsmap={"query": NS["query"], "rim": RIM})
    etree.SubElement(request, f"{{{NS['query']}}}ResponseOption", returnType=return_type, returnComposedObjects="true")
    query = etree.SubElement(request, f"{{{RIM}}}AdhocQuery", id=query_id)
    for name, values in params.items():
        _slot(query, name, *values)
    action = "urn:ihe:iti:2007:RegistryStoredQuery"
    soap = envelope(action, request, vihf(ins, oid, signer=signer, structure=structure))
    return soap, f'application/soap+xml; charset=utf-8; action="{action}"'


def iti43_request(
    repository: str,
    unique_ids: list[str],
    *,
    ins: str,
    oid: str,
    signer: Signer | None,
    mtom_: bool = True,
    structure: str = HOSPITAL["struct"],
) -> tuple[bytes, str]:
    request = etree.Element(f"{{{NS['xdsb']}}}RetrieveDocumentSetRequest", nsmap={"xdsb": NS["xdsb"]})
    for unique in unique_ids:
        item = etree.SubElement(request, f"{{{NS['xdsb']}}}DocumentRequest")
        etree.SubElement(item, f"{{{NS['xdsb']}}}RepositoryUniqueId").text = repository
        etree.SubElement(item, f"{{{NS['xdsb']}}}DocumentUniqueId").text = unique
    action = "urn:ihe:iti:2007:RetrieveDocumentSet"
    soap = envelope(action, request, vihf(ins, oid, signer=signer, structure=structure))
    return mtom(soap, action, {}) if mtom_ else (soap, f'application/soap+xml; charset=utf-8; action="{action}"')


def td02_request(ins: str, oid: str, *, signer: Signer | None) -> tuple[bytes, str]:
    namespace = "urn:dui-harness:dmp:td02:1"
    request = etree.Element(f"{{{namespace}}}td02ExistRequest", nsmap={"td02": namespace})
    etree.SubElement(request, f"{{{namespace}}}patientId").text = f"{ins}^^^&{oid}&ISO^NH"
    action = "urn:dui-harness:dmp:td02Exist"
    return envelope(action, request, vihf(ins, oid, signer=signer)), f'application/soap+xml; action="{action}"'
