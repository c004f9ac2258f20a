"""The other ITI-18 stored queries a DUI uses on the DMP (IHE ITI TF-2a §3.18.4.1.2.3.7).

GetDocuments (by entryUUID or uniqueId), GetSubmissionSetAndContents, GetRelatedDocuments (the
replacements of a document: ``$AssociationTypes`` RPLC), GetDocumentsAndAssociations,
GetSubmissionSets, GetFolders / FindFolders and FindDocumentsByReferenceId. Each answers only
the objects of the patient the VIHF names (:mod:`mocks.dmp.access`), and MASQUE_PS documents
only to their author's organisation (:func:`mocks.dmp.query_params.visible`).

The simulated DMP keeps no folders (a DUI feeds documents, not folders: an assumption, the
DMP's folder support is not public): GetFolders and FindFolders answer an empty list, after
the same access check as every other query.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from harness.validators.xds.ebrim import ASSOC_HAS_MEMBER, RIM
from mocks.dmp.access import QueryError, require_own_objects, require_patient
from mocks.dmp.ebxml import stored_element
from mocks.dmp.query_params import Found, codes, either, one, visible
from mocks.dmp.registry import StoredEntry

if TYPE_CHECKING:
    from mocks.dmp.app import DmpSimulator
    from mocks.dmp.context import DmpRequest

__all__ = ["QUERIES", "get_documents", "owners_of", "run"]

GET_DOCUMENTS_AND_ASSOCIATIONS = "urn:uuid:bab9529a-4a10-40b3-a01f-f68a615d247a"
GET_SUBMISSION_SETS = "urn:uuid:51224314-5390-4169-9b91-b1980040715a"
GET_SUBMISSION_SET_AND_CONTENTS = "urn:uuid:e8e3cb2c-e39c-46b9-99e4-c12f57260b83"
GET_RELATED_DOCUMENTS = "urn:uuid:d90e5407-b356-4d91-a89f-873917b4b0e6"
GET_FOLDERS = "urn:uuid:5737b14c-8a1a-4539-b659-e03a34a5e1e4"
FIND_FOLDERS = "urn:uuid:958f3006-baad-4929-a4de-ff1114824431"
FIND_BY_REFERENCE_ID = "urn:uuid:12941a89-e02e-4be5-967c-ce4bfc8fe492"
REFERENCE_ID_LIST = "urn:ihe:iti:xds:2013:referenceIdList"
Params = dict[str, list[str]]


def get_documents(
    sim: DmpSimulator, params: Params, request: DmpRequest, query: str = "GetDocuments"
) -> list[StoredEntry]:
    """The entries named by $XDSDocumentEntryEntryUUID or $XDSDocumentEntryUniqueId, all of the VIHF's patient."""
    uuids, uniques = either(params, query, "$XDSDocumentEntryEntryUUID", "$XDSDocumentEntryUniqueId")
    found = [e for u in uuids if (e := sim.registry.entry(u)) is not None]
    found += [e for u in uniques for e in sim.registry.entries_by_unique_id(u)]
    require_own_objects(request, (e.patient_id for e in found), "documents")
    return [e for e in found if visible(e, request.structure)]


def owners_of(sim: DmpSimulator, uuids: Iterable[str]) -> list[str]:
    """The patientIds of the registry objects (entries, submission sets) with these entryUUIDs."""
    wanted = sorted(set(uuids))
    owners = [e.patient_id for u in wanted if (e := sim.registry.entry(u)) is not None]
    return owners + [s.patient_id for s in sim.registry.sets(uuids=wanted)]


def _documents_and_associations(sim: DmpSimulator, params: Params, request: DmpRequest) -> Found:
    entries = get_documents(sim, params, request, "GetDocumentsAndAssociations")
    ids = [e.entry_uuid for e in entries]
    return Found(entries, assocs=sim.registry.associations(ids) if ids else [])


def _submission_set_and_contents(sim: DmpSimulator, params: Params, request: DmpRequest) -> Found:
    uuids, uniques = either(
        params, "GetSubmissionSetAndContents", "$XDSSubmissionSetEntryUUID", "$XDSSubmissionSetUniqueId"
    )
    sets = sim.registry.sets(uuids=uuids, unique_ids=uniques)
    require_own_objects(request, (s.patient_id for s in sets), "submission set")
    if not sets:
        return Found()
    members = [
        a
        for a in sim.registry.associations([s.entry_uuid for s in sets])
        if a[1] == ASSOC_HAS_MEMBER and a[2] in {s.entry_uuid for s in sets}
    ]
    entries = [e for a in members if (e := sim.registry.entry(a[3])) is not None and visible(e, request.structure)]
    require_own_objects(request, (e.patient_id for e in entries), "documents")
    for param, attribute in (
        ("$XDSDocumentEntryFormatCode", "format_code"),
        ("$XDSDocumentEntryTypeCode", "type_code"),
    ):
        wanted = codes(params, param)
        if wanted:
            entries = [e for e in entries if str(getattr(e, attribute)).split("^")[0] in wanted]
    wanted = codes(params, "$XDSDocumentEntryConfidentialityCode")
    if wanted:
        entries = [e for e in entries if wanted & {c.split("^")[0] for c in e.confidentiality}]
    kept = {e.entry_uuid for e in entries}
    return Found(entries, sets, [a for a in members if a[3] in kept])


