"""Signing keys and the detached signature of a bundle's manifest.

The editor signs ``MANIFEST.json`` with an Ed25519 key (``dui-harness keys`` makes a test
pair and a self-signed certificate naming the editor) or with the key of an X.509
certificate of its own (EC P-256/384, RSA or Ed25519). ``MANIFEST.sig`` holds the signature,
the public key and the certificate; the manifest itself names the signer's key fingerprint
and certificate hash, so that the signature covers who signed. Whether that signer is
*trusted* is the verifier's call: ``dui-harness verify --trusted-key`` with the editor's
public key, its certificate or the CA that issued it.

A bundle made without ``--key`` is signed with a one-time key: it still proves that nothing
changed since the run *if* the verifier trusts no one else, which is weak; the verify report
says so.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.x509.oid import NameOID

from harness.errors import InputError

__all__ = [
    "SIGNATURE_FORMAT",
    "SignatureCheck",
    "Signer",
    "TrustAnchor",
    "canonical_json",
    "check_signature",
    "generate_keys",
    "load_signer",
    "load_trust_anchors",
    "spki_sha256",
]

SIGNATURE_FORMAT = "dui-harness-signature/1"
PublicKey = ed25519.Ed25519PublicKey | ec.EllipticCurvePublicKey | rsa.RSAPublicKey
PrivateKey = ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey


def canonical_json(data: Any) -> bytes:
    """The one serialisation the bundle uses for its JSON control files (sorted keys, UTF-8, LF)."""
    return (json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


def spki_sha256(key: PublicKey) -> str:
    """SHA-256 of the DER SubjectPublicKeyInfo: the key's fingerprint."""
    der = key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha256(der).hexdigest()


def _algorithm(key: PublicKey) -> str:
    if isinstance(key, ed25519.Ed25519PublicKey):
        return "Ed25519"
    if isinstance(key, ec.EllipticCurvePublicKey):
        return f"ECDSA-{key.curve.name}-SHA256"
    return "RSA-PSS-SHA256"


def _pem(key: PublicKey) -> str:
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


@dataclass
class Signer:
    """A private key (and optionally its certificate) that signs manifests."""

    key: PrivateKey
    certificate: x509.Certificate | None = None
    one_time: bool = False

    @classmethod
    def one_time_key(cls) -> Signer:
        return cls(ed25519.Ed25519PrivateKey.generate(), one_time=True)

    @property
    def public_key(self) -> PublicKey:
        return self.key.public_key()

    def sign(self, data: bytes) -> bytes:
        if isinstance(self.key, ed25519.Ed25519PrivateKey):
            return self.key.sign(data)
        if isinstance(self.key, ec.EllipticCurvePrivateKey):
            return self.key.sign(data, ec.ECDSA(hashes.SHA256()))
        return self.key.sign(data, _pss(), hashes.SHA256())

    def describe(self) -> dict[str, Any]:
        """The ``signer`` block of the manifest."""
        cert = self.certificate
        return {
            "algorithm": _algorithm(self.public_key),
            "public_key_sha256": spki_sha256(self.public_key),
            "certificate_sha256": hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).hexdigest()
            if cert
            else None,
            "subject": cert.subject.rfc4514_string() if cert else None,
            "one_time_key": self.one_time,
        }

    def signature_file(self, manifest: bytes) -> bytes:
        """``MANIFEST.sig``: the signature of ``manifest`` with what is needed to check it."""
        cert = self.certificate.public_bytes(serialization.Encoding.PEM).decode() if self.certificate else None
        return canonical_json(
            {
                "format": SIGNATURE_FORMAT,
                "signed_file": "MANIFEST.json",
                "algorithm": _algorithm(self.public_key),
                "public_key": _pem(self.public_key),
                "certificate": cert,
                "signature": base64.b64encode(self.sign(manifest)).decode("ascii"),
            }
        )


def _pss() -> padding.PSS:
    return padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.DIGEST_LENGTH)


