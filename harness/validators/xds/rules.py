"""XDS metadata checks of a submission (CI-SIS *Partage de documents de santé*, DMP feeding).

Required attributes of the DocumentEntry and the SubmissionSet (french-specs.md §2.3, from
the CI-SIS mapping table), codes from the CI-SIS value sets, HL7 v2 data-type formats, and
the structure of an ITI-41 request. Each finding names its requirement:

* ``DMP-XDS-01`` structure of the ITI-41 request (one SubmissionSet, HasMember associations,
  one document per DocumentEntry);
* ``DMP-XDS-02`` DocumentEntry attributes; ``DMP-XDS-03`` SubmissionSet attributes;
* ``DMP-XDS-04`` codes from JDV_J02/J04/J06/J07/J08/J10; ``DMP-XDS-05`` CX/XCN/XON/DTM formats;
* ``DMP-CON-01`` (part) the same patientId on the SubmissionSet and every DocumentEntry.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from harness.core.findings import Finding, Severity
from harness.core.rules import rule
from harness.validators.xds.ebrim import ASSOC_HAS_MEMBER, DE, SS, RegistryObject, Submission
from harness.validators.xds.formats import check_cx, check_dtm, check_xcn, check_xon
from harness.validators.xds.valuesets import Pack, load_value_sets

__all__ = ["check_document_entry", "check_structure", "check_submission", "check_submission_set"]

_OID = re.compile(r"^[0-2](\.(0|[1-9][0-9]*))+$")
_HEX40 = re.compile(r"^[0-9a-fA-F]{40}$")
#: DocumentEntry slots required by the CI-SIS mapping (R); serviceStopTime is RE
DE_SLOTS = ("creationTime", "languageCode", "serviceStartTime", "sourcePatientId", "hash", "size", "legalAuthenticator")
DE_CODES = (
    "classCode",
    "typeCode",
    "confidentialityCode",
    "formatCode",
    "healthcareFacilityTypeCode",
    "practiceSettingCode",
)
#: coded metadata -> the value set its codes come from
VALUE_SETS = {
    "classCode": "J06",
    "typeCode": "J07",
    "confidentialityCode": "J08",
    "formatCode": "J10",
    "healthcareFacilityTypeCode": "J02",
    "practiceSettingCode": "J04",
}


def _f(rule: str, requirement: str, message: str, location: str, severity: Severity = Severity.ERROR) -> Finding:
    return Finding(rule, requirement, message, severity, location)


def _slot_at(obj: RegistryObject, name: str) -> str:
    return f"{obj.location}/rim:Slot[@name='{name}']"


@rule(
    "xds.structure",
    requirement="DMP-XDS-01",
    summary="one SubmissionSet, HasMember associations, one document per DocumentEntry",
)
def check_structure(submission: Submission, document_ids: Iterable[str] | None) -> list[Finding]:
    """One SubmissionSet, a HasMember association to each DocumentEntry, a document for each."""
    findings: list[Finding] = []
    where = "/lcm:SubmitObjectsRequest/rim:RegistryObjectList"
    if len(submission.submission_sets) != 1:
        findings.append(
            _f(
                "xds.structure.submission_set",
                "DMP-XDS-01",
                f"{len(submission.submission_sets)} SubmissionSet(s) (RegistryPackage classified "
                "urn:uuid:a54d6aa5-d40d-43f9-88c5-b4633d873bdd); exactly one is required",
                where,
            )
        )
    if not submission.documents:
        findings.append(
            _f(
                "xds.structure.no_document",
                "DMP-XDS-01",
                "the submission holds no DocumentEntry (rim:ExtrinsicObject)",
                where,
            )
        )
    ss_ids = {s.id for s in submission.submission_sets}
    for doc in submission.documents:
        members = [
            a
            for a in submission.associations
            if a.type == ASSOC_HAS_MEMBER and a.source in ss_ids and a.target == doc.id
        ]
        if not members:
            findings.append(
                _f(
                    "xds.structure.has_member",
                    "DMP-XDS-01",
                    f"no HasMember association links the SubmissionSet to DocumentEntry {doc.id!r}",
                    doc.location,
                )
            )
        elif "Original" not in (members[0].slots.get("SubmissionSetStatus") or []):
            findings.append(
                _f(
                    "xds.structure.ss_status",
                    "DMP-XDS-01",
                    f"the HasMember association of {doc.id!r} lacks the slot SubmissionSetStatus=Original",
                    members[0].location,
                )
            )
        if document_ids is not None and doc.id not in set(document_ids):
            findings.append(
                _f(
                    "xds.structure.document_missing",
                    "DMP-XDS-01",
                    f"DocumentEntry {doc.id!r} has no xdsb:Document with id={doc.id!r} in the request "
                    "(XDSMissingDocument)",
                    doc.location,
                )
            )
    if document_ids is not None:
        known = {d.id for d in (*submission.documents, *submission.signatures)}  # a DSG signature: DMP-SIGN-01
        for extra in sorted(set(document_ids) - known):
            findings.append(
                _f(
                    "xds.structure.document_orphan",
                    "DMP-XDS-01",
                    f"xdsb:Document id={extra!r} matches no DocumentEntry (XDSMissingDocumentMetadata)",
                    f"/xdsb:ProvideAndRegisterDocumentSetRequest/xdsb:Document[@id='{extra}']",
                )
            )
    return findings


@rule("xds.code.empty", requirement="DMP-XDS-02", summary="coded metadata carry a code and its scheme")
@rule(
    "xds.code.value_set",
    requirement="DMP-XDS-04",
    summary="codes from the CI-SIS value sets (JDV_J02/J04/J06/J07/J08/J10)",
)
def _codes(obj: RegistryObject, name: str, pack: Pack) -> list[Finding]:
    sets = load_value_sets(pack)
    value_set = sets.get(VALUE_SETS.get(name, ""))
    findings = []
    for coded in obj.codes.get(name, []):
        if not coded.code or not coded.scheme:
            findings.append(
                _f(
                    "xds.code.empty",
                    "DMP-XDS-02",
                    f"{name}: the classification needs nodeRepresentation (code) and the codingScheme slot",
                    coded.location,
                )
            )
            continue
        if value_set is None or (coded.code, coded.scheme) in value_set:
            continue
        systems = value_set.systems_of(coded.code)
        why = (
            f"the code {coded.code!r} belongs to code system {', '.join(systems)}, not {coded.scheme!r}"
            if systems
            else f"the code {coded.code!r} (codingScheme {coded.scheme}) is not in the value set"
        )
        findings.append(
            _f("xds.code.value_set", "DMP-XDS-04", f"{name}: {why} {value_set.name} ({value_set.oid})", coded.location)
        )
    return findings


@rule(
    "xds.author", requirement="DMP-XDS-02", summary="an author classification with authorPerson", also=("DMP-XDS-03",)
)
def _authors(obj: RegistryObject, requirement: str) -> list[Finding]:
    findings = []
    if not obj.authors:
        return [
            _f("xds.author.missing", requirement, f"{obj.kind} {obj.id!r} has no author classification", obj.location)
        ]
    for author in obj.authors:
        persons = author.slots.get("authorPerson") or []
        if not persons or not persons[0]:
            findings.append(
                _f("xds.author.person", requirement, "the author has no authorPerson slot", author.location)
            )
        for person in persons[:1]:
            findings += [
                _f("xds.format.xcn", "DMP-XDS-05", f"authorPerson: {p}", author.location) for p in check_xcn(person)
            ]
        for institution in author.slots.get("authorInstitution") or []:
            findings += [
                _f("xds.format.xon", "DMP-XDS-05", f"authorInstitution: {p}", author.location)
                for p in check_xon(institution)
            ]
    return findings


@rule(
    "xds.patient_id.missing",
    requirement="DMP-XDS-02",
    summary="the patientId external identifier",
    also=("DMP-XDS-03",),
)
def _patient(obj: RegistryObject, scheme: str, requirement: str) -> list[Finding]:
    value = obj.identifiers.get(scheme, "")
    where = obj.identifier_locations.get(scheme, obj.location)
    if not value:
        return [
            _f(
                "xds.patient_id.missing",
                requirement,
                f"{obj.kind} {obj.id!r} has no patientId ExternalIdentifier",
                obj.location,
            )
        ]
    return [
        _f("xds.format.cx", "DMP-XDS-05", f"patientId: {p}", where) for p in check_cx(value, allowed_types=("", "NH"))
    ]


@rule("xds.de", requirement="DMP-XDS-02", summary="DocumentEntry attributes required by the CI-SIS mapping")
@rule(
    "xds.format", requirement="DMP-XDS-05", summary="HL7 v2 data-type formats (CX, XCN, XON, DTM), OIDs, hash and size"
)
def check_document_entry(doc: RegistryObject, pack: Pack = None, own_codes: tuple[str, ...] = ()) -> list[Finding]:
    """Required attributes, codes and formats of one DocumentEntry (DMP-XDS-02/04/05); the codes named in
    ``own_codes`` come from another value set, judged by their own rule (an IHE DSG signature's, DMP-SIGN-01)."""
    findings: list[Finding] = []
    for name in DE_SLOTS:
        if not doc.slot(name):
            findings.append(
                _f(
                    "xds.de.slot",
                    "DMP-XDS-02",
                    f"DocumentEntry {doc.id!r} has no {name} slot (required)",
                    _slot_at(doc, name),
                )
            )
    for name in DE_CODES:
        if not doc.codes.get(name):
            findings.append(
                _f(
                    "xds.de.code",
                    "DMP-XDS-02",
                    f"DocumentEntry {doc.id!r} has no {name} classification (required)",
                    doc.location,
                )
            )
        if name not in own_codes:
            findings += _codes(doc, name, pack)
    if not doc.title:
        findings.append(
            _f("xds.de.title", "DMP-XDS-02", f"DocumentEntry {doc.id!r} has no title (rim:Name)", doc.location)
        )
    if not doc.mime_type:
        findings.append(_f("xds.de.mime", "DMP-XDS-02", f"DocumentEntry {doc.id!r} has no mimeType", doc.location))
    unique = doc.identifiers.get(DE.UNIQUE_ID, "")
    if not unique:
        findings.append(
            _f(
                "xds.de.unique_id",
                "DMP-XDS-02",
                f"DocumentEntry {doc.id!r} has no uniqueId ExternalIdentifier",
                doc.location,
            )
        )
    elif not _OID.match(unique.split("^")[0]) or len(unique) > 128:
        findings.append(
            _f(
                "xds.format.unique_id",
                "DMP-XDS-05",
                f"uniqueId {unique!r} is not <OID> or <OID>^<ext>",
                doc.identifier_locations[DE.UNIQUE_ID],
            )
        )
    findings += _patient(doc, DE.PATIENT_ID, "DMP-XDS-02")
    findings += _authors(doc, "DMP-XDS-02")
    for name in ("creationTime", "serviceStartTime", "serviceStopTime"):
        if doc.slot(name):
            findings += [
                _f("xds.format.dtm", "DMP-XDS-05", f"{name}: {p}", _slot_at(doc, name))
                for p in check_dtm(doc.slot(name))
            ]
    source = doc.slot("sourcePatientId")
    if source:
        findings += [
            _f("xds.format.cx", "DMP-XDS-05", f"sourcePatientId: {p}", _slot_at(doc, "sourcePatientId"))
            for p in check_cx(source)
        ]
    if doc.slot("hash") and not _HEX40.match(doc.slot("hash")):
        findings.append(
            _f(
                "xds.format.hash",
                "DMP-XDS-05",
                f"hash {doc.slot('hash')!r} is not a SHA-1 in 40 hexadecimal digits",
                _slot_at(doc, "hash"),
            )
        )
    if doc.slot("size") and not doc.slot("size").isdigit():
        findings.append(
            _f(
                "xds.format.size",
                "DMP-XDS-05",
                f"size {doc.slot('size')!r} is not a number of bytes",
                _slot_at(doc, "size"),
            )
        )
    if doc.slot("legalAuthenticator"):
        findings += [
            _f("xds.format.xcn", "DMP-XDS-05", f"legalAuthenticator: {p}", _slot_at(doc, "legalAuthenticator"))
            for p in check_xcn(doc.slot("legalAuthenticator"))
        ]
    return findings


@rule("xds.ss", requirement="DMP-XDS-03", summary="SubmissionSet attributes required by the CI-SIS mapping")
def check_submission_set(ss: RegistryObject) -> list[Finding]:
    """Required attributes and formats of the SubmissionSet (DMP-XDS-03/05)."""
    findings: list[Finding] = []
    if not ss.slot("submissionTime"):
        findings.append(
            _f(
                "xds.ss.submission_time",
                "DMP-XDS-03",
                "the SubmissionSet has no submissionTime slot",
                _slot_at(ss, "submissionTime"),
            )
        )
    else:
        findings += [
            _f("xds.format.dtm", "DMP-XDS-05", f"submissionTime: {p}", _slot_at(ss, "submissionTime"))
            for p in check_dtm(ss.slot("submissionTime"))
        ]
    content = ss.code("contentTypeCode")
    if content is None or not content.code or not content.scheme:
        findings.append(
            _f(
                "xds.ss.content_type",
                "DMP-XDS-03",
                "the SubmissionSet has no contentTypeCode "
                "classification with a code and a codingScheme (required for the DMP)",
                ss.location,
            )
        )
    for scheme, label in ((SS.UNIQUE_ID, "uniqueId"), (SS.SOURCE_ID, "sourceId")):
        value = ss.identifiers.get(scheme, "")
        if not value:
            findings.append(
                _f(
                    "xds.ss.identifier",
                    "DMP-XDS-03",
                    f"the SubmissionSet has no {label} ExternalIdentifier",
                    ss.location,
                )
            )
        elif not _OID.match(value):
            findings.append(
                _f(
                    "xds.format.oid",
                    "DMP-XDS-05",
                    f"SubmissionSet {label} {value!r} is not an OID",
                    ss.identifier_locations[scheme],
                )
            )
    findings += _patient(ss, SS.PATIENT_ID, "DMP-XDS-03")
    findings += _authors(ss, "DMP-XDS-03")
    return findings


@rule(
    "xds.patient_id.mismatch",
    requirement="DMP-CON-01",
    summary="the same patientId on the SubmissionSet and every DocumentEntry",
)
def check_submission(
    submission: Submission, document_ids: Iterable[str] | None = None, pack: Pack = None
) -> list[Finding]:
    """Every metadata check of a submission; ``document_ids`` None skips the document pairing."""
    findings = check_structure(submission, document_ids)
    for ss in submission.submission_sets:
        findings += check_submission_set(ss)
    for doc in submission.documents:
        findings += check_document_entry(doc, pack)
    for doc in submission.signatures:  # IHE DSG signature entries: their class/type/format codes are DSG's
        findings += check_document_entry(doc, pack, own_codes=("classCode", "typeCode", "formatCode"))
    if len(submission.submission_sets) == 1:
        ss = submission.submission_sets[0]
        ss_patient = ss.identifiers.get(SS.PATIENT_ID, "")
        for doc in (*submission.documents, *submission.signatures):
            de_patient = doc.identifiers.get(DE.PATIENT_ID, "")
            if ss_patient and de_patient and de_patient != ss_patient:
                findings.append(
                    _f(
                        "xds.patient_id.mismatch",
                        "DMP-CON-01",
                        f"DocumentEntry {doc.id!r} patientId {de_patient!r} differs from the SubmissionSet "
                        f"patientId {ss_patient!r} (XDSPatientIdDoesNotMatch)",
                        doc.identifier_locations.get(DE.PATIENT_ID, doc.location),
                    )
                )
    return findings
