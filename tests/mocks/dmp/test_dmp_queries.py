"""ITI-18 stored queries, ITI-43 retrieval and ITI-57 updates over real HTTP, and TD0.2."""

from __future__ import annotations

from typing import Any

from lxml import etree

from harness.validators.xds.ebrim import NS
from harness.validators.xds.mime import split_message
from mocks.dmp.samples import envelope as soap_envelope
from mocks.dmp.samples import iti18_request, iti43_request, td02_request, vihf
from mocks.dmp.samples_cda import HOSPITAL
from tests.mocks.dmp.conftest import INS, OID, Caller, document

FIND = "urn:uuid:14d4debf-8f97-4251-9a74-a90016b0af0d"
GET_DOCUMENTS = "urn:uuid:5c4f972b-d56b-40ac-a5fc-c8ca9b40b9d4"
FIND_SETS = "urn:uuid:f26abbcb-ac74-4422-8a30-edb644bbc1a9"
ASSOCIATIONS = "urn:uuid:a7ae438b-4bc2-4642-93e9-be891f7bb155"
GET_ALL = "urn:uuid:10b545ea-725c-446d-9b95-8aeb444eddf3"
APPROVED = "('urn:oasis:names:tc:ebxml-regrep:StatusType:Approved')"
PATIENT = f"'{INS}^^^&{OID}&ISO^NH'"
RIM = NS["rim"]


def _query(caller: Caller, query: str, params: dict[str, list[str]], **kwargs: Any) -> Any:
    body, ctype = iti18_request(query, params, ins=INS, oid=OID, signer=caller.signer, **kwargs)
    return caller.post(body, ctype, "/dmp/registry")


def _objects(reply: Any, tag: str) -> list[etree._Element]:
    root = etree.fromstring(reply.envelope())
    return list(root.iter(f"{{{RIM}}}{tag}"))


def test_find_documents_by_patient_status_and_type(caller: Caller) -> None:
    fludr = caller.submit(document("FLUDR")).exchange.summary["registered"][0]
    caller.submit(document("VSM"))
    reply = _query(
        caller,
        FIND,
        {
            "$XDSDocumentEntryPatientId": [PATIENT],
            "$XDSDocumentEntryStatus": [APPROVED],
            "$XDSDocumentEntryTypeCode": ["('74207-2^^2.16.840.1.113883.6.1')"],
        },
    )
    assert reply.status == "Success"
    assert reply.exchange.summary["documents"] == [fludr["unique_id"]]
    [entry] = _objects(reply, "ExtrinsicObject")
    assert entry.get("id") == fludr["entry_uuid"] and entry.get("status").endswith("Approved")
    slots = {s.get("name") for s in entry.findall(f"{{{RIM}}}Slot")}
    assert {"repositoryUniqueId", "hash", "size", "creationTime"} <= slots


def test_get_documents_submission_sets_associations_and_all(caller: Caller) -> None:
    registered = caller.submit(document("VSM")).exchange.summary["registered"][0]
    by_uuid = _query(caller, GET_DOCUMENTS, {"$XDSDocumentEntryEntryUUID": [f"('{registered['entry_uuid']}')"]})
    by_unique = _query(
        caller,
        GET_DOCUMENTS,
        {"$XDSDocumentEntryUniqueId": [f"('{registered['unique_id']}')"]},
        return_type="ObjectRef",
    )
    assert by_uuid.exchange.summary["documents"] == [registered["unique_id"]]
    assert [o.get("id") for o in _objects(by_unique, "ObjectRef")] == [registered["entry_uuid"]]
    sets = _query(caller, FIND_SETS, {"$XDSSubmissionSetPatientId": [PATIENT], "$XDSSubmissionSetStatus": [APPROVED]})
    [package] = _objects(sets, "RegistryPackage")
    assocs = _query(caller, ASSOCIATIONS, {"$uuid": [f"('{registered['entry_uuid']}')"]})
    [assoc] = _objects(assocs, "Association")
    assert assoc.get("sourceObject") == package.get("id") and assoc.get("targetObject") == registered["entry_uuid"]
    everything = _query(caller, GET_ALL, {"$patientId": [PATIENT]})
    assert everything.exchange.summary["count"] == 3  # entry, submission set, association


