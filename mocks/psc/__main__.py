"""Run the Pro Santé Connect simulator alone: ``python -m mocks.psc --port 0 [--tls-dir DIR]``.

Prints the issuer, the discovery URL and the registered client, then serves until Ctrl-C.
``--redirect-uri`` (repeatable) registers the callback URLs of the DUI under test (loopback
URIs match any port); ``--client-jwks`` its public JWK Set (for ``private_key_jwt``);
``--professional`` pre-selects who authenticates without login_hint.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from harness.errors import HarnessError
from mocks.common.setup import SimulatorSetup
from mocks.common.standalone import wait_until_stopped
from mocks.psc import create
from mocks.psc.professionals import ProfessionalBase
from mocks.psc.realm import DEFAULT_CLIENT, Client


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m mocks.psc", description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0: any free port)")
    parser.add_argument("--tls-dir", type=Path, help="serve HTTPS with the test PKI of DIR")
    parser.add_argument("--record-dir", type=Path, help="also write each exchange to files in DIR")
    parser.add_argument("--professionals", type=Path, help="test professionals JSON (default: the packaged one)")
    parser.add_argument("--client-id", default=DEFAULT_CLIENT.client_id, help="client_id of the DUI")
    parser.add_argument("--client-secret", default=DEFAULT_CLIENT.client_secret, help="its client_secret")
    parser.add_argument("--redirect-uri", action="append", help="a redirect URI of the DUI (repeatable)")
    parser.add_argument("--client-jwks", type=Path, help="the DUI's public JWK Set (JSON file), for private_key_jwt")
    parser.add_argument("--professional", help="idNat (or fixture id) who authenticates without login_hint")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        professionals = ProfessionalBase.load(args.professionals) if args.professionals else None
        client = Client.from_json(
            {
                "client_id": args.client_id,
                "client_secret": args.client_secret,
                "redirect_uris": args.redirect_uri or list(DEFAULT_CLIENT.redirect_uris),
                "post_logout_redirect_uris": list(DEFAULT_CLIENT.post_logout_redirect_uris),
                **({"jwks": json.loads(args.client_jwks.read_text(encoding="utf-8"))} if args.client_jwks else {}),
            }
        )
        sim = create(
            SimulatorSetup.standalone(
                port=args.port,
                tls_dir=args.tls_dir,
                record_dir=args.record_dir,
                professionals=professionals,
                clients=(client,),
            )
        )
        if args.professional:
            sim.select(args.professional)
        sim.start()
    except (HarnessError, ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"Pro Santé Connect simulator, issuer: {sim.issuer}", flush=True)
    print(f"discovery:      {sim.discovery_url}", flush=True)
    print(
        f"client:         {client.client_id} / {client.client_secret} -> {', '.join(client.redirect_uris)}", flush=True
    )
    print(f"control API:    {sim.url}/_harness/state, /_harness/faults, /_harness/exchanges", flush=True)
    print(f"control token:    {sim.control_token} (header X-Harness-Token)", flush=True)
    return wait_until_stopped(sim)


if __name__ == "__main__":
    sys.exit(main())
