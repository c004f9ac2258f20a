"""``dui-harness keys``: a test key pair to sign evidence bundles, and a self-signed certificate.

Writes ``signing-key.pem`` (Ed25519 private key, owner-only), ``signing-key.pub.pem`` (give
it to the ARS / reviewers: ``dui-harness verify --trusted-key``) and ``signing-cert.pem``
(self-signed X.509 certificate naming the editor). For real use, sign with a key of your own
X.509 certificate: ``dui-harness bundle --key KEY --cert CERT``.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from harness.evidence.signing import generate_keys, load_signer, spki_sha256

__all__ = ["add_parser", "main"]


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "keys",
        help="créer une paire de clés de test / make a test signing key pair",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--out", type=Path, required=True, help="folder to write the key pair into")
    p.add_argument("--editor", default="Éditeur de test", help="editor name in the certificate")
    p.add_argument("--days", type=int, default=730, help="certificate validity in days (default 730)")
    p.set_defaults(handler=main)


def main(args: argparse.Namespace) -> int:
    paths = generate_keys(args.out, args.editor, days=args.days)
    signer = load_signer(paths["key"], paths["certificate"])
    print("dui-harness keys — clés de signature de test / test signing keys")
    print(f"  clé privée / private key (keep it secret): {paths['key']}")
    print(f"  clé publique / public key (give it to reviewers): {paths['public_key']}")
    print(f"  certificat auto-signé / self-signed certificate: {paths['certificate']}")
    print(f"  empreinte / fingerprint (SHA-256 of the public key): {spki_sha256(signer.public_key)}")
    print(
        f"  dui-harness bundle --key {paths['key']}   |   dui-harness verify BUNDLE --trusted-key {paths['public_key']}"
    )
    return 0
