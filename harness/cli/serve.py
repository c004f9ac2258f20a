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
from mocks.common.control_token import CONTROL_TOKEN_FILE, run_token, write_token_file
from mocks.common.server import TlsSettings

__all__ = ["add_parser", "main"]


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser("serve", help="start the simulated national services standalone",
                              description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--insi-port", type=int, default=8701, help="INSi simulator port (default 8701, 0 = free)")
    p.add_argument("--dmp-port", type=int, default=8702, help="DMP (XDS.b) simulator port (default 8702, 0 = free)")
    p.add_argument("--psc-port", type=int, default=8706, help="Pro Santé Connect simulator port (default 8706)")
    p.add_argument("--eparcours-port", type=int, default=8707, help="e-parcours FHIR simulator port (default 8707)")
    p.add_argument("--epresc-port", type=int, default=8708, help="e-prescription FHIR simulator port (default 8708)")
    p.add_argument("--mss-port", type=int, default=8710,
                   help="MSSanté control API port (default 8710, with SMTP 8587/8465, IMAP 8143/8993; 0 = all free)")
    p.add_argument("--reports", type=Path, default=Path("reports"), help="where exchanges are recorded")
    p.add_argument("--pki", type=Path, help="test PKI folder (default: <reports>/pki)")
    p.add_argument("--no-tls", action="store_true", help="plain HTTP (no client certificate checks)")
    p.add_argument("--with-reference-dui", action="store_true",
                   help="also start the bundled reference DUI, pointed at the simulators")
    p.add_argument("--duration", type=float, help="stop after this many seconds (default: until Ctrl-C)")
    p.set_defaults(handler=main)


def _stop_on_sigterm(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # stop cleanly (servers closed, count printed) on kill / docker stop


def main(args: argparse.Namespace) -> int:
    from mocks.insi import InsiSimulator

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _stop_on_sigterm)

    reports: Path = args.reports.resolve()
    recorder = Recorder(reports / "exchanges")
    token_file = write_token_file(reports / CONTROL_TOKEN_FILE, run_token())
    pki = None if args.no_tls else ensure_pki((args.pki or reports / "pki").resolve())
    tls = TlsSettings(pki.server_cert, pki.server_key, client_ca=pki.ca_cert) if pki else None
    insi = InsiSimulator(recorder, port=args.insi_port, tls=tls).start()
    started: list[Any] = [insi]
    try:
        from mocks.psc import PscSimulator

        psc = PscSimulator(recorder, port=args.psc_port, tls=tls).start()
        started.append(psc)
        print("dui-harness serve — simulateurs / simulators (127.0.0.1 only)")
        print(f"  INSi (SOAP 1.2, rechercherInsAvecTraitsIdentite): {insi.url}/lps")
        print(f"      control API: {insi.url}/_harness/exchanges, /_harness/faults, /_harness/state")
        if pki:
            cert, key = pki.client("client-insi-auto")
            print(f"  PKI de test / test PKI: {pki.directory}")
            print(f"      CA to trust: {pki.ca_cert}")
            print(f"      INSI-AUTO client certificate: {cert} (key {key})")
        details = psc.endpoint_details()
        print(f"  Pro Santé Connect (OpenID Connect), issuer: {psc.issuer}")
        print(f"      discovery: {psc.discovery_url}")
        print(f"      client: {details['client_id']} / {details['client_secret']}")
        print(f"      control API: {psc.url}/_harness/state, /_harness/faults (bad tokens on demand)")
        from mocks.fhir import EparcoursSimulator, EprescSimulator

        eparcours = EparcoursSimulator(recorder, port=args.eparcours_port, tls=tls,
                                       db_path=reports / "fhir-eparcours.sqlite3").start()
        started.append(eparcours)
        epresc = EprescSimulator(recorder, port=args.epresc_port, tls=tls,
                                 db_path=reports / "fhir-epresc.sqlite3").start()
        started.append(epresc)
        print(f"  e-parcours (FHIR R4, TDDUI flux 1: POST [base]/), base: {eparcours.url}")
        print(f"  e-prescription (FHIR R4, modèle supposé / assumed model), base: {epresc.url}")
        from mocks.dmp import DmpSimulator

        dmp = DmpSimulator(recorder, port=args.dmp_port, tls=tls, signing=pki.client("signing-vihf") if pki else None,
                           db_path=reports / "dmp-registry.sqlite3")
        dmp.start()
        started.append(dmp)
        print(f"  DMP (XDS.b ITI-41/43 {dmp.endpoints['repository']}, ITI-18/57 {dmp.endpoints['registry']}, "
              f"TD0.2 {dmp.endpoints['td02']}); VIHF signing certificate: signing-vihf of the test PKI")
        from harness.plugin.mss_session import serve_mss

        mss, mss_lines = serve_mss(recorder, pki, fixed=args.mss_port != 0)
        started.append(mss)
        print("\n".join(mss_lines))
        if args.with_reference_dui:
            from reference_dui import ReferenceDui, ReferenceDuiConfig

            client = pki.client("client-insi-auto") if pki else None
            dui = ReferenceDui(ReferenceDuiConfig(
                insi_url=insi.url, client_cert=client[0] if client else None,
                client_key=client[1] if client else None, ca_cert=pki.ca_cert if pki else None,
                pki_dir=pki.directory if pki else None)).start()
            started.append(dui)
            ca = {"ca": str(pki.ca_cert)} if pki else {}
            tls_client = {"client_cert": str(client[0]), "client_key": str(client[1])} if client else {}
            dui.service.configure_endpoints({"psc": {"url": psc.url, **details, **ca},
                                             "dmp": {"url": dmp.url, **dmp.endpoint_details(), **tls_client, **ca},
                                             "eparcours": {"url": eparcours.url, **ca},
                                             "epresc": {"url": epresc.url, **ca},
                                             "mssante": {"url": mss.url, **mss.endpoint_details()}})
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
