"""What signxml repeats, done once (harness.validators.xds.dsig_speed): same output, same verdicts."""

from __future__ import annotations

import base64
import textwrap
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from signxml import util as signxml_util

from harness.pki import TestPki, ensure_pki
from harness.validators.xds import validate_submission
from harness.validators.xds.dsg import check_signature
from harness.validators.xds.dsig_speed import _add_pem_header
from mocks.dmp.samples import Signer, iti41_request
from tests.mocks.dmp.conftest import document


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> TestPki:
    return ensure_pki(tmp_path_factory.mktemp("dsig-speed-pki"))


def _original(text: str) -> bytes:
    return f"{signxml_util.PEM_HEADER}\n{textwrap.fill(text, 64)}\n{signxml_util.PEM_FOOTER}".encode()


def test_the_pem_header_is_signxml_s_byte_for_byte(pki: TestPki) -> None:
    der = x509.load_pem_x509_certificate(pki.client("signing-vihf")[0].read_bytes()).public_bytes(Encoding.DER)
    bare = base64.b64encode(der).decode()
    wrapped = base64.encodebytes(der).decode()  # line breaks every 76 characters: signxml's own wrapping kept
    for text in (bare, wrapped, bare[:100], "abc"):
        assert _add_pem_header(text) == _original(text)
        assert _add_pem_header(text) == _original(text)  # remembered: still the same bytes
    pem = pki.client("signing-vihf")[0].read_text()
    assert _add_pem_header(pem) == pem.encode()


def test_a_trusted_chain_remembered_does_not_trust_another_signer(pki: TestPki, tmp_path: Path) -> None:
    # given a trusted signer verified once (its chain validation is remembered)
    trusted = Signer.from_files(*pki.client("signing-vihf"))
    outsider = Signer.from_files(*ensure_pki(tmp_path / "other").client("signing-vihf"))
    for _ in range(2):
        for signer, expected in ((trusted, []), (outsider, ["dmp.signature.untrusted"])):
            body, ctype = iti41_request([document("VSM")], signer=signer)
            report = validate_submission(body, ctype)
            assert report.submission is not None
            found = check_signature(report.submission, report.documents, trust_ca=pki.ca_cert)
            # then each signature is judged on its own chain, the second time as the first
            assert [f.rule for f in found] == expected