def _read(path: Path, what: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(
            f"{path}: illisible / cannot read the {what} ({exc.strerror or exc})",
            tip="dui-harness keys --out DIR  # crée une paire de test / makes a test key pair",
        ) from exc


def load_signer(key_path: Path, cert_path: Path | None = None) -> Signer:
    """The signer of a PEM private key; its certificate is ``cert_path``, or ``signing-cert.pem`` beside
    the key when that file holds the same public key."""
    try:
        key = serialization.load_pem_private_key(_read(key_path, "signing key"), password=None)
    except (ValueError, TypeError) as exc:
        raise InputError(
            f"{key_path}: pas une clé privée PEM non chiffrée / not an unencrypted PEM private key ({exc})"
        ) from exc
    if not isinstance(key, ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey):
        raise InputError(
            f"{key_path}: type de clé non pris en charge / key type {type(key).__name__} not supported "
            "(Ed25519, EC, RSA)"
        )
    signer = Signer(key)
    candidate = cert_path or key_path.with_name("signing-cert.pem")
    if cert_path is not None or candidate.is_file():
        try:
            cert = x509.load_pem_x509_certificate(_read(candidate, "certificate"))
        except ValueError as exc:
            raise InputError(f"{candidate}: pas un certificat X.509 PEM / not a PEM X.509 certificate ({exc})") from exc
        if spki_sha256(cert.public_key()) != spki_sha256(signer.public_key):  # type: ignore[arg-type]
            if cert_path is not None:
                raise InputError(
                    f"{cert_path}: ce certificat n'est pas celui de la clé / this certificate is not the "
                    f"one of key {key_path}"
                )
        else:
            signer.certificate = cert
    return signer


def generate_keys(directory: Path, editor: str, *, days: int = 730) -> dict[str, Path]:
    """Write an Ed25519 test key pair and a self-signed certificate naming ``editor``."""
    editor = " ".join(editor.split())
    if not 1 <= len(editor) <= 64:
        raise InputError(
            "le nom de l'éditeur doit avoir 1 à 64 caractères / editor name must hold 1 to 64 "
            f"characters, not {len(editor)}"
        )
    if (directory / "signing-key.pem").exists():
        raise InputError(
            f"{directory / 'signing-key.pem'} existe déjà : non écrasé / already exists: not overwritten",
            tip="dui-harness keys --out ANOTHER_FOLDER",
        )
    directory.mkdir(parents=True, exist_ok=True)
    key = ed25519.Ed25519PrivateKey.generate()
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "FR"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, editor),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "signature des preuves dui-harness (TEST)"),
            x509.NameAttribute(NameOID.COMMON_NAME, editor),
        ]
    )
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, None)
    )
    paths = {
        "key": directory / "signing-key.pem",
        "public_key": directory / "signing-key.pub.pem",
        "certificate": directory / "signing-cert.pem",
    }
    data = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    fd = os.open(paths["key"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    paths["key"].chmod(0o600)
    paths["public_key"].write_text(_pem(key.public_key()), encoding="ascii")
    paths["certificate"].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return paths


@dataclass(frozen=True)
class TrustAnchor:
    """A key the verifier trusts: an editor's public key, its certificate, or a CA certificate."""

    source: str
    key: PublicKey
    certificate: x509.Certificate | None = None

    @property
    def is_ca(self) -> bool:
        if self.certificate is None:
            return False
        try:
            return bool(self.certificate.extensions.get_extension_for_class(x509.BasicConstraints).value.ca)
        except x509.ExtensionNotFound:
            return False


def load_trust_anchors(paths: list[Path]) -> list[TrustAnchor]:
    """Every public key and certificate of the PEM files ``paths``."""
    anchors: list[TrustAnchor] = []
    for path in paths:
        data = _read(path, "trusted key")
        found = 0
        if b"CERTIFICATE-----" in data:
            for cert in x509.load_pem_x509_certificates(data):
                anchors.append(TrustAnchor(str(path), cert.public_key(), cert))  # type: ignore[arg-type]
                found += 1
        elif b"PUBLIC KEY-----" in data:
            try:
                key = serialization.load_pem_public_key(data)
            except ValueError as exc:
                raise InputError(f"{path}: pas une clé publique PEM / not a PEM public key ({exc})") from exc
            anchors.append(TrustAnchor(str(path), key))  # type: ignore[arg-type]
            found += 1
        if not found:
            raise InputError(
                f"{path}: ni clé publique ni certificat PEM / holds no PEM public key nor certificate",
                tip="donnez / give signing-key.pub.pem ou / or signing-cert.pem",
            )
    return anchors


@dataclass
class SignatureCheck:
    """What the signature of a bundle proves."""

    valid: bool = False
    algorithm: str = ""
    fingerprint: str = ""
    subject: str | None = None
    one_time_key: bool = False
    trusted: bool | None = None  # None: no trusted key was given
    trusted_by: str | None = None
    problems: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _verify(key: Any, signature: bytes, data: bytes) -> bool:
    try:
        if isinstance(key, ed25519.Ed25519PublicKey):
            key.verify(signature, data)
        elif isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, data, ec.ECDSA(hashes.SHA256()))
        elif isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, data, _pss(), hashes.SHA256())
        else:
            return False
    except InvalidSignature:
        return False
    return True


