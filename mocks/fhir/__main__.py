"""Run the FHIR simulators alone: ``python -m mocks.fhir [--port-eparcours P] [--port-epresc P]``.

Prints both FHIR bases and serves until Ctrl-C (plain HTTP, or HTTPS with ``--tls-dir DIR``;
``--db DIR`` keeps the SQLite stores ``fhir-eparcours.sqlite3`` and ``fhir-epresc.sqlite3`` in DIR).
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

from harness.errors import HarnessError
from mocks.common.setup import SimulatorSetup
from mocks.common.simulator import Simulator
from mocks.common.standalone import wait_until_stopped
from mocks.fhir import create_eparcours, create_epresc


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mocks.fhir", description=__doc__.splitlines()[0])
    parser.add_argument("--port-eparcours", type=int, default=0, help="e-parcours port (0: any free port)")
    parser.add_argument("--port-epresc", type=int, default=0, help="e-prescription port (0: any free port)")
    parser.add_argument("--db", type=Path, help="folder of the SQLite stores (default: in memory)")
    parser.add_argument("--record-dir", type=Path, help="also write each exchange to files in DIR")
    parser.add_argument("--tls-dir", type=Path, help="serve HTTPS with the test PKI of DIR")
    parser.add_argument("--cda-pack", type=Path, help="CI-SIS artefact pack for the CDA documents of TDDUI bundles")
    args = parser.parse_args(argv)
    sims: list[Simulator] = []
    try:
        setup = SimulatorSetup.standalone(
            port=0, tls_dir=args.tls_dir, record_dir=args.record_dir, data_dir=args.db, cda_pack=args.cda_pack
        )
        sims.append(create_eparcours(dataclasses.replace(setup, ports={"port": args.port_eparcours})).start())
        sims.append(create_epresc(dataclasses.replace(setup, ports={"port": args.port_epresc})).start())
    except (HarnessError, ValueError, OSError) as exc:
        for sim in sims:
            sim.stop()
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for sim in sims:
        print(f"{sim.service} FHIR base: {sim.url}   (CapabilityStatement: {sim.url}/metadata)", flush=True)
    print(f"control token: {sims[0].control_token} (header X-Harness-Token of every /_harness call)", flush=True)
    return wait_until_stopped(*sims)


if __name__ == "__main__":
    sys.exit(main())
