"""The DMP security context over real HTTP: mutual TLS, the VIHF, its signature against the test PKI."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import requests

from harness.pki import TestPki, generate
from mocks.dmp.samples import Signer, envelope, iti41_request, td02_request, vihf
from tests.mocks.dmp.conftest import INS, OID, OTHER_INS, Caller, document

TD02 = "urn:dui-harness:dmp:td02Exist"


def _td02(caller: Caller, assertion: object | None) -> object:
    from lxml import etree

    body = etree.Element("{urn:dui-harness:dmp:td02:1}td02ExistRequest")
    etree.SubElement(body, "{urn:dui-harness:dmp:td02:1}patientId").text = f"{INS}^^^&{OID}&ISO^NH"
    return caller.post(envelope(TD02, body, assertion), "application/soap+xml", "/dmp/td02")


def _refused(reply: object, subcode: str, requirement: str, rule: str) -> None:
    response = reply.response  # type: ignore[attr-defined]
    exchange = reply.exchange  # type: ignore[attr-defined]
    assert response.status_code == 400, response.text[:300]
    assert f"wsse:{subcode}".encode() in response.content
    assert any(f.requirement == requirement and f.rule == rule for f in exchange.findings), exchange.findings
    assert exchange.summary["rejected"] is True


def test_a_signed_vihf_is_accepted(caller: Caller) -> None:
    reply = _td02(caller, vihf(INS, OID, signer=caller.signer))
    assert reply.response.status_code == 200  # type: ignore[attr-defined]
    assert reply.exchange.summary["vihf"]["signed"] is True  # type: ignore[attr-defined]
    assert "CACHET" in reply.exchange.summary["vihf"]["signer"]  # type: ignore[attr-defined]


def test_no_vihf(caller: Caller) -> None:
    _refused(_td02(caller, None), "InvalidSecurity", "DMP-VIHF-01", "vihf.missing")


def test_unsigned_vihf(caller: Caller) -> None:
    _refused(_td02(caller, vihf(INS, OID, signer=None)), "FailedCheck", "DMP-VIHF-01", "vihf.signature.missing")


def test_vihf_signed_outside_the_test_pki(caller: Caller, tmp_path: Path) -> None:
    stranger = generate(tmp_path / "other-pki")  # another CA: the certificate does not chain to the trusted one
    signer = Signer.from_files(*stranger.client("signing-vihf"))
    _refused(_td02(caller, vihf(INS, OID, signer=signer)), "FailedCheck", "DMP-VIHF-01", "vihf.signature.invalid")


def test_tampered_vihf(caller: Caller) -> None:
    assertion = vihf(INS, OID, signer=caller.signer)
    nameid = assertion.find(".//{urn:oasis:names:tc:SAML:2.0:assertion}NameID")
    assert nameid is not None
    nameid.text = "810000000000"  # changed after signing
    _refused(_td02(caller, assertion), "FailedCheck", "DMP-VIHF-01", "vihf.signature.invalid")


def test_expired_vihf(caller: Caller) -> None:
    assertion = vihf(INS, OID, signer=caller.signer, lifetime=dt.timedelta(hours=-1))
    _refused(_td02(caller, assertion), "FailedCheck", "DMP-VIHF-01", "vihf.validity")


@pytest.mark.parametrize(
    ("omit", "overrides", "rule"),
    [
        (("Identifiant_Structure",), {}, "vihf.attribute.missing"),
        (("urn:oasis:names:tc:xacml:2.0:resource:resource-id",), {}, "vihf.attribute.missing"),
        ((), {"Ressource_URN": "urn:autre"}, "vihf.resource_urn"),
        ((), {"VIHF_Version": "1.0"}, "vihf.version"),
        ((), {"Authentification_Mode": "MAGIQUE"}, "vihf.auth_mode"),
        ((), {"Secteur_Activite": "SA01"}, "vihf.secteur"),
        ((), {"urn:oasis:names:tc:xacml:2.0:resource:resource-id": "123"}, "vihf.resource_id"),
    ],
    ids=["no-structure", "no-resource-id", "resource-urn", "version", "auth-mode", "secteur", "resource-id-format"],
)
def test_each_vihf_attribute_is_checked(
    caller: Caller, omit: tuple[str, ...], overrides: dict[str, str], rule: str
) -> None:
    assertion = vihf(INS, OID, signer=caller.signer, omit=omit, overrides=overrides)
    _refused(_td02(caller, assertion), "InvalidSecurityToken", "DMP-VIHF-02", rule)


def test_vihf_resource_id_of_another_patient(caller: Caller) -> None:
    body, ctype = iti41_request([document("VSM")], signer=caller.signer, vihf_ins=(OTHER_INS, OID))
    reply = caller.post(body, ctype)
    assert reply.status == "Failure" and reply.codes == ["XDSPatientIdDoesNotMatch"]
    assert any(f.requirement == "DMP-VIHF-03" for f in reply.exchange.findings)
    query_body, query_ctype = td02_request(INS, OID, signer=caller.signer)
    assert caller.post(query_body, query_ctype, "/dmp/td02").exchange.findings == []


def test_no_client_certificate(caller: Caller, pki: TestPki) -> None:
    session = requests.Session()
    session.trust_env = False
    body, ctype = td02_request(INS, OID, signer=caller.signer)
    since = caller.sim.recorder.mark()
    response = session.post(
        caller.sim.url + "/dmp/td02", data=body, headers={"Content-Type": ctype}, verify=str(pki.ca_cert), timeout=10
    )
    session.close()
    [exchange] = caller.sim.recorder.wait_for(service="DMP", since=since, timeout=5)
    assert response.status_code == 400 and b"wsse:FailedAuthentication" in response.content
    assert [f.rule for f in exchange.findings if f.requirement == "DMP-SEC-01"] == ["dmp.tls.no_client_cert"]
