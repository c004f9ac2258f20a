"""Command line: ``python -m reference_dui --port 8800 --insi-url URL [--pki DIR] [--defect NAME ...]``.

Serves the trigger API on ``http://127.0.0.1:<port>/harness/v1`` until interrupted.
"""

from __future__ import annotations

import argparse
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
    parser.add_argument("--insi-url", help="base URL of the INSi teleservice (the DUI POSTs to URL/lps)")
    parser.add_argument("--pki", type=Path, help="dui-harness test PKI directory (INSI-AUTO client cert, CA)")
    parser.add_argument("--client-cert", type=Path, help="PEM client certificate (overrides --pki)")
    parser.add_argument("--client-key", type=Path, help="PEM client key (overrides --pki)")
    parser.add_argument("--ca", type=Path, help="PEM CA of the INSi server (overrides --pki)")
    parser.add_argument("--db", type=Path, help="SQLite file (default: in memory)")
    parser.add_argument("--idam", default="DUIREF-TEST-0001", help="IDAM sent in ContexteLPS")
    parser.add_argument("--timeout", type=float, default=5.0, help="seconds allowed per INSi call")
    parser.add_argument("--defect", action="append", default=[], metavar="NAME", choices=sorted(DEFECTS),
                        help="turn a defect switch on (repeatable)")
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
    dui = ReferenceDui(config).start(port=args.port)
    signal.signal(signal.SIGTERM, _interrupt)
    defects = ", ".join(sorted(config.defects)) or "none"
    print(f"reference DUI listening on {dui.base_url} (INSi: {config.insi_url or 'not configured'}; "
          f"defects: {defects})", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        dui.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
