"""``dui-harness serve``: the simulators alone, for a DUI to be configured against them.

Prints each simulator's URL, its control API and the test PKI files, then serves until
Ctrl-C (or --duration seconds), printing one line per exchange as it arrives (service,
operation, status, number of findings; colours on a terminal). Every exchange is recorded
under <reports>/exchanges; the DMP and FHIR stores are SQLite files in <reports> (as under
run), so that an acknowledged submission survives a restart. --free-ports puts every
simulator on a free port; --json writes a JSON Lines stream for tools on standard output (the
description goes to standard error). Control calls (/_harness/...) need the run's token,
printed here and written to <reports>/control-token (mode 0600). With --cda-pack (default
$DUI_HARNESS_CDA_PACK) the simulators judge the CDA documents they receive with the official pack,
compiled once before they serve; --xds-schemas hands the DMP simulator the XDS.b/ebRS schemas.
"""

from __future__ import annotations

import argparse
import functools
import json
import signal
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from harness.cli.run_checks import cda_pack
from harness.core.recorder import Recorder
from harness.pki import ensure_pki
from harness.plugin.endpoints import DEFAULT_CLIENT, endpoint_entries, reference_dui_settings
from harness.services import Service, resolve, simulated
from harness.sut.traffic import Palette, exchange_json, exchange_line, finding_lines
from harness.validators.cda.pack import CdaPack, resolve_pack
from harness.validators.cda.warmup import Warmup, warm_up
from mocks.common.control_token import CONTROL_TOKEN_FILE, run_token, write_token_file
from mocks.common.setup import SimulatorSetup
from mocks.common.simulator import Simulator
from mocks.mssante.auth_psc import link_simulators

#: exchanges ``serve`` keeps in memory, by size (bodies + overhead); older ones stay in reports/exchanges
SERVE_MEMORY_BYTES = 32 * 1024 * 1024

__all__ = ["add_parser", "main", "ports_asked"]


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "serve",
        help="start the simulated national services standalone",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    for service in simulated():
        options = service.port_options()
        for key, port in service.ports.items():
            extra = " (0 = every port of this service free)" if key == "port" and len(options) > 1 else ""
            p.add_argument(
                options[key],
                type=int,
                default=port,
                dest=_dest(service, key),
                metavar="PORT",
                help=f"{service.label_fr} — {key.replace('_', ' ')} (défaut / default {port}, 0 = libre / free){extra}",
            )
    p.add_argument("--reports", type=Path, default=Path("reports"), help="where exchanges are recorded")
    p.add_argument("--pki", type=Path, help="test PKI folder (default: <reports>/pki)")
    p.add_argument("--no-tls", action="store_true", help="plain HTTP (no client certificate checks)")
    p.add_argument(
        "--cda-pack",
        type=Path,
        metavar="DIR",
        help="paquet d'artefacts CI-SIS officiel : les simulateurs jugent les CDA reçus avec lui / official "
        "CI-SIS artefact pack the simulators judge received CDA documents with (default: $DUI_HARNESS_CDA_PACK)",
    )
    p.add_argument(
        "--schematron-engine",
        choices=("harness", "ans"),
        help="compilation des schématrons du paquet : compilateur du projet (défaut) ou chaîne ANS / how the "
        "pack's schematrons are compiled: the project's compiler (default) or the pack's ANS pipeline",
    )
    p.add_argument(
        "--xds-schemas",
        type=Path,
        metavar="DIR",
        help="schémas publics IHE XDS.b et OASIS ebRS 3.0 : chaque requête au DMP est aussi validée contre eux / "
        "public IHE XDS.b and OASIS ebRS 3.0 schemas every DMP request is also validated against",
    )
    p.add_argument(
        "--with-reference-dui",
        action="store_true",
        help="also start the bundled reference DUI, pointed at the simulators",
    )
    p.add_argument(
        "--duration", type=float, help="arrêter après N secondes / stop after this many seconds (default: until Ctrl-C)"
    )
    p.add_argument(
        "--free-ports", action="store_true", help="chaque simulateur sur un port libre / every simulator on a free port"
    )
    p.add_argument(
        "--json",
        action="store_true",
        help="flux JSON Lines (un objet par échange) / JSON Lines stream (one object per exchange)",
    )
    p.add_argument(
        "--findings",
        action="store_true",
        help="afficher chaque constat sous son échange / show each finding under its exchange",
    )
    p.set_defaults(handler=main)


def _dest(service: Service, key: str) -> str:
    return f"port_{service.id}_{key}".lower()


def ports_asked(args: argparse.Namespace, service: Service) -> dict[str, int]:
    """The ports of ``service`` from the command line: each option as given (its declared fixed port
    by default); the main port 0 makes every port of the service free."""
    ports = {key: int(getattr(args, _dest(service, key), port)) for key, port in service.ports.items()}
    if ports.get("port") == 0 or getattr(args, "free_ports", False):
        ports = dict.fromkeys(ports, 0)
    return ports


