"""``dui-harness rules``: the registered checks and the requirement each one judges.

Each rule is registered once with its requirement (``@rule(...)`` in :mod:`harness.core.rules`);
a rule id names a family of findings (``insi.ctxlps`` covers ``insi.ctxlps.idam.r``…). The
requirement's title and service come from the catalogs (``profiles/catalog``). The validators'
rules and those the simulators judge themselves (TLS, VIHF, endpoints) are listed.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from harness.core.requirements import load_catalog
from harness.core.rules import all_rules
from harness.paths import profiles_dir
from mocks.common.rules import load_rules

__all__ = ["add_parser", "main"]


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "rules",
        help="règles enregistrées et exigences / registered rules and requirements",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--requirement", metavar="ID", help="only the rules of this requirement")
    p.add_argument("--service", metavar="ID", help="only the rules of this service's requirements (INS, DMP, MSS…)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=main)


def main(args: argparse.Namespace) -> int:
    load_rules()
    catalog = load_catalog(profiles_dir())
    rows: list[dict[str, Any]] = []
    for rule in all_rules():
        if args.requirement and args.requirement not in rule.requirements:
            continue
        found = catalog.get(rule.requirement)
        service = found.service if found else None
        if args.service and (service or "").upper() != args.service.upper():
            continue
        rows.append({**rule.as_dict(), "service": service, "requirement_title": found.title_fr if found else None})
    if args.json:
        sys.stdout.write(json.dumps(rows, indent=2, ensure_ascii=False) + "\n")
        return 0
    width = max((len(str(r["id"])) for r in rows), default=10)
    sys.stdout.write(f"Règles enregistrées / registered rules: {len(rows)}\n")
    for row in rows:
        title = row["requirement_title"] or "(exigence inconnue / unknown)"
        also = f" (+ {', '.join(row['also'])})" if row["also"] else ""
        sys.stdout.write(
            f"  {row['id']:<{width}}  {row['requirement']:<17} {row['service'] or '-':<9} "
            f"{row['summary']}{also}\n"
            f"  {'':<{width}}  {'':<17} {'':<9} {title}  [{row['module']}]\n"
        )
    return 0
