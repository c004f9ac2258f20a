"""ebXML RIM 3.0 / IHE XDS.b metadata: constants and a typed reading of a submission.

Read-only views over lxml elements (never rewritten here): :func:`read_submission` turns a
``lcm:SubmitObjectsRequest`` (inside an ITI-41 ``ProvideAndRegisterDocumentSetRequest`` or an
ITI-57 update) into :class:`Submission` with its document entries, submission sets,
associations and folders. Every object keeps its element, so that checks can point at an
XPath.

Reference: IHE ITI TF-3 §4.2 (metadata attributes, classification schemes and identification
schemes UUIDs), ebRIM 3.0.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

__all__ = [
    "ASSOC_HAS_MEMBER",
    "ASSOC_RPLC",
    "ASSOC_UPDATE_STATUS",
    "DE",
    "DSG_CLASS_CODE",
    "NS",
    "SS",
    "STATUS_APPROVED",
    "STATUS_ARCHIVED",
    "STATUS_DELETED",
    "STATUS_DEPRECATED",
    "Association",
    "Coded",
    "RegistryObject",
    "Submission",
    "read_submission",
]

NS = {
    "lcm": "urn:oasis:names:tc:ebxml-regrep:xsd:lcm:3.0",
    "rim": "urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0",
    "rs": "urn:oasis:names:tc:ebxml-regrep:xsd:rs:3.0",
    "query": "urn:oasis:names:tc:ebxml-regrep:xsd:query:3.0",
    "xdsb": "urn:ihe:iti:xds-b:2007",
    "xop": "http://www.w3.org/2004/08/xop/include",
}
RIM = NS["rim"]
SOAP12_NS = "http://www.w3.org/2003/05/soap-envelope"

STATUS_APPROVED = "urn:oasis:names:tc:ebxml-regrep:StatusType:Approved"
STATUS_DEPRECATED = "urn:oasis:names:tc:ebxml-regrep:StatusType:Deprecated"
#: DMP archiving status (CI-SIS / DMP extension of the ebRIM status types) [S]: an assumption
STATUS_ARCHIVED = "urn:asip:ci-sis:2010:StatusType:Archived"
#: DMP deletion (TD3.3c "suppression", SC.DMP/CONF.03), the same CI-SIS extension: an assumption [S]
STATUS_DELETED = "urn:asip:ci-sis:2010:StatusType:Deleted"
ASSOC_HAS_MEMBER = "urn:oasis:names:tc:ebxml-regrep:AssociationType:HasMember"
ASSOC_RPLC = "urn:ihe:iti:2007:AssociationType:RPLC"
ASSOC_UPDATE_STATUS = "urn:ihe:iti:2010:AssociationType:UpdateAvailabilityStatus"
OBJECT_TYPE_DE = "urn:uuid:7edca82f-054d-47f2-a032-9b2a5b5186c1"
CLASSIFICATION_NODE_SS = "urn:uuid:a54d6aa5-d40d-43f9-88c5-b4633d873bdd"
#: classCode of an IHE DSG signature document (TRE_A10 "Digital Signature"): the DMPi's signed submission set
DSG_CLASS_CODE = "urn:oid:1.3.6.1.4.1.19376.1.2.1.1.1"


class DE:
    """Classification and identification schemes of a DocumentEntry (ITI TF-3 §4.2.5.1)."""

    AUTHOR = "urn:uuid:93606bcf-9494-43ec-9b4e-a7748d1a838d"
    CLASS_CODE = "urn:uuid:41a5887f-8865-4c09-adf7-e362475b143a"
    CONFIDENTIALITY = "urn:uuid:f4f85eac-e6cb-4883-b524-f2705394840f"
    EVENT_CODE = "urn:uuid:2c6b8cb7-8b2a-4051-b291-b1ae6a575ef4"
    FORMAT_CODE = "urn:uuid:a09d5840-386c-46f2-b5ad-9c3699a4309d"
    FACILITY_TYPE = "urn:uuid:f33fb8ac-18af-42cc-ae0e-ed0b0bdb91e1"
    PRACTICE_SETTING = "urn:uuid:cccf5598-8b07-4b77-a05e-ae952c785ead"
    TYPE_CODE = "urn:uuid:f0306f51-975f-434e-a61c-c59651d33983"
    PATIENT_ID = "urn:uuid:58a6f841-87b3-4a3e-92fd-a8ffeff98427"
    UNIQUE_ID = "urn:uuid:2e82c1f6-a085-4c72-9da3-8640a32e42ab"


class SS:
    """Classification and identification schemes of a SubmissionSet (ITI TF-3 §4.2.5.3)."""

    AUTHOR = "urn:uuid:a7058bb9-b4e4-4307-ba5b-e3f0ab85e12d"
    CONTENT_TYPE = "urn:uuid:aa543740-bdda-424e-8c96-df4873be8500"
    UNIQUE_ID = "urn:uuid:96fdda7c-d067-4183-912e-bf5ee74998a8"
    SOURCE_ID = "urn:uuid:554ac39e-e3fe-47fe-b233-965d2a147832"
    PATIENT_ID = "urn:uuid:6b5aea1a-874d-4603-a4bc-96a0a7b38446"


#: the names of the coded classifications of a DocumentEntry, by scheme
DE_CODES = {
    DE.CLASS_CODE: "classCode",
    DE.CONFIDENTIALITY: "confidentialityCode",
    DE.EVENT_CODE: "eventCodeList",
    DE.FORMAT_CODE: "formatCode",
    DE.FACILITY_TYPE: "healthcareFacilityTypeCode",
    DE.PRACTICE_SETTING: "practiceSettingCode",
    DE.TYPE_CODE: "typeCode",
}


@dataclass(frozen=True)
class Coded:
    """One coded classification: ``code`` (nodeRepresentation), ``scheme`` (codingScheme slot)."""

    code: str
    scheme: str
    display: str
    location: str


@dataclass
class Author:
    """An author classification (its slots: authorPerson, authorInstitution, authorRole…)."""

    slots: dict[str, list[str]]
    location: str


@dataclass
class RegistryObject:
    """A DocumentEntry (ExtrinsicObject), SubmissionSet or Folder (RegistryPackage)."""

    element: etree._Element
    kind: str
    id: str
    location: str
    lid: str = ""
    status: str = ""
    mime_type: str = ""
    object_type: str = ""
    title: str = ""
    slots: dict[str, list[str]] = field(default_factory=dict)
    codes: dict[str, list[Coded]] = field(default_factory=dict)
    authors: list[Author] = field(default_factory=list)
    identifiers: dict[str, str] = field(default_factory=dict)
    identifier_locations: dict[str, str] = field(default_factory=dict)

    def slot(self, name: str) -> str:
        values = self.slots.get(name) or []
        return values[0] if values else ""

    def code(self, name: str) -> Coded | None:
        values = self.codes.get(name) or []
        return values[0] if values else None


@dataclass
class Association:
    element: etree._Element
    id: str
    type: str
    source: str
    target: str
    slots: dict[str, list[str]]
    location: str


@dataclass
class Submission:
    """What a SubmitObjectsRequest registers. ``signatures``: the IHE DSG signature entries (classCode
    :data:`DSG_CLASS_CODE`), kept apart from the ``documents`` so that no CDA check judges them."""

    request: etree._Element
    documents: list[RegistryObject] = field(default_factory=list)
    submission_sets: list[RegistryObject] = field(default_factory=list)
    folders: list[RegistryObject] = field(default_factory=list)
    associations: list[Association] = field(default_factory=list)
    signatures: list[RegistryObject] = field(default_factory=list)

    def document(self, object_id: str) -> RegistryObject | None:
        return next((d for d in self.documents if d.id == object_id), None)


def _q(tag: str) -> str:
    return f"{{{RIM}}}{tag}"


_SLOT, _VALUE_LIST, _VALUE, _LOCALIZED_STRING = _q("Slot"), _q("ValueList"), _q("Value"), _q("LocalizedString")
_CLASSIFICATION, _EXTERNAL_IDENTIFIER = _q("Classification"), _q("ExternalIdentifier")
#: namespace -> prefix replacements of the readable paths (``_path``), made once
_PREFIXES = tuple((f"{{{uri}}}", f"{prefix}:") for prefix, uri in {**NS, "soap": SOAP12_NS}.items())


def _slots(element: etree._Element) -> dict[str, list[str]]:
    slots: dict[str, list[str]] = {}
    for slot in element.iterchildren(_SLOT):
        # the Value children of each ValueList, in document order (what ``ValueList/Value`` selects)
        values = [
            (v.text or "").strip() for values in slot.iterchildren(_VALUE_LIST) for v in values.iterchildren(_VALUE)
        ]
        slots.setdefault(slot.get("name", ""), []).extend(values)
    return slots


def _localized(element: etree._Element, child: str) -> str:
    for named in element.iterchildren(_q(child)):
        for found in named.iterchildren(_LOCALIZED_STRING):
            return found.get("value") or ""
    return ""


def _path(element: etree._Element) -> str:
    """A readable XPath with rim:/lcm: prefixes, e.g. ``/…/rim:ExtrinsicObject[1]``."""
    tree = element.getroottree()
    root = tree.getroot()
    path = "/" + str(root.tag) if element is root else f"/{root.tag}/{tree.getelementpath(element)}"
    for uri, prefix in _PREFIXES:
        path = path.replace(uri, prefix)
    return path


def _object(element: etree._Element, kind: str) -> RegistryObject:
    obj = RegistryObject(
        element=element,
        kind=kind,
        id=element.get("id", ""),
        location=_path(element),
        lid=element.get("lid", ""),
        status=element.get("status", ""),
        mime_type=element.get("mimeType", ""),
        object_type=element.get("objectType", ""),
        title=_localized(element, "Name"),
        slots=_slots(element),
    )
    for classification in element.iterchildren(_CLASSIFICATION):
        scheme = classification.get("classificationScheme", "")
        where = _path(classification)
        if scheme in (DE.AUTHOR, SS.AUTHOR):
            obj.authors.append(Author(_slots(classification), where))
            continue
        name = DE_CODES.get(scheme) or ("contentTypeCode" if scheme == SS.CONTENT_TYPE else scheme)
        coding = _slots(classification).get("codingScheme") or [""]
        obj.codes.setdefault(name, []).append(
            Coded(classification.get("nodeRepresentation", ""), coding[0], _localized(classification, "Name"), where)
        )
    for ext in element.iterchildren(_EXTERNAL_IDENTIFIER):
        scheme = ext.get("identificationScheme", "")
        obj.identifiers[scheme] = ext.get("value", "")
        obj.identifier_locations[scheme] = _path(ext)
    return obj


def read_submission(request: etree._Element) -> Submission:
    """Read the ``rim:RegistryObjectList`` of a ``lcm:SubmitObjectsRequest`` element."""
    submission = Submission(request)
    object_list = request.find(_q("RegistryObjectList"))
    if object_list is None:
        return submission
    packages = object_list.findall(_q("RegistryPackage"))
    ss_ids = {
        c.get("classifiedObject", "")
        for c in object_list.iter(_q("Classification"))
        if c.get("classificationNode") == CLASSIFICATION_NODE_SS
    }
    for package in packages:
        obj = _object(package, "SubmissionSet" if package.get("id") in ss_ids else "Folder")
        (submission.submission_sets if obj.kind == "SubmissionSet" else submission.folders).append(obj)
    for extrinsic in object_list.findall(_q("ExtrinsicObject")):
        entry = _object(extrinsic, "DocumentEntry")
        is_signature = any(c.code == DSG_CLASS_CODE for c in entry.codes.get("classCode", []))
        (submission.signatures if is_signature else submission.documents).append(entry)
    for assoc in object_list.findall(_q("Association")):
        submission.associations.append(
            Association(
                assoc,
                assoc.get("id", ""),
                assoc.get("associationType", ""),
                assoc.get("sourceObject", ""),
                assoc.get("targetObject", ""),
                _slots(assoc),
                _path(assoc),
            )
        )
    return submission