def _stop_on_sigterm(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # stop cleanly (servers closed, count printed) on kill / docker stop


def _emit_json(data: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def _follow(recorder: Recorder, args: argparse.Namespace) -> None:
    """Show each exchange once, as it is recorded, until the duration is over (or Ctrl-C)."""
    deadline = time.monotonic() + args.duration if args.duration else None
    paint = Palette.for_stream(sys.stdout)
    seen: set[str] = set()
    while True:
        for exchange in recorder.exchanges():
            if exchange.id in seen:
                continue
            seen.add(exchange.id)
            if args.json:
                _emit_json({"event": "exchange", **exchange_json(exchange)})
                continue
            print(f"{exchange.started:%H:%M:%S} {exchange_line(exchange, paint)}", flush=True)
            if args.findings:
                for line in finding_lines(exchange, paint):
                    print(f"           {line}", flush=True)
        if deadline is not None and time.monotonic() >= deadline:
            return
        time.sleep(0.2)


def _prepared(pack: CdaPack | None, say: Callable[..., None]) -> Warmup | None:
    """The pack's artefacts compiled before any simulator serves (Saxon holds the interpreter while it compiles:
    compiling while serving would stall every answer), with a line saying so."""
    if pack is None:
        return None
    say(f"  paquet CDA / CDA pack: {pack.root} (compilation… / compiling…)")
    warmup = warm_up(pack, background=False)
    say(f"  {warmup.describe()}")
    return warmup


def main(args: argparse.Namespace) -> int:
    """``serve``; SIGTERM stops it cleanly while it serves, and the caller's handler is back once it returns
    (``dui-harness`` called in-process, e.g. by a test, keeps its own)."""
    if threading.current_thread() is not threading.main_thread():
        return _serve(args)
    previous = signal.signal(signal.SIGTERM, _stop_on_sigterm)
    try:
        return _serve(args)
    finally:
        if previous is not None:  # None: a handler not installed from Python, which cannot be put back
            signal.signal(signal.SIGTERM, previous)


def _serve(args: argparse.Namespace) -> int:
    say = functools.partial(print, file=sys.stderr if args.json else sys.stdout, flush=True)
    reports: Path = args.reports.resolve()
    # bounded by size, not only by count: memory stays flat under sustained load (files keep everything)
    recorder = Recorder(reports / "exchanges", memory_bytes=SERVE_MEMORY_BYTES)
    token_file = write_token_file(reports / CONTROL_TOKEN_FILE, run_token())
    pki = None if args.no_tls else ensure_pki((args.pki or reports / "pki").resolve())
    started: list[Any] = []
    simulators: dict[str, Simulator] = {}
    pack = resolve_pack(cda_pack(args), route=args.schematron_engine)
    options = {"xds_schemas": args.xds_schemas.resolve()} if args.xds_schemas is not None else {}
    try:
        say("dui-harness serve — simulateurs / simulators (127.0.0.1 only)")
        warmup = _prepared(pack, say)
        for service in simulated():
            # stores on disk in the reports folder, kept across restarts (issue 17: acknowledged = kept)
            setup = SimulatorSetup(
                recorder,
                pki,
                ports_asked(args, service),
                data_dir=reports,
                cda_pack=pack,
                options=options,
                fresh_data=False,
                cda_warmup=warmup,
            )
            sim: Simulator = resolve(str(service.simulator))(setup)
            started.append(sim.start())
            simulators[service.id] = sim
            say("\n".join(sim.serve_lines()))
        link_simulators(simulators)  # the MSSanté operator checks XOAUTH2 tokens against PSC
        if pki:
            cert, key = pki.client(DEFAULT_CLIENT)
            say(f"  PKI de test / test PKI: {pki.directory}")
            say(f"      CA to trust: {pki.ca_cert}")
            say(f"      INSI-AUTO client certificate: {cert} (key {key})")
        dui: Any = None
        if args.with_reference_dui:
            from harness.plugin.session import REFERENCE_DUI_TIMEOUT
            from reference_dui import ReferenceDui, ReferenceDuiConfig

            settings = {"timeout": REFERENCE_DUI_TIMEOUT, **reference_dui_settings(simulators, pki)}
            dui = ReferenceDui(ReferenceDuiConfig(**settings, pki_dir=pki.directory if pki else None)).start()
            started.append(dui)
            dui.service.configure_endpoints(endpoint_entries(simulators, pki))
            say(f"  DUI de référence / reference DUI trigger API: {dui.base_url}")
        say(f"  échanges enregistrés / recorded exchanges: {reports / 'exchanges'}")
        say(f"  jeton de contrôle / control token (header X-Harness-Token, /_harness/*): {run_token()}")
        say(f"      aussi dans / also in {token_file} (0600)")
        say("Ctrl-C pour arrêter / to stop. Échanges reçus / exchanges received:")
        if args.json:
            _emit_json(
                {
                    "event": "ready",
                    "simulators": {sid: sim.url for sid, sim in simulators.items()},
                    "exchanges": str(reports / "exchanges"),
                    **({"reference_dui": str(dui.base_url)} if dui is not None else {}),
                }
            )
        _follow(recorder, args)
    except KeyboardInterrupt:
        pass
    finally:
        for thing in reversed(started):
            thing.stop()
    say(f"{len(recorder)} échange(s) enregistré(s) / exchange(s) recorded.")
    return 0
