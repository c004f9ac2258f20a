"""``dui-harness countersign BUNDLE --key KEY [--decisions FILE]``: a reviewer's second signature over a bundle.

The bundle is verified first (integrity, editor's signature, profile, attestation files); the
reviewer's signature then covers the SHA-256 of its manifest and a decision per requirement
(``accepted``, ``refused``, ``to-complete``) read from ``--decisions`` (YAML or JSON:
``SC.MSS/CONF.25: accepted`` or ``ID: {decision: refused, comment: …}``). It is added to the
bundle as ``COUNTERSIGNATURE.json`` (``--out`` for a copy); ``dui-harness verify`` shows both
signatures and names any change.

Exit codes: 0 countersigned; 1 the bundle does not verify; 2 usage error or unreadable file.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from harness.cli import EXIT_NONCONFORMITY, EXIT_OK
from harness.evidence.countersign import countersign, load_decisions
from harness.evidence.signing import load_signer, load_trust_anchors
from harness.evidence.verify import render_text, verify_file

__all__ = ["add_parser", "main"]


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "countersign",
        help="contre-signer un dossier de preuves / countersign a bundle",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("bundle", type=Path, metavar="BUNDLE")
    p.add_argument("--key", type=Path, required=True, metavar="KEY", help="the reviewer's PEM private key")
    p.add_argument("--cert", type=Path, metavar="CERT", help="the reviewer's certificate (default: beside the key)")
    p.add_argument("--decisions", type=Path, metavar="FILE", help="decision per requirement (YAML or JSON)")
    p.add_argument(
        "--trusted-key",
        type=Path,
        action="append",
        default=[],
        metavar="PUB",
        help="the editor's public key or certificate, to check the bundle's signer first",
    )
    p.add_argument("--out", type=Path, metavar="FILE", help="write the countersigned bundle here (default: in place)")
    p.set_defaults(handler=main)


def main(args: argparse.Namespace) -> int:
    decisions = load_decisions(args.decisions)
    signer = load_signer(args.key, args.cert)
    report = verify_file(args.bundle, load_trust_anchors(args.trusted_key))
    if not report.valid:
        sys.stdout.write(render_text(report))
        sys.stderr.write(
            "dui-harness countersign: the bundle does not verify: not countersigned / "
            "le dossier n'est pas intègre : pas de contre-signature\n"
        )
        return EXIT_NONCONFORMITY
    data = countersign(args.bundle.read_bytes(), signer, decisions)
    target = args.out or args.bundle
    tmp = target.with_name(target.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(target)
    who = signer.describe()
    print("dui-harness countersign")
    print(
        f"  contre-signé / countersigned: {target} — {who['algorithm']} {who['subject'] or ''} "
        f"key {who['public_key_sha256'][:16]}…; {len(decisions)} décision(s) / decision(s)"
    )
    print(f"  vérifier / verify: dui-harness verify {target}")
    return EXIT_OK
