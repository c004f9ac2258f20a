"""The DMP simulator and the signed submission set (DMPi TD2.1, IHE DSG XAdES, DMP-SIGN-01), over mutual TLS."""

from __future__ import annotations

from mocks.dmp.samples import iti41_request
from tests.mocks.dmp.conftest import Caller, document


def test_a_signed_submission_is_registered_without_its_signature_entry(caller: Caller) -> None:
    # given a VSM sent with the XAdES signature of its submission set
    before = caller.sim.registry.counts()
    reply = caller.submit(document("VSM"))
    # then the DMP accepts it with no finding: the signature is verified, not registered as a document
    assert reply.status == "Success" and reply.exchange.findings == [], reply.exchange.summary
    after = caller.sim.registry.counts()
    assert after["document_entries"] - before["document_entries"] == 1
    assert after["documents"] - before["documents"] == 1
    assert after["associations"] - before["associations"] == 1  # the HasMember of the VSM only


def test_an_unsigned_submission_is_refused_with_its_requirement(caller: Caller) -> None:
    # given a submission whose VIHF is signed but whose submission set is not
    body, ctype = iti41_request([document("VSM")], signer=caller.signer, signed_set=False)
    before = caller.sim.registry.counts()
    reply = caller.post(body, ctype)
    # then the DMP refuses it, says why (requirement and rule), and keeps nothing
    assert reply.status == "Failure"
    assert [f.rule for f in reply.exchange.findings] == ["dmp.signature.missing"]
    assert reply.exchange.findings[0].requirement == "DMP-SIGN-01"
    assert any("DMP-SIGN-01" in e["context"] for e in reply.exchange.summary["errors"])
    assert caller.sim.registry.counts() == before
