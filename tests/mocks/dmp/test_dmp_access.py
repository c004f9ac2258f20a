"""Access control of the DMP simulator's consultation: every stored query and ITI-43 read only the
patient the signed VIHF names (DMP-VIHF-03), whatever the query names it by.

The regression of issue 14: a GetAll naming another patient than the VIHF returned that patient's
documents with no finding (the patient check missed GetAll's ``$patientId``).
"""

from __future__ import annotations

from typing import Any

import pytest
from lxml import etree

from harness.validators.xds.ebrim import ASSOC_RPLC, NS
from mocks.dmp.samples import iti18_request, iti43_request
from tests.mocks.dmp.conftest import INS, OID, OTHER_INS, Caller, document

APPROVED = "('urn:oasis:names:tc:ebxml-regrep:StatusType:Approved')"
RIM = NS["rim"]
Q = {
    "FindDocuments": "urn:uuid:14d4debf-8f97-4251-9a74-a90016b0af0d",
    "FindSubmissionSets": "urn:uuid:f26abbcb-ac74-4422-8a30-edb644bbc1a9",
    "GetAll": "urn:uuid:10b545ea-725c-446d-9b95-8aeb444eddf3",
    "GetDocuments": "urn:uuid:5c4f972b-d56b-40ac-a5fc-c8ca9b40b9d4",
    "GetAssociations": "urn:uuid:a7ae438b-4bc2-4642-93e9-be891f7bb155",
    "GetDocumentsAndAssociations": "urn:uuid:bab9529a-4a10-40b3-a01f-f68a615d247a",
    "GetSubmissionSets": "urn:uuid:51224314-5390-4169-9b91-b1980040715a",
    "GetSubmissionSetAndContents": "urn:uuid:e8e3cb2c-e39c-46b9-99e4-c12f57260b83",
    "GetRelatedDocuments": "urn:uuid:d90e5407-b356-4d91-a89f-873917b4b0e6",
    "GetFolders": "urn:uuid:5737b14c-8a1a-4539-b659-e03a34a5e1e4",
    "FindFolders": "urn:uuid:958f3006-baad-4929-a4de-ff1114824431",
    "FindDocumentsByReferenceId": "urn:uuid:12941a89-e02e-4be5-967c-ce4bfc8fe492",
}


def cx(ins: str, suffix: str = "^NH") -> str:
    return f"'{ins}^^^&{OID}&ISO{suffix}'"


def query(caller: Caller, name: str, params: dict[str, list[str]], vihf_ins: str = INS) -> Any:
    body, ctype = iti18_request(Q[name], params, ins=vihf_ins, oid=OID, signer=caller.signer)
    return caller.post(body, ctype, "/dmp/registry")


def by_patient(name: str, patient: str) -> dict[str, list[str]]:
    """The parameters of a query by patient (every required one)."""
    return {
        "FindDocuments": {"$XDSDocumentEntryPatientId": [patient], "$XDSDocumentEntryStatus": [APPROVED]},
        "FindSubmissionSets": {"$XDSSubmissionSetPatientId": [patient], "$XDSSubmissionSetStatus": [APPROVED]},
        "GetAll": {"$patientId": [patient]},
        "FindFolders": {"$XDSFolderPatientId": [patient], "$XDSFolderStatus": [APPROVED]},
        "FindDocumentsByReferenceId": {
            "$XDSDocumentEntryPatientId": [patient],
            "$XDSDocumentEntryStatus": [APPROVED],
            "$XDSDocumentEntryReferenceIdList": ["('ref-1^^^&1.2.250.1.213.1.1.9.99&ISO^urn:ihe:iti:xds:2013:order')"],
        },
    }[name]


def by_object(name: str, registered: dict[str, Any], ss_uuid: str) -> dict[str, list[str]]:
    """The parameters of a query by object, naming the registered document (or its submission set)."""
    doc = [f"('{registered['entry_uuid']}')"]
    return {
        "GetDocuments": {"$XDSDocumentEntryEntryUUID": doc},
        "GetAssociations": {"$uuid": doc},
        "GetDocumentsAndAssociations": {"$XDSDocumentEntryUniqueId": [f"('{registered['unique_id']}')"]},
        "GetSubmissionSets": {"$uuid": doc},
        "GetSubmissionSetAndContents": {"$XDSSubmissionSetEntryUUID": [f"'{ss_uuid}'"]},
        "GetRelatedDocuments": {
            "$XDSDocumentEntryEntryUUID": [f"'{registered['entry_uuid']}'"],
            "$AssociationTypes": [f"('{ASSOC_RPLC}')"],
        },
    }[name]


def refused_for_another_patient(reply: Any) -> None:
    assert reply.status == "Failure" and reply.codes == ["XDSPatientIdDoesNotMatch"]
    assert [f.requirement for f in reply.exchange.findings] == ["DMP-VIHF-03"]
    assert not list(etree.fromstring(reply.envelope()).iter(f"{{{RIM}}}ExtrinsicObject"))


def other_patients_document(caller: Caller) -> tuple[dict[str, Any], str]:
    """The twin's VSM (submitted with her own VIHF) and its submission set's entryUUID."""
    reply = caller.submit(document("VSM", ins=OTHER_INS))
    registered = reply.exchange.summary["registered"][0]
    found = query(caller, "GetSubmissionSets", {"$uuid": [f"('{registered['entry_uuid']}')"]}, vihf_ins=OTHER_INS)
    [package] = list(etree.fromstring(found.envelope()).iter(f"{{{RIM}}}RegistryPackage"))
    return registered, str(package.get("id"))