def test_query_errors(caller: Caller) -> None:
    missing = _query(caller, FIND, {"$XDSDocumentEntryPatientId": [PATIENT]})
    assert missing.codes == ["XDSStoredQueryParamNumber"]
    assert "$XDSDocumentEntryStatus" in missing.exchange.summary["errors"][0]["context"]
    unknown = _query(caller, "urn:uuid:00000000-0000-0000-0000-000000000000", {})
    assert unknown.codes == ["XDSUnknownStoredQuery"]
    assert b"XDSUnknownStoredQuery" in unknown.envelope()


def test_masked_document_hidden_from_other_organisations(caller: Caller) -> None:
    # given a document masked from professionals (MASQUE_PS), submitted by the hospital
    registered = caller.submit(document("N1"), extra_confidentiality=("MASQUE_PS",)).exchange.summary["registered"][0]
    params = {"$XDSDocumentEntryPatientId": [PATIENT], "$XDSDocumentEntryStatus": [APPROVED]}
    # then its author still finds it, another organisation does not, nor can it retrieve it
    assert _query(caller, FIND, params).exchange.summary["documents"] == [registered["unique_id"]]
    assert _query(caller, FIND, params, structure="1999000099").exchange.summary["documents"] == []
    body, ctype = iti43_request(
        caller.sim.repository_id,
        [registered["unique_id"]],
        ins=INS,
        oid=OID,
        signer=caller.signer,
        structure="1999000099",
    )
    assert caller.post(body, ctype).codes == ["XDSMissingDocument"]


def test_retrieve_mtom_and_partial_and_plain_soap_refused(caller: Caller) -> None:
    cda = document("VSM")
    registered = caller.submit(cda).exchange.summary["registered"][0]
    body, ctype = iti43_request(
        caller.sim.repository_id, [registered["unique_id"]], ins=INS, oid=OID, signer=caller.signer
    )
    reply = caller.post(body, ctype)
    assert reply.exchange.summary["returned"] == [registered["unique_id"]]
    assert reply.response.headers["content-type"].startswith("multipart/related")
    message = split_message(reply.response.content, reply.response.headers["content-type"])
    assert list(message.attachments.values()) == [cda]
    # a plain SOAP ITI-43 (IHE requires MTOM/XOP): refused, nothing returned, a DMP-GET-02 finding
    body, ctype = iti43_request(
        caller.sim.repository_id, [registered["unique_id"]], ins=INS, oid=OID, signer=caller.signer, mtom_=False
    )
    plain = caller.post(body, ctype)
    assert plain.codes == ["XDSRepositoryError"] and plain.exchange.summary["returned"] == []
    assert [f.requirement for f in plain.exchange.findings] == ["DMP-GET-02"]
    assert b"<xdsb:Document>" not in plain.response.content
    body, ctype = iti43_request(
        caller.sim.repository_id, [registered["unique_id"], "2.25.1"], ins=INS, oid=OID, signer=caller.signer
    )
    partial = caller.post(body, ctype)
    assert partial.exchange.summary["status"] == "PartialSuccess" and partial.codes == ["XDSMissingDocument"]
    body, ctype = iti43_request("2.25.999", [registered["unique_id"]], ins=INS, oid=OID, signer=caller.signer)
    assert caller.post(body, ctype).codes == ["XDSUnknownRepositoryId"]


def test_td02_statuses(caller: Caller) -> None:
    body, ctype = td02_request(INS, OID, signer=caller.signer)
    assert caller.post(body, ctype, "/dmp/td02").exchange.summary["autorisation"] == "VALIDE"
    for status in ("EXPIRE", "INTERDIT", "NON_EXISTE"):
        caller.sim.update_state({"patients": {INS: {"status": status, "reason": "test"}}})
        reply = caller.post(body, ctype, "/dmp/td02")
        assert reply.exchange.summary["autorisation"] == status
        assert f"<td02:autorisation>{status}</td02:autorisation>".encode() in reply.response.content
    bad = soap_envelope(
        "urn:dui-harness:dmp:td02Exist",
        etree.Element("{urn:dui-harness:dmp:td02:1}td02ExistRequest"),
        vihf(INS, OID, signer=caller.signer, structure=HOSPITAL["struct"]),
    )
    reply = caller.post(bad, "application/soap+xml", "/dmp/td02")
    assert reply.response.status_code == 400 and b"td02:patientId" in reply.response.content
