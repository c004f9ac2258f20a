"""ITI-18 Registry Stored Query: FindDocuments, FindSubmissionSets, GetAll, GetDocuments, GetAssociations,
and the other stored queries of :mod:`mocks.dmp.stored_queries`.

Parameters, masking and the result: :mod:`mocks.dmp.query_params`. Every query reads only the
patient the VIHF names (:mod:`mocks.dmp.access`: another patient → ``XDSPatientIdDoesNotMatch``
and a DMP-VIHF-03 finding; no DMP → ``XDSUnknownPatientId``). ``returnType`` ObjectRef or
LeafClass. Missing required parameters → ``XDSStoredQueryParamNumber``; an unknown query id →
``XDSUnknownStoredQuery``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lxml import etree

from harness.core.findings import Finding
from harness.validators.xds.ebrim import NS, RIM, STATUS_APPROVED
from mocks.dmp import stored_queries
from mocks.dmp.access import QueryError, require_own_objects, require_patient
from mocks.dmp.context import DmpAnswer, DmpRequest
from mocks.dmp.faults import RS, registry_response, soap_envelope
from mocks.dmp.mtom import package
from mocks.dmp.query_params import MASQUE_PS, Found, codes, one, params_of, visible
from mocks.dmp.registry import StoredEntry
from mocks.dmp.stored_queries import get_documents, owners_of

if TYPE_CHECKING:
    from mocks.dmp.app import DmpSimulator

__all__ = ["ACTION", "MASQUE_PS", "QUERIES", "RESPONSE_ACTION", "QueryError", "handle", "run_query", "visible"]

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
    **{qid: name for qid, (name, _) in stored_queries.QUERIES.items()},
}


def _find_documents(sim: DmpSimulator, params: dict[str, list[str]], request: DmpRequest) -> list[StoredEntry]:
    param = "$XDSDocumentEntryPatientId"
    patient = one(params, param)
    statuses = params.get("$XDSDocumentEntryStatus") or []
    if not statuses:
        raise QueryError("XDSStoredQueryParamNumber", "required parameter $XDSDocumentEntryStatus is missing")
    keys = require_patient(sim, request, patient, param)
    found = [e for e in sim.registry.entries_of_patient(keys, statuses) if visible(e, request.structure)]
    for param, attribute in (
        ("$XDSDocumentEntryTypeCode", "type_code"),
        ("$XDSDocumentEntryClassCode", "class_code"),
        ("$XDSDocumentEntryFormatCode", "format_code"),
    ):
        wanted = codes(params, param)
        if wanted:
            found = [e for e in found if str(getattr(e, attribute)).split("^")[0] in wanted]
    wanted = codes(params, "$XDSDocumentEntryConfidentialityCode")
    if wanted:
        found = [e for e in found if wanted & {c.split("^")[0] for c in e.confidentiality}]
    low, high = (
        one(params, "$XDSDocumentEntryCreationTimeFrom", False),
        one(params, "$XDSDocumentEntryCreationTimeTo", False),
    )
    if low:
        found = [e for e in found if e.creation_time >= low]
    if high:
        found = [e for e in found if e.creation_time < high]
    return found


def run_query(sim: DmpSimulator, query_id: str, params: dict[str, list[str]], request: DmpRequest) -> Found:
    """Run one stored query for ``request`` (its VIHF names the only patient it may read)."""
    structure = request.structure
    if query_id == FIND_DOCUMENTS:
        return Found(_find_documents(sim, params, request))
    if query_id == GET_DOCUMENTS:
        return Found(get_documents(sim, params, request))
    if query_id == FIND_SUBMISSION_SETS:
        param = "$XDSSubmissionSetPatientId"
        patient = one(params, param)
        statuses = params.get("$XDSSubmissionSetStatus") or []
        if not statuses:
            raise QueryError("XDSStoredQueryParamNumber", "required parameter $XDSSubmissionSetStatus is missing")
        keys = require_patient(sim, request, patient, param)
        return Found(sets=sim.registry.sets_of_patient(keys, statuses))
    if query_id == GET_ASSOCIATIONS:
        uuids = params.get("$uuid") or []
        if not uuids:
            raise QueryError("XDSStoredQueryParamNumber", "required parameter $uuid is missing")
        assocs = sim.registry.associations(uuids)
        owners = owners_of(sim, [u for a in assocs for u in (a[2], a[3])])
        require_own_objects(request, owners, "associations")
        return Found(assocs=assocs)
    if query_id == GET_ALL:
        keys = require_patient(sim, request, one(params, "$patientId"), "$patientId")
        de_status = params.get("$XDSDocumentEntryStatus") or [STATUS_APPROVED]
        ss_status = params.get("$XDSSubmissionSetStatus") or [STATUS_APPROVED]
        entries = [e for e in sim.registry.entries_of_patient(keys, de_status) if visible(e, structure)]
        sets = sim.registry.sets_of_patient(keys, ss_status)
        ids = [e.entry_uuid for e in entries] + [s.entry_uuid for s in sets]
        return Found(entries, sets, sim.registry.associations(ids) if ids else [])
    if query_id in stored_queries.QUERIES:
        return stored_queries.run(sim, query_id, params, request)
    raise QueryError(
        "XDSUnknownStoredQuery",
        f"unknown stored query id {query_id!r}; known: " + ", ".join(f"{name} {qid}" for qid, name in QUERIES.items()),
    )


def handle(sim: DmpSimulator, request: DmpRequest) -> DmpAnswer:
    body = request.envelope.body_child
    summary: dict[str, object] = {}
    tags: dict[str, str] = {}
    findings: list[Finding] = []
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
        params = params_of(query)
        summary.update(query=QUERIES.get(query_id, query_id), params=params, return_type=return_type)
        patient = next((v[0] for k, v in params.items() if k.lower().endswith("patientid") and v), "")
        tags.update(query=QUERIES.get(query_id, query_id), patient_id=patient, ins=patient.split("^")[0])
        found = run_query(sim, query_id, params, request)
        response.set("status", "urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Success")
        response.append(found.leaf(return_type))
        summary.update(status="Success", documents=[e.unique_id for e in found.entries], count=found.count)
    except QueryError as exc:
        failure = registry_response([exc.error])
        response.set("status", failure.get("status", ""))
        response.extend(list(failure))
        summary.update(status="Failure", errors=[{"code": exc.error.code, "context": exc.error.context}])
        if exc.finding is not None:
            findings.append(exc.finding)
    body_bytes, ctype = package(
        soap_envelope(RESPONSE_ACTION, response, request.message_id), RESPONSE_ACTION, mtom=request.message.mtom
    )
    return DmpAnswer(200, body_bytes, ctype, summary=summary, tags=tags, findings=findings)