def _related_documents(sim: DmpSimulator, params: Params, request: DmpRequest) -> Found:
    types = set(params.get("$AssociationTypes") or [])
    if not types:
        raise QueryError("XDSStoredQueryParamNumber", "required parameter $AssociationTypes is missing")
    origins = get_documents(sim, params, request, "GetRelatedDocuments")
    ids = {e.entry_uuid for e in origins}
    assocs = [a for a in sim.registry.associations(sorted(ids)) if a[1] in types] if ids else []
    if not assocs:
        return Found()  # no related document: nothing, not even the origin (ITI TF-2a §3.18.4.1.2.3.7.9)
    others = [u for a in assocs for u in (a[2], a[3]) if u not in ids]
    related = [e for u in dict.fromkeys(others) if (e := sim.registry.entry(u)) is not None]
    require_own_objects(request, (e.patient_id for e in related), "related documents")
    return Found(origins + [e for e in related if visible(e, request.structure)], assocs=assocs)


def _submission_sets(sim: DmpSimulator, params: Params, request: DmpRequest) -> Found:
    uuids = params.get("$uuid") or []
    if not uuids:
        raise QueryError("XDSStoredQueryParamNumber", "required parameter $uuid is missing")
    require_own_objects(request, owners_of(sim, uuids), "documents")
    members = [a for a in sim.registry.associations(uuids) if a[1] == ASSOC_HAS_MEMBER and a[3] in set(uuids)]
    sets = sim.registry.sets(uuids=sorted({a[2] for a in members}))
    found = {s.entry_uuid for s in sets}
    require_own_objects(request, (s.patient_id for s in sets), "submission sets")
    return Found(sets=sets, assocs=[a for a in members if a[2] in found])


def _folders(sim: DmpSimulator, params: Params, request: DmpRequest) -> Found:
    either(params, "GetFolders", "$XDSFolderEntryUUID", "$XDSFolderUniqueId")
    return Found()


def _find_folders(sim: DmpSimulator, params: Params, request: DmpRequest) -> Found:
    if not params.get("$XDSFolderStatus"):
        raise QueryError("XDSStoredQueryParamNumber", "required parameter $XDSFolderStatus is missing")
    require_patient(sim, request, one(params, "$XDSFolderPatientId"), "$XDSFolderPatientId")
    return Found()


def _reference_ids(entry: StoredEntry) -> set[str]:
    element = stored_element(entry.xml)
    return {
        (v.text or "").strip()
        for v in element.iterfind(f"{{{RIM}}}Slot[@name='{REFERENCE_ID_LIST}']/{{{RIM}}}ValueList/{{{RIM}}}Value")
    }


def _by_reference_id(sim: DmpSimulator, params: Params, request: DmpRequest) -> Found:
    patient = one(params, "$XDSDocumentEntryPatientId")
    statuses = params.get("$XDSDocumentEntryStatus") or []
    wanted = set(params.get("$XDSDocumentEntryReferenceIdList") or [])
    for name, value in (("$XDSDocumentEntryStatus", statuses), ("$XDSDocumentEntryReferenceIdList", wanted)):
        if not value:
            raise QueryError("XDSStoredQueryParamNumber", f"required parameter {name} is missing")
    keys = require_patient(sim, request, patient, "$XDSDocumentEntryPatientId")
    entries = [
        e
        for e in sim.registry.entries_of_patient(keys, statuses)
        if visible(e, request.structure) and wanted & _reference_ids(e)
    ]
    return Found(entries)


#: query id -> (name, runner)
QUERIES: dict[str, tuple[str, Callable[[DmpSimulator, Params, DmpRequest], Found]]] = {
    GET_SUBMISSION_SET_AND_CONTENTS: ("GetSubmissionSetAndContents", _submission_set_and_contents),
    GET_RELATED_DOCUMENTS: ("GetRelatedDocuments", _related_documents),
    GET_DOCUMENTS_AND_ASSOCIATIONS: ("GetDocumentsAndAssociations", _documents_and_associations),
    GET_SUBMISSION_SETS: ("GetSubmissionSets", _submission_sets),
    GET_FOLDERS: ("GetFolders", _folders),
    FIND_FOLDERS: ("FindFolders", _find_folders),
    FIND_BY_REFERENCE_ID: ("FindDocumentsByReferenceId", _by_reference_id),
}


def run(sim: DmpSimulator, query_id: str, params: Params, request: DmpRequest) -> Found:
    """Run one of :data:`QUERIES`."""
    return QUERIES[query_id][1](sim, params, request)