def test_get_all_naming_another_patient_returns_nothing_and_is_a_finding(caller: Caller) -> None:
    # given the twin's document in her DMP
    other_patients_document(caller)
    # when a DUI whose VIHF names LOUISE ANNE asks GetAll for the twin
    reply = query(caller, "GetAll", {"$patientId": [cx(OTHER_INS)]})
    # then the DMP refuses, returns none of her objects, and the DUI's fault is a finding
    refused_for_another_patient(reply)
    assert reply.exchange.summary.get("count") is None


@pytest.mark.parametrize(
    "name", ["FindDocuments", "FindSubmissionSets", "GetAll", "FindFolders", "FindDocumentsByReferenceId"]
)
def test_every_query_by_patient_checks_the_vihf(caller: Caller, name: str) -> None:
    other_patients_document(caller)
    refused_for_another_patient(query(caller, name, by_patient(name, cx(OTHER_INS))))


@pytest.mark.parametrize(
    "name",
    [
        "GetDocuments",
        "GetAssociations",
        "GetDocumentsAndAssociations",
        "GetSubmissionSets",
        "GetSubmissionSetAndContents",
        "GetRelatedDocuments",
    ],
)
def test_every_query_by_object_checks_the_vihf(caller: Caller, name: str) -> None:
    registered, ss_uuid = other_patients_document(caller)
    refused_for_another_patient(query(caller, name, by_object(name, registered, ss_uuid)))


def test_get_folders_answers_empty_for_an_unknown_folder(caller: Caller) -> None:
    reply = query(caller, "GetFolders", {"$XDSFolderEntryUUID": ["('urn:uuid:00000000-0000-4000-8000-000000000001')"]})
    assert reply.status == "Success" and reply.exchange.summary["count"] == 0


def test_retrieving_another_patients_document_is_refused(caller: Caller) -> None:
    registered, _ = other_patients_document(caller)
    body, ctype = iti43_request(
        caller.sim.repository_id, [registered["unique_id"]], ins=INS, oid=OID, signer=caller.signer
    )
    reply = caller.post(body, ctype)
    assert reply.codes == ["XDSPatientIdDoesNotMatch"] and reply.exchange.summary["returned"] == []
    assert [f.requirement for f in reply.exchange.findings] == ["DMP-VIHF-03"]
    assert b"<xdsb:DocumentResponse" not in reply.response.content


@pytest.mark.parametrize("suffix", ["^NH", ""])
def test_patient_id_with_or_without_the_nh_suffix(caller: Caller, suffix: str) -> None:
    registered = caller.submit(document("VSM")).exchange.summary["registered"][0]
    reply = query(caller, "FindDocuments", by_patient("FindDocuments", cx(INS, suffix)))
    assert reply.status == "Success" and reply.exchange.summary["documents"] == [registered["unique_id"]]
    assert query(caller, "GetAll", {"$patientId": [cx(INS, suffix)]}).exchange.summary["count"] == 3


def test_unknown_patient_and_non_ins_patient_id(caller: Caller) -> None:
    caller.sim.update_state({"patients": {INS: "NON_EXISTE"}})
    unknown = query(caller, "FindDocuments", by_patient("FindDocuments", cx(INS)))
    assert unknown.codes == ["XDSUnknownPatientId"] and unknown.exchange.findings == []
    local = query(caller, "GetAll", {"$patientId": ["'IPP123^^^&1.2.250.1.213.1.1.9.99&ISO^PI'"]})
    assert local.codes == ["XDSUnknownPatientId"]
    assert [f.requirement for f in local.exchange.findings] == ["DMP-GET-02"]


def test_the_other_stored_queries_for_the_patient(caller: Caller) -> None:
    first = caller.submit(document("VSM")).exchange.summary["registered"][0]
    newer = caller.submit(document("VSM"), replaces=first["entry_uuid"]).exchange.summary["registered"][0]
    related = query(
        caller,
        "GetRelatedDocuments",
        {"$XDSDocumentEntryEntryUUID": [f"'{newer['entry_uuid']}'"], "$AssociationTypes": [f"('{ASSOC_RPLC}')"]},
    )
    assert related.status == "Success"
    assert sorted(related.exchange.summary["documents"]) == sorted([first["unique_id"], newer["unique_id"]])
    sets = query(caller, "GetSubmissionSets", {"$uuid": [f"('{newer['entry_uuid']}')"]})
    [package] = list(etree.fromstring(sets.envelope()).iter(f"{{{RIM}}}RegistryPackage"))
    contents = query(caller, "GetSubmissionSetAndContents", {"$XDSSubmissionSetEntryUUID": [f"'{package.get('id')}'"]})
    assert contents.exchange.summary["documents"] == [newer["unique_id"]]
    assert contents.exchange.summary["count"] == 3  # set, document, HasMember
    both = query(caller, "GetDocumentsAndAssociations", {"$XDSDocumentEntryEntryUUID": [f"('{newer['entry_uuid']}')"]})
    assert both.exchange.summary["documents"] == [newer["unique_id"]] and both.exchange.summary["count"] == 3
    by_reference = query(caller, "FindDocumentsByReferenceId", by_patient("FindDocumentsByReferenceId", cx(INS)))
    assert by_reference.status == "Success" and by_reference.exchange.summary["documents"] == []
