"""Run the INSi simulator alone: ``python -m mocks.insi --port 0 [--tls-dir DIR]``.

Prints the endpoint URL and serves until Ctrl-C. With ``--tls-dir`` it serves HTTPS with
the test PKI of that folder (created by :func:`harness.pki.ensure_pki` when missing) and
asks for a client certificate (CERT_OPTIONAL), so that a DUI without one gets a precise
fault instead of a failed handshake (INS-INSI-04).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from harness.errors import HarnessError
from mocks.common.setup import SimulatorSetup
from mocks.common.standalone import wait_until_stopped
from mocks.insi import create
from mocks.insi.identity_base import IdentityBase


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m mocks.insi", description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0: any free port)")
    parser.add_argument("--tls-dir", type=Path, help="serve HTTPS + mutual TLS with the test PKI of DIR")
    parser.add_argument("--record-dir", type=Path, help="also write each exchange to files in DIR")
    parser.add_argument("--identities", type=Path, help="identity base JSON (default: the packaged one)")
    parser.add_argument("--idam", action="append", help="accepted IDAM (repeatable; default: any)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        identities = IdentityBase.load(args.identities) if args.identities else None
        setup = SimulatorSetup.standalone(
            port=args.port,
            tls_dir=args.tls_dir,
            record_dir=args.record_dir,
            identities=identities,
            accepted_idam=set(args.idam) if args.idam else None,
        )
        sim = create(setup)
        sim.start()
    except (HarnessError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"INSi simulator: {sim.endpoint}", flush=True)
    print(f"control API:    {sim.url}/_harness/exchanges", flush=True)
    print(f"control token:  {sim.control_token} (header X-Harness-Token)", flush=True)
    if setup.pki is not None:
        print(f"test PKI:       {args.tls_dir} (ca.pem, client-insi-auto.pem/.key…)", flush=True)
    return wait_until_stopped(sim)


if __name__ == "__main__":
    sys.exit(main())
