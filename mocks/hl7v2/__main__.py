"""Run the HL7 v2 simulator alone: ``python -m mocks.hl7v2 [--port N] [--tls-dir DIR] [--control-port N]``.

Prints its MLLP address, then serves until Ctrl-C. With ``--control-port`` it runs the service as
``run`` and ``serve`` do (the same ``create(setup)``: control API ``/_harness/hl7v2/...`` beside MLLP).
With ``--send SCENARIO --to HOST:PORT`` it also sends one ADT feed to a DUI's MLLP endpoint first and
prints the ACK it got.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from harness.core.recorder import Recorder
from harness.errors import HarnessError
from harness.pki import ensure_pki
from mocks.common.server import TlsSettings
from mocks.common.setup import SimulatorSetup
from mocks.common.standalone import wait_until_stopped
from mocks.hl7v2 import Hl7v2Service, create
from mocks.hl7v2.app import Hl7v2Simulator
from mocks.hl7v2.feeds import scenario_names


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m mocks.hl7v2", description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0, help="MLLP port on 127.0.0.1 (0: any free port)")
    parser.add_argument("--tls-dir", type=Path, help="serve MLLP over TLS with the test PKI of DIR")
    parser.add_argument("--record-dir", type=Path, help="also write each exchange to files in DIR")
    parser.add_argument("--control-port", type=int, help="also serve the control API on this port (0: any free port)")
    parser.add_argument("--send", choices=scenario_names(), help="send this ADT feed scenario first")
    parser.add_argument("--to", metavar="HOST:PORT", help="the DUI's MLLP endpoint for --send")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    tls = None
    pki = ensure_pki(args.tls_dir) if args.tls_dir is not None else None
    if pki is not None:
        tls = TlsSettings(certfile=pki.server_cert, keyfile=pki.server_key, client_ca=pki.ca_cert)
    service: Hl7v2Service | None = None
    try:
        if args.control_port is not None:
            setup = SimulatorSetup(
                Recorder(args.record_dir), pki, {"port": args.control_port, "mllp_port": args.port}, fresh_data=False
            )
            service = create(setup).start()
            sim = service.mllp
        else:
            sim = Hl7v2Simulator(Recorder(args.record_dir), port=args.port, tls=tls).start()
    except (HarnessError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for name, url in sim.endpoints().items():
        print(f"{name:<8} {url}", flush=True)
    if service is not None:
        print(f"{'control':<8} {service.url}/_harness/hl7v2/ (X-Harness-Token)", flush=True)
    if args.send:
        host, _, port = (args.to or "").rpartition(":")
        if not host or not port.isdigit():
            print("error: --send needs --to HOST:PORT (e.g. 127.0.0.1:2575)", file=sys.stderr)
            (service or sim).stop()
            return 2
        exchange = sim.send_feed(args.send, host, int(port))
        answer = f"{exchange.response.start_line if exchange.response else '-'} {exchange.summary.get('ack') or ''}"
        print(f"sent     {exchange.transaction} ({args.send}) -> {answer}", flush=True)
        for finding in exchange.findings:
            print(f"finding  {finding}", flush=True)
    return wait_until_stopped(service or sim)


if __name__ == "__main__":
    sys.exit(main())
