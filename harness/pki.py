"""A test PKI for the simulators: a CA, server certificates and client certificates.

Modelled on the IGC-Santé chain the national services use (names marked TEST, never valid
outside the harness): the INSi teleservice accepts a client certificate whose CN is
``INSI-AUTO`` (automatic calls) or ``INSI-MANU`` (manual calls), issued by
"AC IGC-SANTE ELEMENTAIRE ORGANISATIONS" (french-specs §1.5).

``dui-harness pki --out DIR`` writes the files an editor configures in their DUI.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

__all__ = ["CLIENT_PROFILES", "SIGNING_PROFILES", "TestPki", "ensure_pki", "generate"]

CA_NAME = "AC IGC-SANTE ELEMENTAIRE ORGANISATIONS TEST dui-harness"
ORG = "dui-harness TEST - ne pas utiliser en production"
#: client certificates written by default: file stem -> (CN, OU)
CLIENT_PROFILES = {
    "client-insi-auto": ("INSI-AUTO", "FINESS 0000000000 TEST"),
    "client-insi-manu": ("INSI-MANU", "FINESS 0000000000 TEST"),
    "client-wrong-cn": ("DUI-SANS-ROLE-INSI", "FINESS 0000000000 TEST"),
    "client-harness": ("dui-harness", "harness"),
    # the DUI's MSSanté BAL applicative (fixtures/mssante/annuaire.json certificate_cn)
    "client-mss-bal": ("BAL-APPLICATIVE-DUI", "FINESS 000000000 TEST"),
}
#: signing certificates: file stem -> (CN, OU). ``signing-vihf`` is the organisation's "cachet"
#: certificate that signs the DMP VIHF assertion (french-specs §2.4).
SIGNING_PROFILES = {
    "signing-vihf": ("CACHET DUI-REFERENCE TEST", "FINESS 0000000000 TEST"),
}
VALIDITY_DAYS = 825
#: bumped whenever the certificates change shape, so that ensure_pki regenerates older ones
#: (2: key identifiers and key usage on leaf certificates; 3: signing certificates).
PKI_FORMAT = 3


@dataclass(frozen=True)
class TestPki:
    """Paths of a generated test PKI."""

    __test__ = False  # not a pytest test class, despite its name

    directory: Path

    @property
    def ca_cert(self) -> Path:
        return self.directory / "ca.pem"

    @property
    def server_cert(self) -> Path:
        return self.directory / "server.pem"

    @property
    def server_key(self) -> Path:
        return self.directory / "server.key"

    def client(self, stem: str) -> tuple[Path, Path]:
        """``(certificate, key)`` of a client or signing profile (``client-insi-auto``, ``signing-vihf``)."""
        return self.directory / f"{stem}.pem", self.directory / f"{stem}.key"

    def is_complete(self) -> bool:
        files = [self.ca_cert, self.server_cert, self.server_key]
        files += [p for stem in (*CLIENT_PROFILES, *SIGNING_PROFILES) for p in self.client(stem)]
        return all(p.is_file() for p in files)


def _key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _write_key(path: Path, key: ec.EllipticCurvePrivateKey) -> None:
    """Write a private key readable by its owner only, from the first byte on."""
    data = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    path.chmod(0o600)  # O_CREAT's mode does not apply to a file that already existed


def _name(cn: str, ou: str | None = None) -> x509.Name:
    attrs = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "FR"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, ORG),
    ]
    if ou:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, ou))
    attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, cn))
    return x509.Name(attrs)


def _builder(subject: x509.Name, issuer: x509.Name, public_key: ec.EllipticCurvePublicKey) -> x509.CertificateBuilder:
    now = dt.datetime.now(dt.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=VALIDITY_DAYS))
    )


def _key_usage(
    *,
    digital_signature: bool = False,
    key_cert_sign: bool = False,
    crl_sign: bool = False,
    content_commitment: bool = False,
) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=digital_signature,
        content_commitment=content_commitment,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=key_cert_sign,
        crl_sign=crl_sign,
        encipher_only=False,
        decipher_only=False,
    )


def _leaf_builder(
    subject: x509.Name, ca_cert: x509.Certificate, public_key: ec.EllipticCurvePublicKey
) -> x509.CertificateBuilder:
    """An end-entity certificate issued by ``ca_cert``.

    Key identifiers and a key usage are present because strict verifiers require them
    (RFC 5280 §4.2.1.1: Python 3.13's default ``VERIFY_X509_STRICT``, cryptography's verifier).
    """
    ca_ski = ca_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    return (
        _builder(subject, ca_cert.subject, public_key)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(digital_signature=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski), critical=False)
    )


def generate(directory: Path) -> TestPki:
    """Write a fresh CA, a loopback server certificate and the client certificates."""
    directory.mkdir(parents=True, exist_ok=True)
    ca_key = _key()
    ca_name = _name(CA_NAME)
    ca_cert = (
        _builder(ca_name, ca_name, ca_key.public_key())
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(key_cert_sign=True, crl_sign=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    pki = TestPki(directory)
    pki.ca_cert.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    _write_key(directory / "ca.key", ca_key)

    server_key = _key()
    server_cert = (
        _leaf_builder(_name("localhost", "simulateurs"), ca_cert, server_key.public_key())
        .add_extension(
            x509.SubjectAlternativeName(
                [
                    x509.DNSName("localhost"),
                    x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                    x509.IPAddress(ipaddress.ip_address("::1")),
                ]
            ),
            critical=False,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    pki.server_cert.write_bytes(server_cert.public_bytes(serialization.Encoding.PEM))
    _write_key(pki.server_key, server_key)

    for stem, (cn, ou) in CLIENT_PROFILES.items():
        key = _key()
        cert = (
            _leaf_builder(_name(cn, ou), ca_cert, key.public_key())
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
            .sign(ca_key, hashes.SHA256())
        )
        cert_path, key_path = pki.client(stem)
        cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        _write_key(key_path, key)

    for stem, (cn, ou) in SIGNING_PROFILES.items():
        key = _key()
        cert = (
            _builder(_name(cn, ou), ca_cert.subject, key.public_key())
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(_key_usage(digital_signature=True, content_commitment=True), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(
                    ca_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
                ),
                critical=False,
            )
            .sign(ca_key, hashes.SHA256())
        )
        cert_path, key_path = pki.client(stem)
        cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        _write_key(key_path, key)

    (directory / "pki.json").write_text(
        json.dumps(
            {
                "format": PKI_FORMAT,
                "ca": "ca.pem",
                "server": {
                    "cert": "server.pem",
                    "key": "server.key",
                    "names": ["localhost", "127.0.0.1", "::1"],
                },
                "clients": {
                    stem: {"cn": cn, "cert": f"{stem}.pem", "key": f"{stem}.key"}
                    for stem, (cn, _) in CLIENT_PROFILES.items()
                },
                "signing": {
                    stem: {"cn": cn, "cert": f"{stem}.pem", "key": f"{stem}.key"}
                    for stem, (cn, _) in SIGNING_PROFILES.items()
                },
                "warning": "TEST PKI generated by dui-harness: never trust it outside tests.",
            },
            indent=2,
        ),
        encoding="utf-8",
    )
    return pki


def ensure_pki(directory: Path) -> TestPki:
    """Reuse the PKI in ``directory`` when complete, current and not near expiry, else generate one."""
    pki = TestPki(directory)
    if pki.is_complete() and _format_of(directory) == PKI_FORMAT:
        cert = x509.load_pem_x509_certificate(pki.ca_cert.read_bytes())
        if cert.not_valid_after_utc - dt.datetime.now(dt.UTC) > dt.timedelta(days=30):
            return pki
    return generate(directory)


def _format_of(directory: Path) -> int | None:
    try:
        data = json.loads((directory / "pki.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    value = data.get("format") if isinstance(data, dict) else None
    return value if isinstance(value, int) else None
