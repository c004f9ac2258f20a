"""``dui-harness serve``: the simulators alone, for a DUI to be configured against them.

Prints each simulator's URL, its control API and the test PKI files, then serves until
Ctrl-C (or ``--duration`` seconds). Every exchange is recorded under ``<reports>/exchanges``;
the DMP and FHIR stores are SQLite files in ``<reports>`` (as under ``run``), so that an
acknowledged submission survives a restart. Control calls (``/_harness/...``) need the run's
token, printed here and written to ``<reports>/control-token`` (mode 0600).
"""

from __future__ import annotations

import argparse
import signal
import threading
import time
from pathlib import Path
from typing import Any

from harness.core.recorder import Recorder
from harness.pki import ensure_pki
from harness.plugin.endpoints import DEFAULT_CLIENT, endpoint_entries, reference_dui_settings
from harness.services import Service, resolve, simulated
from mocks.common.control_token import CONTROL_TOKEN_FILE, run_token, write_token_file
from mocks.common.setup import SimulatorSetup
from mocks.common.simulator import Simulator

__all__ = ["add_parser", "main", "ports_asked"]


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser("serve", help="start the simulated national services standalone",
                              description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    for service in simulated():
        options = service.port_options()
        for key, port in service.ports.items():
            extra = " (0 = every port of this service free)" if key == "port" and len(options) > 1 else ""
            p.add_argument(options[key], type=int, default=port, dest=_dest(service, key), metavar="PORT",
                           help=f"{service.label_fr} — {key.replace('_', ' ')} (default {port}, 0 = free){extra}")
    p.add_argument("--reports", type=Path, default=Path("reports"), help="where exchanges are recorded")
    p.add_argument("--pki", type=Path, help="test PKI folder (default: <reports>/pki)")
    p.add_argument("--no-tls", action="store_true", help="plain HTTP (no client certificate checks)")
    p.add_argument("--with-reference-dui", action="store_true",
                   help="also start the bundled reference DUI, pointed at the simulators")
    p.add_argument("--duration", type=float, help="stop after this many seconds (default: until Ctrl-C)")
    p.set_defaults(handler=main)


def _dest(service: Service, key: str) -> str:
    return f"port_{service.id}_{key}".lower()


def ports_asked(args: argparse.Namespace, service: Service) -> dict[str, int]:
    """The ports of ``service`` from the command line: each option as given (its declared fixed port
    by default); the main port 0 makes every port of the service free."""
    ports = {key: int(getattr(args, _dest(service, key), port)) for key, port in service.ports.items()}
    if ports.get("port") == 0:
        ports = dict.fromkeys(ports, 0)
    return ports


def _stop_on_sigterm(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # stop cleanly (servers closed, count printed) on kill / docker stop


def main(args: argparse.Namespace) -> int:
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _stop_on_sigterm)

    reports: Path = args.reports.resolve()
    recorder = Recorder(reports / "exchanges")
    token_file = write_token_file(reports / CONTROL_TOKEN_FILE, run_token())
    pki = None if args.no_tls else ensure_pki((args.pki or reports / "pki").resolve())
    started: list[Any] = []
    simulators: dict[str, Simulator] = {}
    try:
        print("dui-harness serve — simulateurs / simulators (127.0.0.1 only)")
        for service in simulated():
            # stores on disk in the reports folder, kept across restarts (issue 17: acknowledged = kept)
            setup = SimulatorSetup(recorder, pki, ports_asked(args, service), data_dir=reports, fresh_data=False)
            sim: Simulator = resolve(str(service.simulator))(setup)
            started.append(sim.start())
            simulators[service.id] = sim
            print("\n".join(sim.serve_lines()), flush=True)
        if pki:
            cert, key = pki.client(DEFAULT_CLIENT)
            print(f"  PKI de test / test PKI: {pki.directory}")
            print(f"      CA to trust: {pki.ca_cert}")
            print(f"      INSI-AUTO client certificate: {cert} (key {key})")
        if args.with_reference_dui:
            from reference_dui import ReferenceDui, ReferenceDuiConfig

            dui = ReferenceDui(ReferenceDuiConfig(**reference_dui_settings(simulators, pki),
                                                  pki_dir=pki.directory if pki else None)).start()
            started.append(dui)
            dui.service.configure_endpoints(endpoint_entries(simulators, pki))
            print(f"  DUI de référence / reference DUI trigger API: {dui.base_url}")
        print(f"  échanges enregistrés / recorded exchanges: {reports / 'exchanges'}")
        print(f"  jeton de contrôle / control token (header X-Harness-Token, /_harness/*): {run_token()}")
        print(f"      also in {token_file} (0600)")
        print("Ctrl-C pour arrêter / to stop.", flush=True)
        deadline = time.monotonic() + args.duration if args.duration else None
        while deadline is None or time.monotonic() < deadline:
            time.sleep(0.2)
    except KeyboardInterrupt:
        pass
    finally:
        for thing in reversed(started):
            thing.stop()
    print(f"{len(recorder)} exchange(s) recorded.")
    return 0
