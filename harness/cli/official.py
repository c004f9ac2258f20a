"""``dui-harness official [--exigences PATH] [--json]``: the account of the official Ségur base for the DUI.

Every official requirement in scope for a DUI, its nature, the project's summary, its
disposition (tested, partly, not-covered, demonstration, attestation, not-applicable) and the
project requirements that test it, with the counts per disposition. With ``--exigences PATH``
(a copy of the ANS base: the folder holding ``exigences.csv``, or ``$DUI_HARNESS_EXIGENCES``)
the official text is shown too; it is never copied into the project.

Exit codes: 0; 2 usage error or unreadable base.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from harness.cli import EXIT_OK
from harness.core.official import load_account, load_base
from harness.paths import profiles_dir

__all__ = ["add_parser", "main"]


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "official",
        help="exigences officielles Ségur du DUI / official Ségur requirements",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--exigences", type=Path, metavar="PATH", help="copy of the ANS base, for the official texts")
    p.add_argument("--disposition", metavar="NAME", help="only this disposition (e.g. tested, not-covered)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=main)


def main(args: argparse.Namespace) -> int:
    account = load_account(profiles_dir())
    texts = load_base(args.exigences)
    entries = [e for e in account if not args.disposition or e.disposition == args.disposition]
    if args.json:
        out = {
            "account": account.describe(),
            "counts": account.counts(),
            "official": [
                {
                    **e.__dict__,
                    "requirements": list(e.requirements),
                    "scenarios": list(e.scenarios),
                    **({"text": texts[e.id]["texte_brut"]} if e.id in texts else {}),
                }
                for e in entries
            ],
        }
        sys.stdout.write(json.dumps(out, indent=2, ensure_ascii=False) + "\n")
        return EXIT_OK
    counts = ", ".join(f"{n} {d}" for d, n in account.counts().items())
    print(f"{account.name} {account.version}: {len(account)} exigences officielles / official requirements ({counts})")
    for e in entries:
        print(f"{e.id:<22} {e.nature[:5]:<5} {e.disposition:<14} {' '.join(e.requirements)[:60]}")
        print(f"{'':<22} {e.summary_fr}")
        if e.note:
            print(f"{'':<22} → {e.note}")
        if e.id in texts:
            print(f"{'':<22} « {' '.join(texts[e.id]['texte_brut'].split())} »")
    return EXIT_OK
