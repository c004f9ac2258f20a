"""ITI-41 over real HTTP (mutual TLS): MTOM and inline submissions, XDS errors, nothing left by a rejection."""

from __future__ import annotations

import pytest

from mocks.dmp.samples import iti41_request
from tests.mocks.dmp.conftest import INS, OID, OTHER_INS, RS, Caller, document

APPROVED = "urn:oasis:names:tc:ebxml-regrep:StatusType:Approved"
DEPRECATED = "urn:oasis:names:tc:ebxml-regrep:StatusType:Deprecated"


def test_submission_is_registered_and_stored(caller: Caller) -> None:
    # given a VSM written by a hospital, sent as MTOM (email package)
    cda = document("VSM")
    reply = caller.submit(cda)
    # then the DMP answers Success, packaged like the request, and holds the document byte for byte
    assert reply.response.status_code == 200, reply.response.text[:500]
    assert reply.status == "Success" and reply.exchange.findings == []
    assert reply.response.headers["content-type"].startswith("multipart/related")
    assert b'status="urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Success"' in reply.envelope()
    [registered] = reply.exchange.summary["registered"]
    assert caller.sim.registry.document(registered["unique_id"]) == (cda, "text/xml")
    assert caller.sim.registry.entry(registered["entry_uuid"]).status == APPROVED  # type: ignore[union-attr]
    assert reply.exchange.tags["ins"] == INS and reply.exchange.transaction == "ITI-41"


def _rejected(caller: Caller, body: bytes, ctype: str, code: str) -> None:
    before = caller.sim.registry.counts()
    reply = caller.post(body, ctype)
    assert reply.response.status_code == 200
    assert reply.status == "Failure", reply.exchange.summary
    assert code in reply.codes, reply.exchange.summary["errors"]
    envelope = reply.envelope()
    assert f'errorCode="{code}"'.encode() in envelope and RS.encode() in envelope
    assert b"location=" in envelope  # says where
    assert caller.sim.registry.counts() == before  # a rejected submission leaves no trace


def test_duplicate_unique_id(caller: Caller) -> None:
    cda = document("VSM")
    assert caller.submit(cda).status == "Success"
    _rejected(caller, *iti41_request([cda], signer=caller.signer), "XDSDuplicateUniqueIdInRegistry")


def test_patient_id_not_the_ins_of_the_document(caller: Caller) -> None:
    # given the DocumentEntry's patientId ExternalIdentifier (its first one) naming the twin
    body, ctype = iti41_request([document("VSM")], signer=caller.signer)
    body = body.replace(f'value="{INS}^^^&amp;{OID}'.encode(), f'value="{OTHER_INS}^^^&amp;{OID}'.encode(), 1)
    _rejected(caller, body, ctype, "XDSPatientIdDoesNotMatch")


def test_missing_document(caller: Caller) -> None:
    body, ctype = iti41_request([document("VSM")], signer=caller.signer, mtom_=False)
    start = body.index(b"<xdsb:Document ")
    body = body[:start] + body[body.index(b"</xdsb:Document>") + len(b"</xdsb:Document>") :]
    _rejected(caller, body, ctype, "XDSMissingDocument")


def test_hash_of_other_bytes(caller: Caller) -> None:
    body, ctype = iti41_request([document("VSM")], signer=caller.signer, mtom_=False)
    marker = b'<rim:Slot name="hash"><rim:ValueList><rim:Value>'
    at = body.index(marker) + len(marker)
    body = body[:at] + b"0" * 40 + body[at + 40 :]
    _rejected(caller, body, ctype, "XDSRepositoryMetadataError")


def test_metadata_error_names_its_location(caller: Caller) -> None:
    body, ctype = iti41_request([document("VSM")], signer=caller.signer, mtom_=False)
    body = body.replace(b'name="creationTime"', b'name="creationTimeX"', 1)  # the document's, not the signature's
    before = caller.sim.registry.counts()
    reply = caller.post(body, ctype)
    [error] = [e for e in reply.exchange.summary["errors"] if "creationTime" in e["context"]]
    assert error["code"] == "XDSRegistryMetadataError"
    assert error["location"].endswith("rim:Slot[@name='creationTime']")
    assert "DMP-XDS-02" in error["context"]
    assert caller.sim.registry.counts() == before


@pytest.mark.parametrize(
    ("status", "code"),
    [("NON_EXISTE", "XDSUnknownPatientId"), ("INTERDIT", "XDSRegistryError"), ("EXPIRE", "XDSRegistryError")],
)
def test_patient_without_an_open_dmp(caller: Caller, status: str, code: str) -> None:
    caller.sim.update_state({"patients": {INS: status}})
    _rejected(caller, *iti41_request([document("VSM")], signer=caller.signer), code)


def test_replacement_deprecates_the_previous_version(caller: Caller) -> None:
    first = caller.submit(document("VSM")).exchange.summary["registered"][0]
    reply = caller.submit(document("VSM", version=2, replaces=first["unique_id"]), replaces=first["entry_uuid"])
    assert reply.status == "Success", reply.exchange.summary
    assert reply.exchange.summary["replaced"] == [first["entry_uuid"]]
    assert caller.sim.registry.entry(first["entry_uuid"]).status == DEPRECATED  # type: ignore[union-attr]
    # a second replacement of the deprecated version is refused, and leaves nothing
    body, ctype = iti41_request([document("VSM")], signer=caller.signer, replaces=first["entry_uuid"])
    _rejected(caller, body, ctype, "XDSRegistryError")


def test_replacement_of_an_unknown_entry(caller: Caller) -> None:
    body, ctype = iti41_request(
        [document("VSM")], signer=caller.signer, replaces="urn:uuid:00000000-0000-4000-8000-000000000000"
    )
    _rejected(caller, body, ctype, "XDSRegistryError")


def test_injected_registry_error_and_unavailability(caller: Caller) -> None:
    caller.sim.faults.add("registry_error", "ITI-41", 1, code="XDSRegistryBusy", context="busy")
    assert caller.submit(document("N1")).codes == ["XDSRegistryBusy"]
    caller.sim.faults.add("http_status", "ITI-41", 1, status=503)
    reply = caller.submit(document("N1"))
    assert reply.response.status_code == 503 and reply.exchange.fault_injected == "http_status {'status': 503}"
    assert caller.sim.registry.counts()["documents"] == 0


def test_inline_submission_without_mtom_is_refused(caller: Caller) -> None:
    # given the same submission with the document inlined in base64 in a plain SOAP 1.2 message
    body, ctype = iti41_request([document("VSM")], signer=caller.signer, mtom_=False)
    # then the DMP, which requires MTOM/XOP, refuses it on DMP-XDS-01 and answers plain SOAP
    _rejected(caller, body, ctype, "XDSRepositoryError")
    reply = caller.post(body, ctype)
    assert [(f.rule, f.requirement) for f in reply.exchange.findings] == [("xds.transport.mtom", "DMP-XDS-01")]
    assert reply.response.headers["content-type"].startswith("application/soap+xml")
