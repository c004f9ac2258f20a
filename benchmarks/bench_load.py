"""Load benchmark with a SIGKILL mid-load: throughput, p50/p99, accepted vs stored, for INSi, DMP and FHIR.

    .venv/bin/python benchmarks/bench_load.py [--mode serve|run|both] [--seconds 5] [--clients 6] [--json]

For each mode the simulators run in a child process on 127.0.0.1 (free ports, plain HTTP):

* ``serve``: ``dui-harness serve --reports DIR`` (DMP and e-parcours stores in DIR, as issue 17 asks);
* ``run``: the simulators as a run starts them (``harness.plugin.session``: the same SQLite files
  under the reports folder).

Clients (threads, split over INSi ``rechercherInsAvecTraitsIdentite``, DMP ITI-41 and e-parcours
TDDUI transactions) send for ``--seconds``; the child is then killed with SIGKILL *while they
are still sending*. A submission counts as *accepted* only when its complete success answer
arrived. The stores are then read back (``serve``: restarted on the same folder, through the
control API and its token; ``run``: the SQLite files) and compared: *lost* = accepted − stored
must be 0 (stored may exceed accepted: a commit whose answer was cut by the kill).

Bounded: at most 60 s and 32 clients per mode, loopback only, a temporary folder.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

SOAP = {"Content-Type": "application/soap+xml; charset=utf-8"}
FHIR = {"Content-Type": "application/fhir+json", "Accept": "application/fhir+json"}
INS, OID = "241057505612360", "1.2.250.1.213.1.4.10"
TRAITS = {
    "birth_name": "DUPONT-ESSAI",
    "first_names": ["LOUISE", "ANNE"],
    "sex": "F",
    "birth_date": "1941-05-12",
    "birth_place": "75056",
}


@dataclass
class Tally:
    """What the clients of one service saw."""

    latencies: list[float] = field(default_factory=list)
    accepted: int = 0
    failed: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, ms: float, ok: bool) -> None:
        with self.lock:
            self.latencies.append(ms)
            self.accepted += ok
            self.failed += not ok


def _child_run(folder: Path) -> int:
    """The simulators as ``dui-harness run`` starts them (stores under the reports folder), until killed."""
    from harness.core.recorder import Recorder
    from mocks.dmp import DmpSimulator
    from mocks.fhir import EparcoursSimulator
    from mocks.insi import InsiSimulator

    recorder = Recorder(folder / "exchanges")
    insi = InsiSimulator(recorder).start()
    dmp = DmpSimulator(recorder, db_path=folder / "dmp-registry.sqlite3").start()
    eparcours = EparcoursSimulator(recorder, db_path=folder / "fhir-eparcours.sqlite3").start()
    print(
        json.dumps({"insi": insi.endpoint, "dmp": dmp.url + "/dmp/repository", "eparcours": eparcours.url}), flush=True
    )
    while True:
        time.sleep(1)


def _start(mode: str, folder: Path) -> tuple[subprocess.Popen[str], dict[str, str]]:
    if mode == "run":
        proc = subprocess.Popen(
            [sys.executable, __file__, "--child-run", str(folder)], stdout=subprocess.PIPE, text=True, cwd=REPO
        )
        assert proc.stdout is not None
        return proc, json.loads(proc.stdout.readline())
    # every simulator on a free port (a service added later included): another bench may hold the defaults
    command = [sys.executable, "-m", "harness", "serve", "--free-ports", "--no-tls", "--reports", str(folder)]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=REPO)
    assert proc.stdout is not None
    urls: dict[str, str] = {}
    for _ in range(80):
        line = proc.stdout.readline()
        if "INSi (SOAP" in line:
            urls["insi"] = line.rsplit(" ", 1)[-1].strip()
        elif line.strip().startswith("e-parcours"):
            urls["eparcours"] = line.rsplit(" ", 1)[-1].strip()
        elif "DMP (XDS.b" in line:
            urls["dmp"] = re.search(r"ITI-41/43 (\S+),", line).group(1)  # type: ignore[union-attr]
        elif "Ctrl-C" in line or not line:
            break
    return proc, urls


def _payloads() -> dict[str, tuple[bytes, Any]]:
    """Each service's request body with its headers (INSi, FHIR) or its Content-Type (ITI-41, MTOM)."""
    from mocks.dmp.samples import iti41_request
    from mocks.dmp.samples_cda import clinical_document
    from mocks.insi.samples import build_request
    from tests.mocks.fhir.fhir_support import tddui_bundle

    return {
        "insi": (build_request(), SOAP),
        "eparcours": (json.dumps(tddui_bundle()).encode(), FHIR),
        "dmp": iti41_request([clinical_document("FLUDR", ins=INS, ins_oid=OID, traits=TRAITS)], signer=None),
    }


