"""Run the FHIR simulators alone: ``python -m mocks.fhir [--port-eparcours P] [--port-epresc P]``.

Prints both FHIR bases and serves until Ctrl-C (plain HTTP; ``--db DIR`` keeps the SQLite
stores in DIR).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from harness.core.recorder import Recorder
from harness.errors import HarnessError
from mocks.common.simulator import Simulator
from mocks.common.standalone import wait_until_stopped
from mocks.fhir import EparcoursSimulator, EprescSimulator


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mocks.fhir", description=__doc__.splitlines()[0])
    parser.add_argument("--port-eparcours", type=int, default=0, help="e-parcours port (0: any free port)")
    parser.add_argument("--port-epresc", type=int, default=0, help="e-prescription port (0: any free port)")
    parser.add_argument("--db", type=Path, help="folder of the SQLite stores (default: in memory)")
    parser.add_argument("--record-dir", type=Path, help="also write each exchange to files in DIR")
    args = parser.parse_args(argv)
    recorder = Recorder(args.record_dir)
    if args.db is not None:
        args.db.mkdir(parents=True, exist_ok=True)
    sims: list[Simulator] = []
    try:
        sims.append(EparcoursSimulator(recorder, port=args.port_eparcours,
                                       db_path=args.db / "eparcours.sqlite3" if args.db else None).start())
        sims.append(EprescSimulator(recorder, port=args.port_epresc,
                                    db_path=args.db / "epresc.sqlite3" if args.db else None).start())
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
