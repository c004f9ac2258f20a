"""Run the DMP simulator alone: ``python -m mocks.dmp --port 0 [--tls-dir DIR] [--db FILE]``.

Prints the endpoints and serves until Ctrl-C or SIGTERM. With ``--tls-dir`` it serves HTTPS
with the test PKI of that folder (created when missing), asks for a client certificate and
verifies VIHF signatures against its CA; without, plain HTTP and VIHF signature problems are
warnings.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from harness.errors import HarnessError
from mocks.common.setup import SimulatorSetup
from mocks.common.standalone import wait_until_stopped
from mocks.dmp import create


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m mocks.dmp", description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0: any free port)")
    parser.add_argument("--tls-dir", type=Path, help="serve HTTPS + mutual TLS with the test PKI of DIR")
    parser.add_argument("--db", type=Path, help="SQLite file of the registry (default: in memory)")
    parser.add_argument("--record-dir", type=Path, help="also write each exchange to files in DIR")
    parser.add_argument("--cda-pack", type=Path, help="CI-SIS artefact pack for CDA and value-set checks")
    parser.add_argument("--xds-schemas", type=Path, help="folder with the IHE XDS.b and OASIS ebRS 3.0 schemas")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        sim = create(
            SimulatorSetup.standalone(
                port=args.port,
                tls_dir=args.tls_dir,
                record_dir=args.record_dir,
                cda_pack=args.cda_pack,
                db_path=args.db,
                xds_schemas=args.xds_schemas,
            )
        )
        sim.start()
    except (HarnessError, ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"DMP simulator: {sim.endpoints['repository']}", flush=True)
    print(f"registry:      {sim.endpoints['registry']}", flush=True)
    print(f"TD0.2:         {sim.endpoints['td02']}", flush=True)
    print(f"control API:   {sim.url}/_harness/state", flush=True)
    print(f"control token:   {sim.control_token} (header X-Harness-Token)", flush=True)
    return wait_until_stopped(sim)


if __name__ == "__main__":
    sys.exit(main())
