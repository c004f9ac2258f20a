"""``dui-harness check-project PROJECT.yaml``: an ESMS numérique funding project against the programme rules.

The project file lists the organismes gestionnaires (OG), their ESMS (FINESS, category,
region, medicalised or not, DUI acquired or upgraded, DUI software and version), the evidence
bundles of those DUIs and the attestations. The rules (``profiles/esms-numerique/<version>/
rules.yaml``) are data. Each bundle is verified (``dui-harness verify``); a socle service
counts for an ESMS only when a valid bundle of its DUI shows every applicable MUST
requirement of the service passing. Output: verdict per ESMS and per rule with the reason,
the fundable total; text, ``--json`` or ``--html FILE``.

Exit codes: 0 every rule met and every ESMS funded; 1 otherwise; 2 unreadable or invalid input.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from harness.evidence.project import check_project, load_project, load_rules
from harness.evidence.project.render import render_html, render_text
from harness.paths import profiles_dir

__all__ = ["add_parser", "main"]


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "check-project",
        help="contrôler un projet ESMS numérique / check a funding project",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("project", type=Path, metavar="PROJECT.yaml")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--html", type=Path, metavar="FILE", help="also write the report as one static HTML file")
    p.add_argument(
        "--trusted-key",
        type=Path,
        action="append",
        default=[],
        metavar="PUB",
        help="public key / certificate trusted for every bundle (repeatable)",
    )
    p.add_argument(
        "--bundle",
        type=Path,
        action="append",
        default=[],
        metavar="BUNDLE",
        help="an evidence bundle in addition to those of the project file (repeatable)",
    )
    p.add_argument("--profiles-dir", type=Path, help="profiles folder (default: the one shipped)")
    p.set_defaults(handler=main)


def main(args: argparse.Namespace) -> int:
    root = args.profiles_dir or profiles_dir()
    project = load_project(args.project, root)
    rules = load_rules(root, project.data["project"]["rules"])
    report = check_project(project, rules, trusted_keys=args.trusted_key, profiles_root=root, extra_bundles=args.bundle)
    if args.html:
        args.html.parent.mkdir(parents=True, exist_ok=True)
        args.html.write_text(render_html(report), encoding="utf-8")
    if args.json:
        sys.stdout.write(json.dumps(report.as_dict(), indent=2, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(render_text(report))
        if args.html:
            sys.stdout.write(f"  HTML: {args.html}\n")
    return 0 if report.ok else 1
