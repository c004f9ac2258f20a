"""The signed submission set (IHE DSG XAdES, DMP-SIGN-01): what the verifier accepts and what it reports."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import pytest

from harness.core.findings import Severity
from harness.pki import TestPki, ensure_pki
from harness.validators.xds import XdsReport, validate_submission
from harness.validators.xds.dsg import ASSOC_SIGNS, check_signature
from mocks.dmp.samples import Signer, iti41_request
from tests.mocks.dmp.conftest import document


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> TestPki:
    return ensure_pki(tmp_path_factory.mktemp("dsg-pki"))


@pytest.fixture(scope="module")
def signer(pki: TestPki) -> Signer:
    return Signer.from_files(*pki.client("signing-vihf"))


def _report(signer: Signer | None, *documents: bytes, signed_set: bool = True) -> XdsReport:
    body, ctype = iti41_request(list(documents or [document("VSM")]), signer=signer, signed_set=signed_set)
    report = validate_submission(body, ctype)
    assert report.submission is not None
    return report


def _rules(report: XdsReport, trust_ca: Path | None) -> list[str]:
    assert report.submission is not None
    return [f.rule for f in check_signature(report.submission, report.documents, trust_ca=trust_ca)]


def _signature_id(report: XdsReport) -> str:
    assert report.submission is not None
    [signature] = report.submission.signatures
    return signature.id


def test_a_signed_submission_passes_and_its_entry_is_no_cda(pki: TestPki, signer: Signer) -> None:
    # given two documents signed by the structure's certificate of the test PKI
    report = _report(signer, document("VSM"), document("N1"))
    # then the signature verifies, and no metadata or CDA check judges the signature entry as a document
    assert _rules(report, pki.ca_cert) == []
    assert [f for f in report.findings if f.severity is Severity.ERROR] == []
    assert report.submission is not None and len(report.submission.documents) == 2


def test_a_submission_without_signature_is_reported(pki: TestPki, signer: Signer) -> None:
    report = _report(signer, signed_set=False)
    assert report.submission is not None
    [finding] = check_signature(report.submission, report.documents, trust_ca=pki.ca_cert)
    assert (finding.rule, finding.requirement, finding.severity) == (
        "dmp.signature.missing",
        "DMP-SIGN-01",
        Severity.ERROR,
    )
    # without a PKI, the same fact is a warning (as for the VIHF)
    [soft] = check_signature(report.submission, report.documents, trust_ca=None)
    assert soft.severity is Severity.WARNING


def test_a_document_whose_bytes_differ_from_the_manifest_digest(pki: TestPki, signer: Signer) -> None:
    # given a signed submission, when one document's bytes are not those that were signed
    report = _report(signer, document("VSM"), document("N1"))
    assert report.submission is not None
    first = report.submission.documents[0].id
    report.documents[first] = report.documents[first] + b"\n"
    findings = check_signature(report.submission, report.documents, trust_ca=pki.ca_cert)
    # then exactly that document's Manifest reference is at fault, with its XPath
    assert [f.rule for f in findings] == ["dmp.signature.digest"]
    assert "ds:Manifest/ds:Reference[@URI='urn:oid:" in findings[0].location
    assert "digest mismatch" in findings[0].message


def test_a_tampered_signature_does_not_verify(pki: TestPki, signer: Signer) -> None:
    # given the Manifest's digest rewritten after signing (to match other bytes)
    report = _report(signer)
    sig = _signature_id(report)
    content = report.documents[sig].decode()
    head, manifest = content.split("<ds:Manifest", 1)
    digest = re.search(r"<ds:DigestValue>([^<]+)</ds:DigestValue>", manifest)
    assert digest is not None
    forged = base64.b64encode(b"\x00" * 32).decode()
    report.documents[sig] = (head + "<ds:Manifest" + manifest.replace(digest.group(1), forged, 1)).encode()
    assert _rules(report, pki.ca_cert) == ["dmp.signature.invalid"]


def test_a_signer_outside_the_trusted_pki(pki: TestPki, tmp_path: Path) -> None:
    # given a submission signed by another CA's "cachet"
    outsider = ensure_pki(tmp_path / "other-pki")
    report = _report(Signer.from_files(*outsider.client("signing-vihf")))
    assert _rules(report, pki.ca_cert) == ["dmp.signature.untrusted"]
    # without a trusted CA, the signature is only checked against the certificate it carries
    assert _rules(report, None) == []


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"not xml at all",
        b"<ds:Signature xmlns:ds='http://www.w3.org/2000/09/xmldsig#'><unclosed>",
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>',
        b"<lolz>" + b"<a/>" * 10 + b"</lolz>",
        b"<ds:Signature xmlns:ds='http://www.w3.org/2000/09/xmldsig#'><ds:SignedInfo/></ds:Signature>",
    ],
    ids=["empty", "text", "not-well-formed", "xxe", "other-root", "empty-signature"],
)
def test_hostile_signature_documents_are_findings_never_crashes(pki: TestPki, signer: Signer, content: bytes) -> None:
    report = _report(signer)
    report.documents[_signature_id(report)] = content
    rules = _rules(report, pki.ca_cert)
    assert len(rules) == 1 and rules[0] in ("dmp.signature.xml", "dmp.signature.invalid")


def test_the_signs_association_and_the_dsg_codes_are_required(pki: TestPki, signer: Signer) -> None:
    report = _report(signer)
    assert report.submission is not None
    report.submission.associations = [a for a in report.submission.associations if a.type != ASSOC_SIGNS]
    [signature] = report.submission.signatures
    type_code = signature.codes["typeCode"][0]
    signature.codes["typeCode"] = [type(type_code)("11490-0", "2.16.840.1.113883.6.1", "", type_code.location)]
    findings = check_signature(report.submission, report.documents, trust_ca=pki.ca_cert)
    assert [f.rule for f in findings] == ["dmp.signature.metadata", "dmp.signature.metadata"]
    assert "E1762" in findings[0].message and ASSOC_SIGNS in findings[1].message
