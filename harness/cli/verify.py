"""``dui-harness verify BUNDLE``: check an evidence bundle offline, for reviewers and ARS.

Integrity of every file (manifest hashes, no extra or missing member, canonical ZIP
structure: no path traversal, no absurd size), the signature and its signer (trusted when it
matches a ``--trusted-key``: the editor's public key, its certificate or the CA that issued
it), the profile (shipped with this dui-harness under the same name, version and hash), then
the verdicts per service and per requirement. Any change of any byte is named.

Exit codes: 0 valid (intact and signed by a ``--trusted-key``); 1 tampered, invalid or signer
not trusted; 2 usage error or unreadable file (missing, not a file); 5 intact but signer not
verified (no ``--trusted-key`` given: anyone may have re-signed it, so it is never VALID).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from harness.evidence.signing import load_trust_anchors
from harness.evidence.verify import INTACT_UNVERIFIED, VALID, render_text, verify_file

__all__ = ["EXIT_SIGNER_NOT_VERIFIED", "add_parser", "main"]

#: exit code of an intact bundle whose signer was not checked against a trusted key
EXIT_SIGNER_NOT_VERIFIED = 5


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "verify",
        help="vérifier un dossier de preuves / verify an evidence bundle",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("bundle", type=Path, metavar="BUNDLE")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument(
        "--trusted-key",
        type=Path,
        action="append",
        default=[],
        metavar="PUB",
        help="PEM public key, certificate or CA certificate of a trusted signer (repeatable)",
    )
    p.add_argument("--profiles-dir", type=Path, help="profiles folder (default: the one shipped)")
    p.set_defaults(handler=main)


def main(args: argparse.Namespace) -> int:
    anchors = load_trust_anchors(args.trusted_key)
    report = verify_file(args.bundle, anchors, profiles_root=args.profiles_dir)
    if args.json:
        sys.stdout.write(json.dumps(report.as_dict(), indent=2, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(render_text(report))
    return {VALID: 0, INTACT_UNVERIFIED: EXIT_SIGNER_NOT_VERIFIED}.get(report.verdict, 1)
