"""Server certificates a DUI's MSSanté client must refuse, and the test CA's CRL (issue 13).

Beside the test PKI of :mod:`harness.pki` (the stand-in for IGC Santé), the operator
simulator can present (SC.MSS/va1.04, va1.05, CONF.22, CONF.27 — ECO.1.1.4 to 1.1.10 of the
référentiel socle MSSanté #2):

======================  ===============================================================
file stem               certificate
======================  ===============================================================
``server-valid``        loopback leaf of the test CA, with the CRL distribution point
``server-expired``      loopback leaf of the test CA whose validity ended yesterday
``server-revoked``      loopback leaf of the test CA, listed in ``crl.pem`` / ``crl.der``
``server-other-ca``     loopback leaf of ``other-ca.pem``, a second CA (never IGC Santé)
``server-rsa``          loopback RSA 2048 leaf of the test CA (finite-field DHE suites)
======================  ===============================================================

The CRL is signed by the test CA, valid seven days. ``crl_url`` is written into the leaves'
CRL distribution points, and ``ocsp_url`` into their Authority Information Access, when the
harness knows where it serves them (a run); the files ``dui-harness pki`` writes have neither
(a DUI is told the CRL address instead).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import AuthorityInformationAccessOID, ExtendedKeyUsageOID

from harness.pki import TestPki, _builder, _key, _key_usage, _leaf_builder, _name, _write_key

__all__ = ["BAD_SERVERS", "BadServers", "generate_bad_servers", "load_ca"]

#: file stems of the server certificates, and what each one is
BAD_SERVERS = {
    "server-valid": "certificat valide de l'AC de test / valid certificate of the test CA",
    "server-expired": "certificat expiré / expired certificate",
    "server-revoked": "certificat révoqué (CRL) / revoked certificate (CRL)",
    "server-other-ca": "certificat d'une autre AC / certificate of another CA",
    "server-rsa": "certificat RSA de l'AC de test / RSA certificate of the test CA",
}
OTHER_CA_NAME = "AC AUTRE QUE IGC-SANTE TEST dui-harness"
CRL_DAYS = 7


@dataclass(frozen=True)
class BadServers:
    """Paths of the server certificates and of the CRL."""

    directory: Path

    def server(self, stem: str) -> tuple[Path, Path]:
        """``(certificate, key)`` of one of :data:`BAD_SERVERS`."""
        return self.directory / f"{stem}.pem", self.directory / f"{stem}.key"

    @property
    def other_ca(self) -> Path:
        return self.directory / "other-ca.pem"

    @property
    def crl_pem(self) -> Path:
        return self.directory / "crl.pem"

    @property
    def crl_der(self) -> Path:
        return self.directory / "crl.der"

    def certificates(self) -> list[x509.Certificate]:
        """The server certificates of the test CA (what its OCSP responder knows)."""
        return [
            x509.load_pem_x509_certificate(self.server(stem)[0].read_bytes())
            for stem in BAD_SERVERS
            if stem != "server-other-ca"
        ]

    def revoked_serials(self) -> list[int]:
        return [entry.serial_number for entry in x509.load_der_x509_crl(self.crl_der.read_bytes())]


def load_ca(pki: TestPki) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    """The test CA's certificate and key (``ca.pem``, ``ca.key`` of a generated PKI)."""
    cert = x509.load_pem_x509_certificate(pki.ca_cert.read_bytes())
    key = serialization.load_pem_private_key((pki.directory / "ca.key").read_bytes(), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise ValueError(f"{pki.directory / 'ca.key'} is not the EC key of the test CA")
    return cert, key


def _server_names() -> x509.SubjectAlternativeName:
    return x509.SubjectAlternativeName(
        [
            x509.DNSName("localhost"),
            x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
            x509.IPAddress(ipaddress.ip_address("::1")),
        ]
    )


def _expired_leaf(
    subject: x509.Name, ca_cert: x509.Certificate, public_key: ec.EllipticCurvePublicKey, now: dt.datetime
) -> x509.CertificateBuilder:
    """A leaf like :func:`harness.pki._leaf_builder`'s, valid from 400 days ago to yesterday."""
    ca_ski = ca_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca_cert.subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=400))
        .not_valid_after(now - dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(digital_signature=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski), critical=False)
    )


