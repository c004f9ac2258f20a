"""``dui-harness usage REPORTS_OR_BUNDLE``: usage indicators from the recorded exchanges.

MSSanté messages sent (to professionals, to patients), documents sent to the DMP, documents
exchanged with e-parcours, identities searched with INSi and with an INS returned; plus what
the DUI exposes through ``GET /indicators`` (recorded at the end of a run, or read now with
``--sut URL``): share of qualified identities, records updated against people supported,
share of people with a personalised project, agenda update frequency. Works on a run's
reports folder, on the folder of a ``dui-harness serve`` session, or on a bundle.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from harness.evidence.sources import open_source
from harness.evidence.usage import compute_usage, render_text

__all__ = ["add_parser", "main"]


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "usage",
        help="indicateurs d'usage / usage indicators",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("source", type=Path, metavar="REPORTS_OR_BUNDLE")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--sut", metavar="URL", help="read the DUI's indicators now from its trigger API")
    p.set_defaults(handler=main)


def main(args: argparse.Namespace) -> int:
    source = open_source(args.source)
    if args.sut:
        from harness.sut.http_trigger import HttpTriggerDriver

        driver = HttpTriggerDriver(args.sut, timeout=10)
        try:
            report = compute_usage(source, live=True, dui_indicators=driver.indicators())
        finally:
            driver.close()
    else:
        report = compute_usage(source)
    if args.json:
        sys.stdout.write(json.dumps(report.as_dict(), indent=2, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(render_text(report))
    return 0
