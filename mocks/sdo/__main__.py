"""Run the SI-SdO simulator alone: ``python -m mocks.sdo [--port N] [--tls-dir DIR] [--db DIR]``.

Prints the FHIR base and serves until Ctrl-C.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from harness.errors import HarnessError
from mocks.common.setup import SimulatorSetup
from mocks.common.standalone import wait_until_stopped
from mocks.sdo import create


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mocks.sdo", description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0: any free port)")
    parser.add_argument("--db", type=Path, help="folder of the SQLite store (default: in memory)")
    parser.add_argument("--record-dir", type=Path, help="also write each exchange to files in DIR")
    parser.add_argument("--tls-dir", type=Path, help="serve HTTPS with the test PKI of DIR")
    args = parser.parse_args(argv)
    try:
        setup = SimulatorSetup.standalone(
            port=args.port, tls_dir=args.tls_dir, record_dir=args.record_dir, data_dir=args.db
        )
        sim = create(setup).start()
    except (HarnessError, ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"SDO FHIR base: {sim.url}   (CapabilityStatement: {sim.url}/metadata)", flush=True)
    print(f"control token: {sim.control_token} (header X-Harness-Token of every /_harness call)", flush=True)
    return wait_until_stopped(sim)


if __name__ == "__main__":
    sys.exit(main())
