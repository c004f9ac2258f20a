"""Rejected TLS handshakes are recorded on INSi and DMP (issue 17, defect 7): a client certificate that
is expired, self-signed or issued by another CA never reaches HTTP, and the attempt is evidence."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from harness.core.recorder import Recorder
from harness.pki import TestPki, ensure_pki
from mocks.common.server import TlsSettings
from mocks.common.simulator import Simulator
from mocks.dmp import DmpSimulator
from mocks.insi import InsiSimulator


def _certificate(
    folder: Path,
    name: str,
    *,
    issuer: tuple[x509.Certificate, ec.EllipticCurvePrivateKey] | None,
    expired: bool = False,
) -> tuple[str, str]:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "INSI-AUTO")])
    now = dt.datetime.now(dt.UTC)
    start, end = (now - dt.timedelta(days=30), now - dt.timedelta(days=1)) if expired else (now, now + dt.timedelta(1))
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer[0].subject if issuer else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .sign(issuer[1] if issuer else key, hashes.SHA256())
    )
    cert_path, key_path = folder / f"{name}.pem", folder / f"{name}.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return str(cert_path), str(key_path)


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> TestPki:
    return ensure_pki(tmp_path_factory.mktemp("tls-rejections-pki"))


@pytest.fixture(scope="module")
def clients(pki: TestPki, tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[str, str]]:
    folder = tmp_path_factory.mktemp("bad-clients")
    ca_cert = x509.load_pem_x509_certificate(pki.ca_cert.read_bytes())
    ca_key = serialization.load_pem_private_key((pki.directory / "ca.key").read_bytes(), None)
    assert isinstance(ca_key, ec.EllipticCurvePrivateKey)
    other = ensure_pki(tmp_path_factory.mktemp("other-ca"))
    other_cert, other_key = other.client("client-insi-auto")
    return {
        "expired": _certificate(folder, "expired", issuer=(ca_cert, ca_key), expired=True),
        "self-signed": _certificate(folder, "self-signed", issuer=None),
        "wrong-ca": (str(other_cert), str(other_key)),
    }


@pytest.fixture(scope="module", params=["insi", "dmp"])
def sim(request: pytest.FixtureRequest, pki: TestPki) -> Iterator[Simulator]:
    tls = TlsSettings(pki.server_cert, pki.server_key, client_ca=pki.ca_cert)
    kind = InsiSimulator if request.param == "insi" else DmpSimulator
    with kind(Recorder(), tls=tls) as simulator:
        yield simulator


@pytest.mark.parametrize("client", ["expired", "self-signed", "wrong-ca"])
def test_rejected_client_certificates_are_recorded(
    sim: Simulator, pki: TestPki, clients: dict[str, tuple[str, str]], client: str
) -> None:
    since = sim.recorder.mark()
    with requests.Session() as http, pytest.raises((requests.exceptions.SSLError, requests.exceptions.ConnectionError)):
        http.trust_env = False
        http.get(sim.url + "/", verify=str(pki.ca_cert), cert=clients[client], timeout=10)
    found = sim.recorder.wait_for(service=sim.service, transaction="TLS", since=since, timeout=10)
    assert found, "the rejected handshake was not recorded"
    assert "TLS handshake failed" in found[0].summary["error"] and found[0].summary["tls_reason"]