def check_signature(
    sig_file: bytes,
    manifest: bytes,
    declared: dict[str, Any],
    anchors: list[TrustAnchor],
    signed_at: dt.datetime | None = None,
) -> SignatureCheck:
    """Check ``MANIFEST.sig`` against ``manifest`` and the signer the manifest declares."""
    out = SignatureCheck()
    try:
        data = json.loads(sig_file.decode("utf-8"))
        if not isinstance(data, dict) or canonical_json(data) != sig_file:
            raise ValueError("not in the canonical form the bundle writer produces")
        if data.get("format") != SIGNATURE_FORMAT or data.get("signed_file") != "MANIFEST.json":
            raise ValueError(f"format must be {SIGNATURE_FORMAT} signing MANIFEST.json")
        key = serialization.load_pem_public_key(str(data["public_key"]).encode())
        signature = base64.b64decode(str(data["signature"]), validate=True)
        cert = x509.load_pem_x509_certificate(str(data["certificate"]).encode()) if data["certificate"] else None
    except (ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
        out.problems.append(f"MANIFEST.sig unreadable or altered ({exc})")
        return out
    out.algorithm, out.fingerprint = str(data.get("algorithm")), spki_sha256(key)  # type: ignore[arg-type]
    out.subject = cert.subject.rfc4514_string() if cert else None
    out.one_time_key = bool(declared.get("one_time_key"))
    cert_hash = hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).hexdigest() if cert else None
    expected = {
        "algorithm": out.algorithm,
        "public_key_sha256": out.fingerprint,
        "certificate_sha256": cert_hash,
        "subject": out.subject,
    }
    for name, value in expected.items():
        if declared.get(name) != value:
            out.problems.append(
                f"MANIFEST.sig: {name} {value!r} differs from the signer the manifest declares ({declared.get(name)!r})"
            )
    if cert is not None and spki_sha256(cert.public_key()) != out.fingerprint:  # type: ignore[arg-type]
        out.problems.append("MANIFEST.sig: the certificate is not the one of the signing key")
    if not _verify(key, signature, manifest):
        out.problems.append("the signature does not match MANIFEST.json (manifest or signature altered)")
    if (
        cert is not None
        and signed_at is not None
        and not (cert.not_valid_before_utc <= signed_at <= cert.not_valid_after_utc)
    ):
        out.problems.append(f"the signer's certificate was not valid when the bundle was made ({signed_at})")
    out.valid = not out.problems
    if anchors:
        out.trusted_by = _trusted_by(key, cert, anchors, signed_at)
        out.trusted = out.trusted_by is not None
    return out


def _trusted_by(
    key: Any, cert: x509.Certificate | None, anchors: list[TrustAnchor], signed_at: dt.datetime | None
) -> str | None:
    fingerprint = spki_sha256(key)
    for anchor in anchors:
        if spki_sha256(anchor.key) == fingerprint:
            return anchor.source
    for anchor in anchors:
        if cert is None or anchor.certificate is None or not anchor.is_ca:
            continue
        try:
            cert.verify_directly_issued_by(anchor.certificate)
        except (ValueError, TypeError, InvalidSignature):
            continue
        moment = signed_at or dt.datetime.now(dt.UTC)
        if anchor.certificate.not_valid_before_utc <= moment <= anchor.certificate.not_valid_after_utc:
            return f"{anchor.source} (CA {anchor.certificate.subject.rfc4514_string()})"
    return None