def _server(
    builder: x509.CertificateBuilder, crl_url: str | None, ocsp_url: str | None = None
) -> x509.CertificateBuilder:
    builder = builder.add_extension(_server_names(), critical=False).add_extension(
        x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
    )
    if crl_url:
        point = x509.DistributionPoint([x509.UniformResourceIdentifier(crl_url)], None, None, None)
        builder = builder.add_extension(x509.CRLDistributionPoints([point]), critical=False)
    if ocsp_url:
        access = x509.AccessDescription(AuthorityInformationAccessOID.OCSP, x509.UniformResourceIdentifier(ocsp_url))
        builder = builder.add_extension(x509.AuthorityInformationAccess([access]), critical=False)
    return builder


def _write_cert(path: Path, cert: x509.Certificate) -> None:
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))


def generate_bad_servers(
    pki: TestPki, directory: Path, crl_url: str | None = None, ocsp_url: str | None = None
) -> BadServers:
    """Write the server certificates of :data:`BAD_SERVERS`, ``other-ca.pem`` and the test CA's CRL
    (``crl_url`` and ``ocsp_url``, when given, named in the test CA's leaves)."""
    directory.mkdir(parents=True, exist_ok=True)
    out = BadServers(directory)
    ca_cert, ca_key = load_ca(pki)
    subject = _name("localhost", "operateur MSSante simule")
    now = dt.datetime.now(dt.UTC)
    serials: dict[str, int] = {}
    for stem in ("server-valid", "server-expired", "server-revoked"):
        key = _key()
        leaf = (
            _expired_leaf(subject, ca_cert, key.public_key(), now)
            if stem == "server-expired"
            else _leaf_builder(subject, ca_cert, key.public_key())
        )
        cert = _server(leaf, crl_url, ocsp_url).sign(ca_key, hashes.SHA256())
        serials[stem] = cert.serial_number
        _write_cert(out.server(stem)[0], cert)
        _write_key(out.server(stem)[1], key)

    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    rsa_leaf = _leaf_builder(subject, ca_cert, rsa_key.public_key())  # type: ignore[arg-type]
    rsa_cert = _server(rsa_leaf, crl_url, ocsp_url)
    _write_cert(out.server("server-rsa")[0], rsa_cert.sign(ca_key, hashes.SHA256()))
    _write_key(out.server("server-rsa")[1], rsa_key)  # type: ignore[arg-type]

    other_key = _key()
    other_name = _name(OTHER_CA_NAME)
    other_ca = (
        _builder(other_name, other_name, other_key.public_key())
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(key_cert_sign=True, crl_sign=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(other_key.public_key()), critical=False)
        .sign(other_key, hashes.SHA256())
    )
    _write_cert(out.other_ca, other_ca)
    leaf_key = _key()
    other_leaf = _server(_leaf_builder(subject, other_ca, leaf_key.public_key()), None).sign(other_key, hashes.SHA256())
    _write_cert(out.server("server-other-ca")[0], other_leaf)
    _write_key(out.server("server-other-ca")[1], leaf_key)

    crl = crl_of(ca_cert, ca_key, [serials["server-revoked"]], now)
    out.crl_pem.write_bytes(crl.public_bytes(serialization.Encoding.PEM))
    out.crl_der.write_bytes(crl.public_bytes(serialization.Encoding.DER))
    return out


def crl_of(
    ca_cert: x509.Certificate, ca_key: ec.EllipticCurvePrivateKey, revoked: list[int], now: dt.datetime
) -> x509.CertificateRevocationList:
    """A CRL of the test CA listing ``revoked`` serial numbers (RFC 5280 §5), valid :data:`CRL_DAYS` days."""
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(ca_cert.subject)
        .last_update(now - dt.timedelta(minutes=5))
        .next_update(now + dt.timedelta(days=CRL_DAYS))
        .add_extension(x509.CRLNumber(1), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(
                ca_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
            ),
            critical=False,
        )
    )
    for serial in revoked:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder()
            .serial_number(serial)
            .revocation_date(now - dt.timedelta(minutes=5))
            .add_extension(x509.CRLReason(x509.ReasonFlags.key_compromise), critical=False)
            .build()
        )
    return builder.sign(ca_key, hashes.SHA256())
