"""harness.pki: the generated chain verifies, strict TLS accepts it, and ensure_pki reuses it."""

from __future__ import annotations

import ipaddress
import json
import socket
import ssl
import stat
import threading
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from cryptography.x509.verification import PolicyBuilder, Store

from harness.pki import CLIENT_PROFILES, PKI_FORMAT, TestPki, ensure_pki, generate


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> TestPki:
    return generate(tmp_path_factory.mktemp("pki"))


def _cert(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def _cn(cert: x509.Certificate) -> str:
    return str(cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value)


def test_every_file_is_written(pki: TestPki) -> None:
    assert pki.is_complete()
    described = json.loads((pki.directory / "pki.json").read_text(encoding="utf-8"))
    assert described["format"] == PKI_FORMAT
    assert {s: c["cn"] for s, c in described["clients"].items()} == {s: cn for s, (cn, _) in CLIENT_PROFILES.items()}


def test_private_keys_are_private(pki: TestPki) -> None:
    for key in [pki.server_key, pki.directory / "ca.key", *(pki.client(s)[1] for s in CLIENT_PROFILES)]:
        assert stat.S_IMODE(key.stat().st_mode) == 0o600, key


def test_insi_auto_client_certificate_is_issued_by_the_ca(pki: TestPki) -> None:
    ca, client = _cert(pki.ca_cert), _cert(pki.client("client-insi-auto")[0])
    client.verify_directly_issued_by(ca)
    assert _cn(client) == "INSI-AUTO"
    usages = client.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert ExtendedKeyUsageOID.CLIENT_AUTH in usages
    assert _cn(_cert(pki.client("client-insi-manu")[0])) == "INSI-MANU"


def test_server_certificate_chain_verifies_for_loopback(pki: TestPki) -> None:
    # cryptography's verifier applies the RFC 5280 profile (it needs the key identifiers)
    server = _cert(pki.server_cert)
    names = server.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert ipaddress.ip_address("127.0.0.1") in names.get_values_for_type(x509.IPAddress)
    assert "localhost" in names.get_values_for_type(x509.DNSName)
    verifier = (
        PolicyBuilder()
        .store(Store([_cert(pki.ca_cert)]))
        .build_server_verifier(x509.IPAddress(ipaddress.ip_address("127.0.0.1")))
    )
    chain = verifier.verify(server, [])
    assert chain[-1] == _cert(pki.ca_cert)


def test_mutual_tls_handshake_with_strict_verification(pki: TestPki) -> None:
    # given a server requiring a client certificate, both sides in X509 strict mode
    # (the default of Python 3.13+ clients)
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(pki.server_cert, pki.server_key)
    server_ctx.load_verify_locations(pki.ca_cert)
    server_ctx.verify_mode = ssl.CERT_REQUIRED
    server_ctx.verify_flags |= ssl.VERIFY_X509_STRICT
    client_ctx = ssl.create_default_context(cafile=str(pki.ca_cert))
    client_ctx.verify_flags |= ssl.VERIFY_X509_STRICT
    client_ctx.load_cert_chain(*pki.client("client-insi-auto"))
    seen: list[str] = []
    with socket.create_server(("127.0.0.1", 0)) as listener:
        listener.settimeout(5)

        def serve() -> None:
            conn, _ = listener.accept()
            with server_ctx.wrap_socket(conn, server_side=True) as tls:
                der = tls.getpeercert(binary_form=True)
                assert der is not None
                seen.append(_cn(x509.load_der_x509_certificate(der)))
                tls.sendall(b"ok")

        thread = threading.Thread(target=serve)
        thread.start()
        # when the DUI side connects to 127.0.0.1 with the INSI-AUTO certificate
        with (
            socket.create_connection(listener.getsockname(), timeout=5) as raw,
            client_ctx.wrap_socket(raw, server_hostname="127.0.0.1") as tls,
        ):
            assert tls.recv(2) == b"ok"
        thread.join(5)
    # then the server saw the INSI-AUTO client
    assert seen == ["INSI-AUTO"]


def test_ensure_pki_reuses_a_complete_pki(tmp_path: Path) -> None:
    first = ensure_pki(tmp_path)
    ca = first.ca_cert.read_bytes()
    assert ensure_pki(tmp_path).ca_cert.read_bytes() == ca


def test_ensure_pki_regenerates_an_incomplete_pki(tmp_path: Path) -> None:
    first = ensure_pki(tmp_path)
    ca = first.ca_cert.read_bytes()
    first.client("client-insi-auto")[1].unlink()
    second = ensure_pki(tmp_path)
    assert second.is_complete()
    assert second.ca_cert.read_bytes() != ca


def test_ensure_pki_regenerates_an_older_format(tmp_path: Path) -> None:
    # given a PKI written by an earlier version (no format number in pki.json)
    pki = ensure_pki(tmp_path)
    ca = pki.ca_cert.read_bytes()
    described = json.loads((tmp_path / "pki.json").read_text(encoding="utf-8"))
    del described["format"]
    (tmp_path / "pki.json").write_text(json.dumps(described), encoding="utf-8")
    # then it is replaced
    assert ensure_pki(tmp_path).ca_cert.read_bytes() != ca
