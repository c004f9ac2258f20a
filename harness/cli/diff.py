"""``dui-harness diff OLD NEW``: requirements that regressed, were fixed, appeared or disappeared.

OLD and NEW are evidence bundles or reports folders of two runs (typically two versions of a
DUI). Exit codes: 0 nothing regressed, 1 at least one requirement regressed, 2 unreadable input.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from harness.evidence.diff import diff_runs, render_text
from harness.evidence.sources import open_source

__all__ = ["add_parser", "main"]


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "diff",
        help="comparer deux exécutions / compare two runs",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("old", type=Path, metavar="OLD")
    p.add_argument("new", type=Path, metavar="NEW")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=main)


def main(args: argparse.Namespace) -> int:
    diff = diff_runs(open_source(args.old), open_source(args.new))
    if args.json:
        sys.stdout.write(json.dumps(diff.as_dict(), indent=2, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(render_text(diff))
    return 1 if diff.regressed else 0
