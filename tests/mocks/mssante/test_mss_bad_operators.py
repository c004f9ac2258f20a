"""The operator configurations a DUI must refuse (mocks.mssante.server_tls) and the CRL distribution point."""

from __future__ import annotations

import base64
import smtplib
import ssl
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509 import ocsp

from harness.core.recorder import Recorder
from harness.pki import TestPki
from harness.pki_servers import BadServers, generate_bad_servers, load_ca
from mocks.common.server import TlsSettings
from mocks.mssante import MssSimulator
from mocks.mssante.crl import CrlDistribution
from mocks.mssante.ocsp import OcspResponder
from mocks.mssante.server_tls import PROFILES, RSA_PROFILES, SOUND_PROFILES, server_tls
from tests.mocks.mssante.conftest import DOCTOR, HARNESS, client_context, vsm_message


@pytest.fixture(scope="module")
def servers(pki: TestPki, tmp_path_factory: pytest.TempPathFactory) -> BadServers:
    return generate_bad_servers(pki, Path(tmp_path_factory.mktemp("bad-servers")))


def _permissive(pki: TestPki) -> ssl.SSLContext:
    """A client that accepts what SC.MSS/CONF.03 forbids (the ``mss_accept_weak_tls`` defect's policy)."""
    context = client_context(pki, "client-harness")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # TLS 1.0 is deprecated: that is the point
        context.minimum_version = ssl.TLSVersion.TLSv1
    context.set_ciphers("ALL:@SECLEVEL=0")
    return context


@pytest.fixture(scope="module", params=PROFILES)
def operator(request: pytest.FixtureRequest, pki: TestPki, servers: BadServers) -> Iterator[tuple[str, MssSimulator]]:
    profile = str(request.param)
    cert, key = servers.server("server-rsa" if profile in RSA_PROFILES else "server-valid")
    with MssSimulator(
        Recorder(),
        tls=TlsSettings(cert, key, client_ca=pki.ca_cert),
        server_tls=server_tls(profile, cert, key, pki.ca_cert),
    ) as sim:
        assert isinstance(sim, MssSimulator)
        yield profile, sim


def test_a_default_client_refuses_every_weak_profile_and_the_handshake_is_recorded(
    operator: tuple[str, MssSimulator], pki: TestPki
) -> None:
    profile, sim = operator
    since = sim.recorder.mark()
    if profile in SOUND_PROFILES:  # sound operators (TLS 1.2+, or TLS 1.2 only): the default client gets through
        with smtplib.SMTP_SSL(
            "127.0.0.1", sim.smtps_port, context=client_context(pki, "client-harness"), timeout=15
        ) as smtp:
            assert smtp.sendmail(HARNESS, [DOCTOR], vsm_message(HARNESS, DOCTOR).raw) == {}
        return
    with pytest.raises((ssl.SSLError, smtplib.SMTPException, ConnectionError)):
        smtplib.SMTP_SSL("127.0.0.1", sim.smtps_port, context=client_context(pki, "client-harness"), timeout=15)
    found = sim.recorder.wait_for(service="MSS", transaction="TLS", since=since, timeout=10)
    assert [e.summary["listener"] for e in found] == ["smtps"]
    assert not sim.recorder.exchanges(service="MSS", transaction="SMTP", since=since)


def test_a_permissive_client_gets_through_what_it_should_not(operator: tuple[str, MssSimulator], pki: TestPki) -> None:
    profile, sim = operator
    if profile == "weak-ecdh":  # Python's ssl offers its default groups or one: secp224r1 is never among them
        with pytest.raises(ssl.SSLError), smtplib.SMTP("127.0.0.1", sim.smtp_port, timeout=15) as smtp:
            smtp.starttls(context=_permissive(pki))
        return
    with smtplib.SMTP("127.0.0.1", sim.smtp_port, timeout=15) as smtp:
        smtp.starttls(context=_permissive(pki))
        assert smtp.sendmail(HARNESS, [DOCTOR], vsm_message(HARNESS, DOCTOR).raw) == {}


def test_an_unknown_profile_is_refused(servers: BadServers) -> None:
    with pytest.raises(ValueError, match="unknown operator TLS profile 'ssl3'"):
        server_tls("ssl3", *servers.server("server-valid"))


