"""Command line: ``python -m reference_dui --port 8800 [--endpoints FILE] [--insi-url URL] [--pki DIR] [--defect …]``.

Serves the trigger API on ``http://127.0.0.1:<port>/harness/v1`` until interrupted. To set it
up by hand against a running bench, give it the ``endpoints.json`` of the bench's connection
sheet (``dui-harness run --attended`` writes it under ``reports/attended/``): it is the body
of ``PUT /config/endpoints``, which can also be sent later with ``curl -X PUT``.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from pathlib import Path

from reference_dui.config import ReferenceDuiConfig, pki_paths
from reference_dui.defects import DEFECTS
from reference_dui.server import ReferenceDui


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m reference_dui",
        description="Reference DUI of dui-harness (trigger API on 127.0.0.1).",
        epilog="Defect switches: " + "; ".join(f"{k}: {v}" for k, v in DEFECTS.items()),
    )
    parser.add_argument("--port", type=int, default=8800, help="port on 127.0.0.1 (0: any free port)")
    parser.add_argument(
        "--endpoints",
        type=Path,
        metavar="FILE",
        help="JSON body of PUT /config/endpoints to apply at start (the connection sheet's endpoints.json)",
    )
    parser.add_argument("--insi-url", help="base URL of the INSi teleservice (the DUI POSTs to URL/lps)")
    parser.add_argument("--pki", type=Path, help="dui-harness test PKI directory (INSI-AUTO client cert, CA)")
    parser.add_argument("--client-cert", type=Path, help="PEM client certificate (overrides --pki)")
    parser.add_argument("--client-key", type=Path, help="PEM client key (overrides --pki)")
    parser.add_argument("--ca", type=Path, help="PEM CA of the INSi server (overrides --pki)")
    parser.add_argument("--db", type=Path, help="SQLite file (default: in memory)")
    parser.add_argument("--idam", default="DUIREF-TEST-0001", help="IDAM sent in ContexteLPS")
    parser.add_argument("--timeout", type=float, default=5.0, help="seconds allowed per INSi call")
    parser.add_argument(
        "--defect",
        action="append",
        default=[],
        metavar="NAME",
        choices=sorted(DEFECTS),
        help="turn a defect switch on (repeatable)",
    )
    parser.add_argument("--list-defects", action="store_true", help="print the defect switches and exit")
    return parser


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.list_defects:
        for name, description in DEFECTS.items():
            print(f"{name:24} {description}")
        return 0
    cert = key = ca = None
    if args.pki is not None:
        cert, key, ca = pki_paths(args.pki)
    config = ReferenceDuiConfig(
        insi_url=args.insi_url,
        client_cert=args.client_cert or cert,
        client_key=args.client_key or key,
        ca_cert=args.ca or ca,
        idam=args.idam,
        db_path=args.db,
        defects=frozenset(args.defect),
        timeout=args.timeout,
        pki_dir=args.pki,
    )
    endpoints = None
    if args.endpoints is not None:
        try:
            endpoints = json.loads(args.endpoints.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            print(f"--endpoints {args.endpoints}: {exc}", file=sys.stderr)
            return 2
    dui = ReferenceDui(config).start(port=args.port)
    if endpoints is not None:
        dui.service.configure_endpoints(endpoints)
    signal.signal(signal.SIGTERM, _interrupt)
    defects = ", ".join(sorted(config.defects)) or "none"
    insi_url = (endpoints or {}).get("insi", {}).get("url") or config.insi_url
    print(
        f"reference DUI listening on {dui.base_url} (INSi: {insi_url or 'not configured'}; defects: {defects})",
        flush=True,
    )
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        dui.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
