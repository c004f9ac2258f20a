"""``dui-harness bundle``: the signed evidence bundle of a run (also made at the end of ``run``).

One ZIP with the Allure results and report, JUnit, the coverage matrix (CSV, JSON), every
captured exchange, the validated documents, the profile used, the run's description
(``run.json``: DUI identity, dates, environment), the usage indicators, the conformity
matrix (``conformity-matrix.html``), ``MANIFEST.json`` (SHA-256 of every file) and its
signature ``MANIFEST.sig``. Sign with ``--key`` (``dui-harness keys`` makes a test pair, or
the key of the editor's X.509 certificate with ``--cert``); without it, a one-time key is
used and the bundle identifies no signer.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from harness.evidence.attestations import stage
from harness.evidence.bundle import BundleResult, RunOutcome, write_bundle
from harness.evidence.signing import Signer, load_signer

__all__ = ["add_parser", "add_signing_options", "bundle_reports", "main"]


def add_signing_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--key",
        type=Path,
        metavar="KEY",
        help="PEM private key signing the manifest (default: a one-time key); see dui-harness keys",
    )
    p.add_argument(
        "--cert",
        type=Path,
        metavar="CERT",
        help="the X.509 certificate of --key (default: signing-cert.pem beside the key, when it matches)",
    )
    p.add_argument(
        "--attestations",
        type=Path,
        metavar="FILE",
        help="YAML of the editor's attestations and demonstrations (official id, statement, files): "
        "the files and their hashes go into the signed bundle",
    )
    for name in ("name", "version", "editor", "build"):
        p.add_argument(
            f"--dui-{name}",
            metavar=name.upper(),
            help=f"DUI {name} as the editor declares it (default: the trigger API's info)",
        )


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "bundle",
        help="dossier de preuves signé / signed evidence bundle of a run",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--reports", type=Path, default=Path("reports"), help="the run's output folder (default ./reports)")
    p.add_argument("--out", type=Path, help="bundle file (default <reports>/evidence-bundle.zip)")
    add_signing_options(p)
    p.set_defaults(handler=main)


def bundle_reports(
    args: argparse.Namespace, reports: Path, out: Path | None, *, outcome: RunOutcome | None = None
) -> BundleResult:
    """Bundle ``reports``; ``outcome``: the run's result when ``dui-harness run`` bundles what it just ran."""
    signer = load_signer(args.key, args.cert) if args.key else Signer.one_time_key()
    if getattr(args, "attestations", None):
        stage(args.attestations, reports.resolve())
    overrides = {
        "name": args.dui_name,
        "version": args.dui_version,
        "editor": args.dui_editor,
        "build_id": args.dui_build,
    }
    return write_bundle(
        reports.resolve(), out, signer, dui_overrides={k: v for k, v in overrides.items() if v}, outcome=outcome
    )


def describe(result: BundleResult) -> str:
    signer = result.manifest["signer"]
    who = "clé à usage unique / one-time key" if signer["one_time_key"] else (signer["subject"] or "clé / key")
    partial = " — PARTIEL / PARTIAL" if result.manifest.get("partial") else ""
    return (
        f"  dossier de preuves / evidence bundle: {result.path} ({result.members} fichiers / files, "
        f"{result.size} octets / bytes){partial}\n"
        f"  signé / signed: {signer['algorithm']}, {who}, empreinte / fingerprint "
        f"{signer['public_key_sha256'][:16]}…"
    )


def main(args: argparse.Namespace) -> int:
    result = bundle_reports(args, args.reports, args.out)
    print("dui-harness bundle")
    print(describe(result))
    print(f"  matrice de conformité / conformity matrix: {args.reports.resolve() / 'conformity-matrix.html'}")
    print(f"  vérifier / verify: dui-harness verify {result.path}")
    return 0
