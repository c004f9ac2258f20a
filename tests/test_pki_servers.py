"""harness.pki_servers: the operator certificates a DUI must refuse, and the test CA's CRL."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.x509.oid import AuthorityInformationAccessOID
from cryptography.x509.verification import PolicyBuilder, Store, VerificationError

from harness.pki import TestPki, generate
from harness.pki_servers import BAD_SERVERS, BadServers, generate_bad_servers

CRL_URL = "http://127.0.0.1:9/crl/ac-igc-sante-test.crl"
OCSP_URL = "http://127.0.0.1:9/ocsp"


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> TestPki:
    return generate(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="module")
def servers(pki: TestPki, tmp_path_factory: pytest.TempPathFactory) -> BadServers:
    return generate_bad_servers(pki, tmp_path_factory.mktemp("bad"), CRL_URL, OCSP_URL)


def _cert(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def _verify(leaf: Path, ca: Path) -> None:
    verifier = PolicyBuilder().store(Store([_cert(ca)])).build_server_verifier(x509.DNSName("localhost"))
    verifier.verify(_cert(leaf), [])


def test_every_server_certificate_and_key_is_written(servers: BadServers) -> None:
    for stem in BAD_SERVERS:
        cert, key = servers.server(stem)
        assert cert.is_file() and key.is_file()
        assert key.stat().st_mode & 0o077 == 0
    assert servers.other_ca.is_file() and servers.crl_pem.is_file() and servers.crl_der.is_file()


def test_valid_and_revoked_leaves_chain_to_the_test_ca_with_the_crl_address(pki: TestPki, servers: BadServers) -> None:
    for stem in ("server-valid", "server-revoked", "server-rsa"):
        _verify(servers.server(stem)[0], pki.ca_cert)
        points = _cert(servers.server(stem)[0]).extensions.get_extension_for_class(x509.CRLDistributionPoints).value
        assert [name.value for point in points for name in point.full_name or ()] == [CRL_URL]
        access = _cert(servers.server(stem)[0]).extensions.get_extension_for_class(x509.AuthorityInformationAccess)
        assert [(d.access_method, d.access_location.value) for d in access.value] == [
            (AuthorityInformationAccessOID.OCSP, OCSP_URL)
        ]


def test_the_expired_leaf_is_refused_for_its_dates_only(pki: TestPki, servers: BadServers) -> None:
    cert = _cert(servers.server("server-expired")[0])
    assert cert.not_valid_after_utc < dt.datetime.now(dt.UTC)
    with pytest.raises(VerificationError):
        _verify(servers.server("server-expired")[0], pki.ca_cert)
    cert.verify_directly_issued_by(_cert(pki.ca_cert))  # the test CA signed it: only its dates are wrong


def test_the_other_ca_leaf_does_not_chain_to_the_test_ca(pki: TestPki, servers: BadServers) -> None:
    with pytest.raises(VerificationError):
        _verify(servers.server("server-other-ca")[0], pki.ca_cert)
    _verify(servers.server("server-other-ca")[0], servers.other_ca)


def test_the_crl_lists_the_revoked_leaf_only_and_is_signed_by_the_test_ca(pki: TestPki, servers: BadServers) -> None:
    crl = x509.load_der_x509_crl(servers.crl_der.read_bytes())
    ca = _cert(pki.ca_cert)
    assert crl.issuer == ca.subject and crl.is_signature_valid(ca.public_key())  # type: ignore[arg-type]
    assert crl.next_update_utc is not None and crl.next_update_utc > dt.datetime.now(dt.UTC)
    revoked = _cert(servers.server("server-revoked")[0]).serial_number
    assert [entry.serial_number for entry in crl] == [revoked]
    assert crl.get_revoked_certificate_by_serial_number(_cert(servers.server("server-valid")[0]).serial_number) is None


def test_without_addresses_the_leaves_name_no_distribution_point_nor_responder(pki: TestPki, tmp_path: Path) -> None:
    plain = generate_bad_servers(pki, tmp_path)
    extensions = _cert(plain.server("server-valid")[0]).extensions
    for kind in (x509.CRLDistributionPoints, x509.AuthorityInformationAccess):
        with pytest.raises(x509.ExtensionNotFound):
            extensions.get_extension_for_class(kind)


def test_the_ocsp_responder_knows_the_test_ca_leaves_and_the_revoked_one(servers: BadServers) -> None:
    serials = {cert.serial_number for cert in servers.certificates()}
    assert len(serials) == 4 and set(servers.revoked_serials()) <= serials
    assert _cert(servers.server("server-other-ca")[0]).serial_number not in serials
