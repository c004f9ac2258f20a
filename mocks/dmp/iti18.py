"""ITI-18 Registry Stored Query: FindDocuments, GetDocuments, FindSubmissionSets, GetAssociations, GetAll.

Parameters are read as ITI TF-2a §3.18.4.1.2.3.5 writes them: quoted strings, lists in
parentheses (``('a','b')``), codes as ``code^^scheme``. ``returnType`` ObjectRef or LeafClass.
Missing required parameters → ``XDSStoredQueryParamNumber``; an unknown query id →
``XDSUnknownStoredQuery``.

Masking (DMP visibility, modelled on the public facts: TRE_A07 ``MASQUE_PS``): a document
whose confidentialityCode list holds MASQUE_PS is returned only to the organisation that
authored it (VIHF ``Identifiant_Structure`` = the authorInstitution's Struct_IdNat); the
patient-side ``INVISIBLE_PATIENT`` does not restrict professionals. An assumption: the DMP
rules are not public.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from lxml import etree

from harness.validators.xds.ebrim import NS, RIM, STATUS_APPROVED
from mocks.dmp.context import DmpAnswer, DmpRequest
from mocks.dmp.ebxml import object_ref, stored_element
from mocks.dmp.faults import RS, XdsError, registry_response, soap_envelope
from mocks.dmp.mtom import package
from mocks.dmp.registry import StoredEntry

if TYPE_CHECKING:
    from mocks.dmp.app import DmpSimulator

__all__ = ["ACTION", "QUERIES", "RESPONSE_ACTION", "handle", "visible"]

ACTION = "urn:ihe:iti:2007:RegistryStoredQuery"
RESPONSE_ACTION = "urn:ihe:iti:2007:RegistryStoredQueryResponse"
QUERY = NS["query"]
FIND_DOCUMENTS = "urn:uuid:14d4debf-8f97-4251-9a74-a90016b0af0d"
FIND_SUBMISSION_SETS = "urn:uuid:f26abbcb-ac74-4422-8a30-edb644bbc1a9"
GET_ALL = "urn:uuid:10b545ea-725c-446d-9b95-8aeb444eddf3"
GET_DOCUMENTS = "urn:uuid:5c4f972b-d56b-40ac-a5fc-c8ca9b40b9d4"
GET_ASSOCIATIONS = "urn:uuid:a7ae438b-4bc2-4642-93e9-be891f7bb155"
QUERIES = {
    FIND_DOCUMENTS: "FindDocuments",
    FIND_SUBMISSION_SETS: "FindSubmissionSets",
    GET_ALL: "GetAll",
    GET_DOCUMENTS: "GetDocuments",
    GET_ASSOCIATIONS: "GetAssociations",
}
_QUOTED = re.compile(r"'((?:[^']|'')*)'")
MASQUE_PS = "MASQUE_PS"


class QueryError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.error = XdsError(code, message, "/soap:Envelope/soap:Body/query:AdhocQueryRequest/rim:AdhocQuery")


def _params(query: etree._Element) -> dict[str, list[str]]:
    params: dict[str, list[str]] = {}
    for slot in query.findall(f"{{{RIM}}}Slot"):
        values = params.setdefault(slot.get("name", ""), [])
        for value in slot.iterfind(f"{{{RIM}}}ValueList/{{{RIM}}}Value"):
            text = (value.text or "").strip()
            quoted = [m.replace("''", "'") for m in _QUOTED.findall(text)]
            values.extend(quoted if quoted else ([text] if text else []))
    return params


def _one(params: dict[str, list[str]], name: str, required: bool = True) -> str:
    values = params.get(name) or []
    if not values:
        if required:
            raise QueryError("XDSStoredQueryParamNumber", f"required parameter {name} is missing")
        return ""
    if len(values) > 1:
        raise QueryError("XDSStoredQueryParamNumber", f"parameter {name} takes one value, {len(values)} given")
    return values[0]


def visible(entry: StoredEntry, structure: str) -> bool:
    """Whether a professional of ``structure`` may see the entry (MASQUE_PS hides it from others)."""
    masked = any(c.split("^")[0] == MASQUE_PS for c in entry.confidentiality)
    return not masked or (bool(structure) and structure in entry.author_structures)


def _codes(params: dict[str, list[str]], name: str) -> set[str]:
    return {v.split("^")[0] for v in params.get(name) or []}


def _find_documents(sim: DmpSimulator, params: dict[str, list[str]], structure: str) -> list[StoredEntry]:
    patient = _one(params, "$XDSDocumentEntryPatientId")
    statuses = params.get("$XDSDocumentEntryStatus") or []
    if not statuses:
        raise QueryError("XDSStoredQueryParamNumber", "required parameter $XDSDocumentEntryStatus is missing")
    found = [e for e in sim.registry.entries_of_patient(patient, statuses) if visible(e, structure)]
    for param, attribute in (
        ("$XDSDocumentEntryTypeCode", "type_code"),
        ("$XDSDocumentEntryClassCode", "class_code"),
        ("$XDSDocumentEntryFormatCode", "format_code"),
    ):
        wanted = _codes(params, param)
        if wanted:
            found = [e for e in found if str(getattr(e, attribute)).split("^")[0] in wanted]
    wanted = _codes(params, "$XDSDocumentEntryConfidentialityCode")
    if wanted:
        found = [e for e in found if wanted & {c.split("^")[0] for c in e.confidentiality}]
    low, high = (
        _one(params, "$XDSDocumentEntryCreationTimeFrom", False),
        _one(params, "$XDSDocumentEntryCreationTimeTo", False),
    )
    if low:
        found = [e for e in found if e.creation_time >= low]
    if high:
        found = [e for e in found if e.creation_time < high]
    return found


def _get_documents(sim: DmpSimulator, params: dict[str, list[str]], structure: str) -> list[StoredEntry]:
    uuids, uniques = params.get("$XDSDocumentEntryEntryUUID") or [], params.get("$XDSDocumentEntryUniqueId") or []
    if bool(uuids) == bool(uniques):
        raise QueryError(
            "XDSStoredQueryParamNumber",
            "GetDocuments takes $XDSDocumentEntryEntryUUID or $XDSDocumentEntryUniqueId (exactly one of them)",
        )
    found = [e for u in uuids if (e := sim.registry.entry(u)) is not None]
    found += [e for u in uniques for e in sim.registry.entries_by_unique_id(u)]
    return [e for e in found if visible(e, structure)]


def _leaf(
    entries: list[StoredEntry], sets: list[tuple[str, str, str]], assocs: list[tuple[str, str]], return_type: str
) -> etree._Element:
    objects = etree.Element(f"{{{RIM}}}RegistryObjectList", nsmap={"rim": RIM})
    for entry in entries:
        objects.append(
            object_ref(entry.entry_uuid) if return_type == "ObjectRef" else stored_element(entry.xml, entry.status)
        )
    for uuid, xml, status in sets:
        objects.append(object_ref(uuid) if return_type == "ObjectRef" else stored_element(xml, status))
    for uuid, xml in assocs:
        objects.append(object_ref(uuid) if return_type == "ObjectRef" else stored_element(xml))
    return objects


def run_query(
    sim: DmpSimulator, query_id: str, params: dict[str, list[str]], structure: str
) -> tuple[list[StoredEntry], list[tuple[str, str, str]], list[tuple[str, str]]]:
    entries: list[StoredEntry] = []
    sets: list[tuple[str, str, str]] = []
    assocs: list[tuple[str, str]] = []
    if query_id == FIND_DOCUMENTS:
        entries = _find_documents(sim, params, structure)
    elif query_id == GET_DOCUMENTS:
        entries = _get_documents(sim, params, structure)
    elif query_id == FIND_SUBMISSION_SETS:
        patient = _one(params, "$XDSSubmissionSetPatientId")
        statuses = params.get("$XDSSubmissionSetStatus") or []
        if not statuses:
            raise QueryError("XDSStoredQueryParamNumber", "required parameter $XDSSubmissionSetStatus is missing")
        sets = [(s.entry_uuid, s.xml, s.status) for s in sim.registry.sets_of_patient(patient, statuses)]
    elif query_id == GET_ASSOCIATIONS:
        uuids = params.get("$uuid") or []
        if not uuids:
            raise QueryError("XDSStoredQueryParamNumber", "required parameter $uuid is missing")
        assocs = [(a[0], a[4]) for a in sim.registry.associations(uuids)]
    elif query_id == GET_ALL:
        patient = _one(params, "$patientId")
        de_status = params.get("$XDSDocumentEntryStatus") or [STATUS_APPROVED]
        ss_status = params.get("$XDSSubmissionSetStatus") or [STATUS_APPROVED]
        entries = [e for e in sim.registry.entries_of_patient(patient, de_status) if visible(e, structure)]
        stored_sets = sim.registry.sets_of_patient(patient, ss_status)
        sets = [(s.entry_uuid, s.xml, s.status) for s in stored_sets]
        ids = [e.entry_uuid for e in entries] + [s.entry_uuid for s in stored_sets]
        assocs = [(a[0], a[4]) for a in sim.registry.associations(ids)] if ids else []
    else:
        raise QueryError(
            "XDSUnknownStoredQuery",
            f"unknown stored query id {query_id!r}; known: "
            + ", ".join(f"{name} {qid}" for qid, name in QUERIES.items()),
        )
    return entries, sets, assocs


def handle(sim: DmpSimulator, request: DmpRequest) -> DmpAnswer:
    body = request.envelope.body_child
    summary: dict[str, object] = {}
    tags: dict[str, str] = {}
    response = etree.Element(f"{{{QUERY}}}AdhocQueryResponse", nsmap={"query": QUERY, "rs": RS})
    query = body.find(f"{{{RIM}}}AdhocQuery") if body.tag == f"{{{QUERY}}}AdhocQueryRequest" else None
    try:
        if query is None:
            raise QueryError(
                "XDSRegistryError", f"the SOAP Body holds {body.tag}, not query:AdhocQueryRequest with a rim:AdhocQuery"
            )
        option = body.find(f"{{{QUERY}}}ResponseOption")
        return_type = option.get("returnType", "ObjectRef") if option is not None else "ObjectRef"
        query_id = query.get("id", "")
        params = _params(query)
        summary.update(query=QUERIES.get(query_id, query_id), params=params, return_type=return_type)
        patient = next((v[0] for k, v in params.items() if k.endswith("PatientId") and v), "")
        tags.update(query=QUERIES.get(query_id, query_id), patient_id=patient, ins=patient.split("^")[0])
        entries, sets, assocs = run_query(sim, query_id, params, request.structure)
        response.set("status", "urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Success")
        response.append(_leaf(entries, sets, assocs, return_type))
        summary.update(
            status="Success", documents=[e.unique_id for e in entries], count=len(entries) + len(sets) + len(assocs)
        )
    except QueryError as exc:
        failure = registry_response([exc.error])
        response.set("status", failure.get("status", ""))
        response.extend(list(failure))
        summary.update(status="Failure", errors=[{"code": exc.error.code, "context": exc.error.context}])
    body_bytes, ctype = package(
        soap_envelope(RESPONSE_ACTION, response, request.message_id), RESPONSE_ACTION, mtom=request.message.mtom
    )
    return DmpAnswer(200, body_bytes, ctype, summary=summary, tags=tags)