def test_the_crl_distribution_point_serves_the_crl_then_fails_on_demand(servers: BadServers) -> None:
    recorder = Recorder()
    with CrlDistribution(recorder, servers.crl_der.read_bytes()) as crl:
        assert isinstance(crl, CrlDistribution)
        answer = requests.get(crl.crl_url, timeout=10)
        assert answer.status_code == 200 and answer.headers["content-type"] == "application/pkix-crl"
        assert answer.content == servers.crl_der.read_bytes()
        crl.available = False
        assert requests.get(crl.crl_url, timeout=10).status_code == 503
    fetched = recorder.exchanges(service="MSS", transaction="CRL")
    assert [e.summary["available"] for e in fetched] == [True, False]


def _ocsp_request(cert: x509.Certificate, issuer: x509.Certificate, *, nonce: bytes | None = None) -> bytes:
    builder = ocsp.OCSPRequestBuilder().add_certificate(cert, issuer, hashes.SHA1())  # SHA-1 CertID: RFC 5019 §2.1.1
    if nonce is not None:
        builder = builder.add_extension(x509.OCSPNonce(nonce), critical=False)
    return builder.build().public_bytes(Encoding.DER)


def test_the_ocsp_responder_says_good_revoked_unauthorized_and_malformed(pki: TestPki, servers: BadServers) -> None:
    # given the test CA's responder, knowing the harness's server certificates
    ca_cert, ca_key = load_ca(pki)
    recorder = Recorder()
    responder = OcspResponder(ca_cert, ca_key, servers.certificates(), servers.revoked_serials())
    valid = x509.load_pem_x509_certificate(servers.server("server-valid")[0].read_bytes())
    revoked = x509.load_pem_x509_certificate(servers.server("server-revoked")[0].read_bytes())
    foreign = x509.load_pem_x509_certificate(servers.server("server-other-ca")[0].read_bytes())
    with CrlDistribution(recorder, servers.crl_der.read_bytes(), ocsp=responder) as point:
        assert isinstance(point, CrlDistribution)

        def ask(body: bytes) -> ocsp.OCSPResponse:
            answer = requests.post(
                point.ocsp_url, data=body, timeout=10, headers={"Content-Type": "application/ocsp-request"}
            )
            assert answer.status_code == 200 and answer.headers["content-type"] == "application/ocsp-response"
            return ocsp.load_der_ocsp_response(answer.content)

        # when a client asks about each certificate
        good = ask(_ocsp_request(valid, ca_cert, nonce=b"0123456789abcdef"))
        bad = ask(_ocsp_request(revoked, ca_cert))
        unknown = ask(_ocsp_request(foreign, ca_cert))
        broken = ask(b"not an OCSP request")
        by_get = requests.get(
            f"{point.ocsp_url}/{base64.b64encode(_ocsp_request(revoked, ca_cert)).decode()}", timeout=10
        )
    # then the answers are signed by the CA and say what the CRL says
    assert good.response_status is ocsp.OCSPResponseStatus.SUCCESSFUL
    assert good.certificate_status is ocsp.OCSPCertStatus.GOOD
    assert good.extensions.get_extension_for_class(x509.OCSPNonce).value.nonce == b"0123456789abcdef"
    ca_key_public = ca_cert.public_key()
    assert isinstance(ca_key_public, ec.EllipticCurvePublicKey)
    ca_key_public.verify(good.signature, good.tbs_response_bytes, ec.ECDSA(hashes.SHA256()))
    assert bad.certificate_status is ocsp.OCSPCertStatus.REVOKED
    assert unknown.response_status is ocsp.OCSPResponseStatus.UNAUTHORIZED
    assert broken.response_status is ocsp.OCSPResponseStatus.MALFORMED_REQUEST
    assert ocsp.load_der_ocsp_response(by_get.content).certificate_status is ocsp.OCSPCertStatus.REVOKED
    statuses = [e.summary.get("ocsp_status") for e in recorder.exchanges(service="MSS", transaction="OCSP")]
    assert statuses == ["good", "revoked", "unauthorized", "malformedRequest", "revoked"]