def _client(service: str, url: str, stop: threading.Event, tally: Tally) -> None:
    payloads = _payloads()  # a fresh DMP document per client (unique ids), built before the clock
    with requests.Session() as http:
        http.trust_env = False
        while not stop.is_set():
            if service == "dmp":
                body, ctype = _payloads()["dmp"]  # each submission needs its own uniqueId
                headers = {"Content-Type": str(ctype)}
            else:
                body, headers = payloads[service]
            started = time.perf_counter()
            try:
                answer = http.post(url, data=body, headers=headers, timeout=10)
                ok = answer.status_code == 200 and (service != "dmp" or b"ResponseStatusType:Success" in answer.content)
            except requests.RequestException:
                ok = False
                if stop.is_set() or service == "_":
                    return
                time.sleep(0.05)
            tally.add((time.perf_counter() - started) * 1000, ok)


def _stored(mode: str, folder: Path) -> dict[str, int]:
    """Documents in the DMP and transactions (Encounter) in e-parcours, after the kill."""
    if mode == "run":
        from mocks.dmp.registry import Registry
        from mocks.fhir.store import ResourceStore

        registry, store = Registry(folder / "dmp-registry.sqlite3"), ResourceStore(folder / "fhir-eparcours.sqlite3")
        try:
            return {"dmp": registry.counts()["documents"], "eparcours": store.count("Encounter")}
        finally:
            registry.close()
    proc, urls = _start("serve", folder)  # restarted on the same reports folder
    try:
        token = {"X-Harness-Token": (folder / "control-token").read_text(encoding="ascii").strip()}
        base_dmp = urls["dmp"].rsplit("/dmp/", 1)[0]
        dmp = requests.get(base_dmp + "/_harness/state", headers=token, timeout=10).json()
        fhir = requests.get(urls["eparcours"] + "/_harness/state", headers=token, timeout=10).json()
        return {"dmp": dmp["counts"]["documents"], "eparcours": fhir["resources"].get("Encounter", 0)}
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=20)


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(share * (len(ordered) - 1)))], 1) if ordered else 0.0


def bench(mode: str, seconds: float, clients: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix=f"bench-load-{mode}-") as tmp:
        folder = Path(tmp)
        proc, urls = _start(mode, folder)
        tallies = {service: Tally() for service in ("insi", "dmp", "eparcours")}
        stop = threading.Event()
        threads = [
            threading.Thread(target=_client, args=(service, urls[service], stop, tallies[service]), daemon=True)
            for index in range(clients)
            for service in [("insi", "dmp", "eparcours")[index % 3]]
        ]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        time.sleep(seconds)
        os.kill(proc.pid, signal.SIGKILL)  # mid-load: the clients are still sending
        killed_at = time.perf_counter() - started
        proc.wait(10)
        stop.set()
        for thread in threads:
            thread.join(15)
        stored = _stored(mode, folder)
    out: dict[str, Any] = {"mode": mode, "clients": clients, "seconds_before_sigkill": round(killed_at, 1)}
    for service, tally in tallies.items():
        entry: dict[str, Any] = {
            "accepted": tally.accepted,
            "per_second": round(tally.accepted / killed_at, 1),
            "p50_ms": round(statistics.median(tally.latencies), 1) if tally.latencies else 0,
            "p99_ms": _percentile(tally.latencies, 0.99),
            "failed_or_cut": tally.failed,
        }
        if service in stored:
            entry.update(stored_after_restart=stored[service], lost=max(0, tally.accepted - stored[service]))
        out[service] = entry
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--mode", choices=("serve", "run", "both"), default="both")
    parser.add_argument("--seconds", type=float, default=5.0, help="load before the SIGKILL (max 60)")
    parser.add_argument("--clients", type=int, default=6, help="client threads, split over the services (max 32)")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--child-run", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_run is not None:
        return _child_run(args.child_run)
    seconds, clients = min(max(args.seconds, 1.0), 60.0), min(max(args.clients, 3), 32)
    results = [bench(mode, seconds, clients) for mode in (("serve", "run") if args.mode == "both" else (args.mode,))]
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    print(
        f"{'mode':<6} {'service':<10} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'accepted':>9} {'stored':>7} "
        f"{'lost':>5}"
    )
    for result in results:
        for service in ("insi", "dmp", "eparcours"):
            row = result[service]
            print(
                f"{result['mode']:<6} {service:<10} {row['per_second']:>7} {row['p50_ms']:>7} {row['p99_ms']:>7} "
                f"{row['accepted']:>9} {row.get('stored_after_restart', '-'):>7} {row.get('lost', '-'):>5}"
            )
    lost = sum(r[s].get("lost", 0) for r in results for s in ("dmp", "eparcours"))
    print(f"acknowledged submissions lost after SIGKILL: {lost}")
    return 1 if lost else 0


if __name__ == "__main__":
    sys.exit(main())
