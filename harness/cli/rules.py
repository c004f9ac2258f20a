"""``dui-harness rules``: the registered checks and the requirement each one judges.

Each rule is registered once with its requirement (``@rule(...)`` in :mod:`harness.core.rules`);
a rule id names a family of findings (``insi.ctxlps`` covers ``insi.ctxlps.idam.r``…). The
requirement's title comes from the catalogs (``profiles/catalog``).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from harness.core.requirements import load_catalog
from harness.core.rules import all_rules
from harness.paths import profiles_dir
from harness.validators import load_rules

__all__ = ["add_parser", "main"]


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser("rules", help="règles enregistrées et exigences / registered rules and requirements",
                              description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--requirement", metavar="ID", help="only the rules of this requirement")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=main)


def main(args: argparse.Namespace) -> int:
    load_rules()
    catalog = load_catalog(profiles_dir())
    rows = []
    for rule in all_rules():
        if args.requirement and rule.requirement != args.requirement:
            continue
        found = catalog.get(rule.requirement)
        rows.append({**rule.as_dict(), "requirement_title": found.title_fr if found else None})
    if args.json:
        sys.stdout.write(json.dumps(rows, indent=2, ensure_ascii=False) + "\n")
        return 0
    width = max((len(str(r["id"])) for r in rows), default=10)
    sys.stdout.write(f"Règles enregistrées / registered rules: {len(rows)}\n")
    for row in rows:
        title = f" — {row['requirement_title']}" if row["requirement_title"] else " — (exigence inconnue / unknown)"
        sys.stdout.write(f"  {row['id']:<{width}}  {row['requirement']:<12} {row['summary']}\n"
                         f"  {'':<{width}}  {'':<12} {title.strip(' —')}  [{row['check']}]\n")
    return 0
