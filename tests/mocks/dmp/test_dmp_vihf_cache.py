"""A VIHF the DUI reuses is verified once (issue 18), and the cache never turns a bad signature into a good one."""

from __future__ import annotations

from typing import Any

import pytest
from lxml import etree
from signxml.verifier import XMLVerifier

import harness.validators.xds.vihf as vihf_module
from mocks.dmp.samples import envelope, vihf
from tests.mocks.dmp.conftest import INS, OID, Caller

TD02 = "urn:dui-harness:dmp:td02Exist"


@pytest.fixture
def verifications(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many XML-DSIG verifications ran (one entry each)."""
    calls: list[int] = []

    class Counting(XMLVerifier):
        def verify(self, *args: Any, **kwargs: Any) -> Any:
            calls.append(1)
            return super().verify(*args, **kwargs)

    monkeypatch.setattr(vihf_module, "XMLVerifier", Counting)
    monkeypatch.setattr(vihf_module, "_VERIFIED", type(vihf_module._VERIFIED)())
    return calls


def _td02(caller: Caller, assertion: etree._Element) -> Any:
    body = etree.Element("{urn:dui-harness:dmp:td02:1}td02ExistRequest")
    etree.SubElement(body, "{urn:dui-harness:dmp:td02:1}patientId").text = f"{INS}^^^&{OID}&ISO^NH"
    return caller.post(envelope(TD02, body, assertion), "application/soap+xml", "/dmp/td02")


def test_the_same_signed_vihf_is_verified_once(caller: Caller, verifications: list[int]) -> None:
    # given one signed VIHF sent with two requests
    assertion = vihf(INS, OID, signer=caller.signer)
    first, second = _td02(caller, assertion), _td02(caller, assertion)
    # then both are accepted as signed, by the same signer, and the signature was checked once
    for reply in (first, second):
        assert reply.response.status_code == 200, reply.response.text[:300]
        assert reply.exchange.summary["vihf"]["signed"] is True
    assert first.exchange.summary["vihf"]["signer"] == second.exchange.summary["vihf"]["signer"]
    assert len(verifications) == 1


def test_a_vihf_changed_after_a_verified_one_is_verified_again(caller: Caller, verifications: list[int]) -> None:
    # given a signed VIHF accepted once, then the same assertion changed after signing
    assertion = vihf(INS, OID, signer=caller.signer)
    assert _td02(caller, assertion).response.status_code == 200
    nameid = assertion.find(".//{urn:oasis:names:tc:SAML:2.0:assertion}NameID")
    assert nameid is not None
    nameid.text = "810000000000"
    reply = _td02(caller, assertion)
    # then its signature is checked again and refused
    assert reply.response.status_code == 400
    assert any(f.rule == "vihf.signature.invalid" for f in reply.exchange.findings), reply.exchange.findings
    assert len(verifications) == 2
