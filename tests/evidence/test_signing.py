"""Signing keys and the manifest signature: Ed25519 test keys, an editor's X.509 key, trust decisions."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from harness.errors import InputError
from harness.evidence.signing import (
    Signer,
    check_signature,
    generate_keys,
    load_signer,
    load_trust_anchors,
)

MANIFEST = b'{"files": []}\n'


def _name(cn: str) -> x509.Name:
    return x509.Name(
        [x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Éditeur X"), x509.NameAttribute(NameOID.COMMON_NAME, cn)]
    )


def editor_pki(folder: Path, key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey) -> tuple[Path, Path, Path]:
    """A CA, and the editor's certificate for ``key`` issued by it: (key, cert, ca cert) PEM paths."""
    ca_key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    ca = (
        x509.CertificateBuilder()
        .subject_name(_name("AC Éditeurs TEST"))
        .issuer_name(_name("AC Éditeurs TEST"))
        .public_key(ca_key.public_key())
        .serial_number(1)
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name("Éditeur X signature"))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(2)
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .sign(ca_key, hashes.SHA256())
    )
    paths = folder / "editor.key", folder / "editor.pem", folder / "ca.pem"
    paths[0].write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    paths[1].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    return paths


def test_generated_test_keys_sign_and_are_trusted_by_their_public_key(tmp_path: Path) -> None:
    paths = generate_keys(tmp_path, "Éditeur Exemple SAS")
    assert paths["key"].stat().st_mode & 0o777 == 0o600
    signer = load_signer(paths["key"])  # the certificate beside the key is picked up
    assert signer.certificate is not None and "Éditeur Exemple SAS" in signer.describe()["subject"]
    sig = signer.signature_file(MANIFEST)
    check = check_signature(sig, MANIFEST, signer.describe(), load_trust_anchors([paths["public_key"]]))
    assert check.valid and check.trusted and check.algorithm == "Ed25519"
    by_cert = check_signature(sig, MANIFEST, signer.describe(), load_trust_anchors([paths["certificate"]]))
    assert by_cert.trusted
    with pytest.raises(InputError, match="already exists"):  # an existing key is never overwritten
        generate_keys(tmp_path, "Autre")


@pytest.mark.parametrize(
    "key", [ec.generate_private_key(ec.SECP256R1()), rsa.generate_private_key(65537, 2048)], ids=["ecdsa", "rsa"]
)
def test_an_editor_x509_key_is_trusted_through_its_ca(tmp_path: Path, key: ec.EllipticCurvePrivateKey) -> None:
    key_path, cert_path, ca_path = editor_pki(tmp_path, key)
    signer = load_signer(key_path, cert_path)
    sig = signer.signature_file(MANIFEST)
    check = check_signature(sig, MANIFEST, signer.describe(), load_trust_anchors([ca_path]), dt.datetime.now(dt.UTC))
    assert check.valid and check.trusted and "AC Éditeurs TEST" in str(check.trusted_by)
    other = generate_keys(tmp_path / "other", "Autre")
    untrusted = check_signature(sig, MANIFEST, signer.describe(), load_trust_anchors([other["public_key"]]))
    assert untrusted.valid and untrusted.trusted is False


def test_altered_manifest_or_signature_file_is_invalid(tmp_path: Path) -> None:
    signer = Signer.one_time_key()
    sig = signer.signature_file(MANIFEST)
    assert not check_signature(sig, MANIFEST + b" ", signer.describe(), []).valid
    data = json.loads(sig)
    data["signature"] = data["signature"][:-4] + ("AAAA" if not data["signature"].endswith("AAAA") else "BBBB")
    forged = (json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()
    assert not check_signature(forged, MANIFEST, signer.describe(), []).valid
    assert not check_signature(sig.replace(b'"format"', b'"formaT"'), MANIFEST, signer.describe(), []).valid
    other = Signer.one_time_key()  # the manifest declares another signer than the one in MANIFEST.sig
    check = check_signature(sig, MANIFEST, other.describe(), [])
    assert not check.valid and any("differs from the signer" in p for p in check.problems)


def test_key_and_certificate_that_do_not_match_are_refused(tmp_path: Path) -> None:
    mine = generate_keys(tmp_path / "a", "A")
    theirs = generate_keys(tmp_path / "b", "B")
    with pytest.raises(InputError, match="not the one of key"):
        load_signer(mine["key"], theirs["certificate"])
    with pytest.raises(InputError, match="cannot read"):
        load_signer(tmp_path / "missing.pem")
    (tmp_path / "junk.pem").write_text("not a key", encoding="utf-8")
    with pytest.raises(InputError):
        load_signer(tmp_path / "junk.pem")
    with pytest.raises(InputError, match="no PEM public key"):
        load_trust_anchors([tmp_path / "junk.pem"])
