"""``dui-harness proofs BUNDLE --out DIR``: the Convergence-shaped proof export of a signed bundle.

The bundle is verified first (integrity, signature, profile, attestation files, countersignature);
then one folder per official requirement and scenario receives what proves it: the verdict
page, the captured exchanges, the validated documents and the editor's attestation files, each
named with the official numbering ``<exigence>.<scénario>.<preuve>`` (e.g.
``MSS/CONF.25.01.01``), with ``index.csv`` and ``index.html`` (no JavaScript) listing every
proof file, its SHA-256 and the bundle member it came from. ``--exigences PATH`` (a copy of
the ANS base) adds the official texts to the verdict pages. ``--check DIR`` re-checks an
export against its bundle.

Exit codes: 0 written (or checked) ; 1 the bundle does not verify, or the export differs from it;
2 usage error or unreadable file.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from harness.cli import EXIT_NONCONFORMITY, EXIT_OK
from harness.core.official import load_account, load_base
from harness.errors import UsageError
from harness.evidence.proofs import check_export, export_proofs
from harness.evidence.signing import load_trust_anchors
from harness.evidence.verify import render_text, verify_file
from harness.paths import profiles_dir

__all__ = ["add_parser", "main"]


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "proofs",
        help="preuves au format Convergence / Convergence-shaped proof export",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("bundle", type=Path, metavar="BUNDLE")
    p.add_argument("--out", type=Path, metavar="DIR", help="folder to write the proofs into (new or empty)")
    p.add_argument("--check", type=Path, metavar="DIR", help="check an earlier export against BUNDLE")
    p.add_argument(
        "--trusted-key",
        type=Path,
        action="append",
        default=[],
        metavar="PUB",
        help="the editor's public key or certificate (see verify)",
    )
    p.add_argument(
        "--exigences",
        type=Path,
        metavar="PATH",
        help="copy of the ANS base (folder with exigences.csv) for the official texts; "
        "default $DUI_HARNESS_EXIGENCES, else the project's summaries only",
    )
    p.set_defaults(handler=main)


def main(args: argparse.Namespace) -> int:
    if bool(args.out) == bool(args.check):
        raise UsageError(
            "indiquez --out DOSSIER (export) ou --check DOSSIER (vérifier un export) / give --out DIR "
            "(export) or --check DIR (check an export)",
            tip="dui-harness proofs reports/evidence-bundle.zip --out reports/proofs",
        )
    report = verify_file(args.bundle, load_trust_anchors(args.trusted_key))
    if not report.valid:
        sys.stdout.write(render_text(report))
        sys.stderr.write(
            "dui-harness proofs: the bundle does not verify: no proof derived from it / "
            "le dossier n'est pas intègre : aucune preuve n'en est tirée\n"
        )
        return EXIT_NONCONFORMITY
    if args.check:
        problems = check_export(args.check, report.contents, report.manifest)
        for problem in problems:
            print(f"  ✘ {problem}")
        outcome = f"{len(problems)} problème(s) / problem(s)" if problems else "OK"
        print(f"dui-harness proofs --check {args.check}: {outcome}")
        return EXIT_NONCONFORMITY if problems else EXIT_OK
    out: Path = args.out
    if out.exists() and any(out.iterdir()):
        raise UsageError(
            f"{out}: dossier non vide ; l'export va dans un dossier nouveau ou vide / not empty; the "
            "export goes into a new or empty folder"
        )
    out.mkdir(parents=True, exist_ok=True)
    index = export_proofs(
        report.contents, report.manifest, load_account(profiles_dir()), out, load_base(args.exigences)
    )
    officials = len({r["official_id"] for r in index})
    print("dui-harness proofs")
    print(
        f"  {len(index)} fichiers de preuve pour {officials} exigences officielles / proof files for "
        f"{officials} official requirements: {out}"
    )
    print(f"  index: {out / 'index.html'} , {out / 'index.csv'}")
    return EXIT_OK
