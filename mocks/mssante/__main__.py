"""Run the MSSanté simulator alone: ``python -m mocks.mssante [--tls-dir DIR] [--smtp-port N]…``.

Prints the SMTP / IMAP listeners, the control API and the test accounts, then serves until
Ctrl-C. With ``--tls-dir`` mail is served with the test PKI of that folder (STARTTLS on the
submission and IMAP ports, implicit TLS on the smtps and imaps ports); without it, in
clear text on the submission and IMAP ports only.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

from harness.errors import HarnessError
from mocks.common.setup import SimulatorSetup
from mocks.common.standalone import wait_until_stopped
from mocks.mssante import create


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m mocks.mssante", description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0, help="control API port on 127.0.0.1 (0: any free port)")
    parser.add_argument("--smtp-port", type=int, default=0, help="SMTP submission port (STARTTLS)")
    parser.add_argument("--smtps-port", type=int, default=0, help="SMTP port with implicit TLS")
    parser.add_argument("--imap-port", type=int, default=0, help="IMAP port (STARTTLS)")
    parser.add_argument("--imaps-port", type=int, default=0, help="IMAP port with implicit TLS")
    parser.add_argument("--tls-dir", type=Path, help="serve mail over TLS with the test PKI of DIR")
    parser.add_argument("--record-dir", type=Path, help="also write each exchange to files in DIR")
    parser.add_argument("--cda-pack", type=Path, help="CI-SIS artefact pack the attached CDA documents are judged with")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        setup = SimulatorSetup.standalone(
            port=args.port, tls_dir=args.tls_dir, record_dir=args.record_dir, cda_pack=args.cda_pack
        )
        ports = {
            "port": args.port,
            "smtp_port": args.smtp_port,
            "smtps_port": args.smtps_port,
            "imap_port": args.imap_port,
            "imaps_port": args.imaps_port,
        }
        sim = create(dataclasses.replace(setup, ports=ports))
        sim.start()
    except (HarnessError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for name, url in sim.endpoints().items():
        print(f"{name:<8} {url}", flush=True)
    print(f"token    {sim.control_token} (header X-Harness-Token of every /_harness call)", flush=True)
    for entry in sim.directory.entries():
        print(f"account  {entry['address']} ({entry['kind']}) password {entry['password']}", flush=True)
    return wait_until_stopped(sim)


if __name__ == "__main__":
    sys.exit(main())
