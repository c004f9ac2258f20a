"""Benchmark: INSi simulator throughput on loopback, and a run of the INS profile (``--profile ins``).

    .venv/bin/python benchmarks/bench_insi.py [--requests 500]

Bounded (a fixed number of requests, 127.0.0.1 only); prints JSON. Targets: the suite stays
well under a minute on 2 cores; an INSi call over mutual TLS costs a few milliseconds.
(``benchmarks/run.py`` measures INSi against a trivial app on the same server, with ratios.)
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

from harness.core.recorder import Recorder
from harness.pki import ensure_pki
from mocks.common.server import TlsSettings
from mocks.insi import InsiSimulator
from mocks.insi.samples import build_request


def bench_insi(count: int, tls: bool, workdir: Path) -> dict[str, float]:
    pki = ensure_pki(workdir / "pki")
    settings = TlsSettings(pki.server_cert, pki.server_key, client_ca=pki.ca_cert) if tls else None
    with InsiSimulator(Recorder(), tls=settings) as sim, requests.Session() as http:
        http.trust_env = False  # REQUESTS_CA_BUNDLE would override the test CA
        if tls:
            http.cert = tuple(str(p) for p in pki.client("client-insi-auto"))  # type: ignore[assignment]
            http.verify = str(pki.ca_cert)
        body = build_request()
        headers = {"Content-Type": "application/soap+xml; charset=utf-8"}
        latencies = []
        started = time.perf_counter()
        for _ in range(count):
            t0 = time.perf_counter()
            response = http.post(f"{sim.url}/lps", data=body, headers=headers, timeout=10)
            latencies.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200, response.text[:300]
        elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "requests": count,
        "per_second": round(count / elapsed, 1),
        "p50_ms": round(statistics.median(latencies), 2),
        "p95_ms": round(latencies[int(0.95 * (count - 1))], 2),
    }


def bench_suite(workdir: Path) -> dict[str, float]:
    """``dui-harness run --profile ins`` (the INS suite alone, not the whole default profile)."""
    started = time.perf_counter()
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "harness",
            "run",
            "--profile",
            "ins",
            "--reports",
            str(workdir / "reports"),
            "--no-report",
            "--no-bundle",
            "-q",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    return {"exit": proc.returncode, "seconds": round(time.perf_counter() - started, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        result = {
            "insi_mutual_tls": bench_insi(args.requests, True, workdir),
            "insi_plain_http": bench_insi(args.requests, False, workdir),
            "ins_profile_run": bench_suite(workdir),
        }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
