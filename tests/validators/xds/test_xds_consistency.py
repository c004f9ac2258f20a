"""CDA ↔ metadata consistency: each rule fails on a crafted mismatch, on its requirement."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from harness.validators.xds import validate_submission
from harness.validators.xds.consistency import to_utc
from mocks.dmp.samples import iti41_request
from mocks.dmp.samples_cda import clinical_document
from tests.validators.xds.test_xds_rules import INS, OID, TRAITS


def _body(cda: bytes, mtom: bool = False) -> tuple[bytes, str]:
    return iti41_request([cda], signer=None, mtom_=mtom)


def _findings(body: bytes, ctype: str | None = None) -> list[Any]:
    return validate_submission(body, ctype).findings


def _cda(kind: str = "FLUDR", **options: Any) -> bytes:
    return clinical_document(kind, ins=INS, ins_oid=OID, traits=TRAITS, **options)


def _swap_document(body: bytes, original: bytes, sent: bytes) -> bytes:
    """Send ``sent`` where the metadata describe ``original`` (inline form)."""
    return body.replace(base64.b64encode(original), base64.b64encode(sent))


def test_metadata_derived_from_another_document() -> None:
    # given metadata computed from one document, and another one actually sent
    described = _cda("FLUDR", confidentiality="N")
    sent = clinical_document("VSM", ins="241057505612459", ins_oid=OID, traits=TRAITS, confidentiality="R")
    body, _ = _body(described)
    rules = {(f.rule, f.requirement) for f in _findings(_swap_document(body, described, sent))}
    # then every consistency rule speaks, each on its own requirement
    assert {
        ("xds.hash", "DMP-CON-07"),
        ("xds.size", "DMP-CON-07"),
        ("xds.patient.mismatch", "DMP-CON-01"),
        ("xds.type_code", "DMP-CON-02"),
        ("xds.format_code", "DMP-CON-03"),
        ("xds.confidentiality", "DMP-CON-05"),
        ("xds.unique_id", "DMP-CON-06"),
    } <= rules


def test_creation_time_must_be_the_effective_time_in_utc() -> None:
    body, _ = _body(_cda())
    marker = b'<rim:Slot name="creationTime"><rim:ValueList><rim:Value>'
    at = body.index(marker) + len(marker)
    body = body[:at] + b"19990101000000" + body[at + 14 :]
    [finding] = [f for f in _findings(body) if f.rule == "xds.creation_time"]
    assert finding.requirement == "DMP-CON-04" and "in UTC" in finding.message


def test_n1_extra_template_and_body() -> None:
    cda = _cda("N1").replace(
        b'<templateId root="1.3.6.1.4.1.19376.1.2.20"/>',
        b'<templateId root="1.3.6.1.4.1.19376.1.2.20"/><templateId root="1.2.250.1.213.1.1.1.22"/>',
    )
    found = [f for f in _findings(_body(cda)[0]) if f.requirement == "DMP-DOC-02"]
    assert [f.rule for f in found] == ["xds.n1.templates"]
    assert "1.2.250.1.213.1.1.1.22" in found[0].message


def test_mtom_capture_with_patient_id_of_the_twin() -> None:
    body, ctype = _body(_cda(), mtom=True)
    body = body.replace(f'value="{INS}^^^&amp;'.encode(), b'value="241057505612459^^^&amp;', 1)
    rules = {(f.rule, f.requirement) for f in _findings(body, ctype)}
    assert ("xds.patient.mismatch", "DMP-CON-01") in rules
    assert ("xds.patient_id.mismatch", "DMP-CON-01") in rules  # SubmissionSet vs DocumentEntry


def test_cda_findings_are_kept_with_their_requirement() -> None:
    cda = _cda("VSM").replace(b'<given qualifier="BR">LOUISE</given>', b"")
    found = [f for f in _findings(_body(cda)[0]) if f.requirement == "CDA-INS-01"]
    assert found and all(f.location.startswith("document Document01:") for f in found)


@pytest.mark.parametrize(
    ("cda_time", "utc"),
    [
        ("20260325153500+0100", "20260325143500"),
        ("20261025013000+0200", "20261024233000"),
        ("202603251535+0000", "202603251535"),
        ("20260325", "20260325"),
        ("20260325153500", None),
        ("garbage", None),
    ],
)
def test_effective_time_to_utc(cda_time: str, utc: str | None) -> None:
    assert to_utc(cda_time) == utc
