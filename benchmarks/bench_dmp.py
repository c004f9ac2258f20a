"""Benchmark: ITI-41 submissions per second to the DMP simulator on loopback.

    .venv/bin/python benchmarks/bench_dmp.py [--submissions 200]

Each submission is a real ITI-41: a fresh CDA document (a FLUDR of about 5 kB), its metadata,
MTOM/XOP written with the email package, a VIHF signed with the test PKI's signing certificate,
over mutual TLS; the simulator splits the MIME, verifies the VIHF signature, validates the
metadata and the CDA, checks the consistency and commits to SQLite. Requests are built before
the clock starts. Bounded (a fixed count, 127.0.0.1 only); prints JSON.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from harness.core.recorder import Recorder  # noqa: E402
from harness.pki import ensure_pki  # noqa: E402
from mocks.common.server import TlsSettings  # noqa: E402
from mocks.dmp import DmpSimulator  # noqa: E402
from mocks.dmp.samples import Signer, iti41_request  # noqa: E402
from mocks.dmp.samples_cda import clinical_document  # noqa: E402

INS, OID = "241057505612360", "1.2.250.1.213.1.4.10"
TRAITS = {
    "birth_name": "DUPONT-ESSAI",
    "first_names": ["LOUISE", "ANNE"],
    "sex": "F",
    "birth_date": "1941-05-12",
    "birth_place": "75056",
}


def bench(count: int, tls: bool, workdir: Path) -> dict[str, float]:
    pki = ensure_pki(workdir / "pki")
    signer = Signer.from_files(*pki.client("signing-vihf"))
    settings = TlsSettings(pki.server_cert, pki.server_key, client_ca=pki.ca_cert) if tls else None
    requests_ = [
        iti41_request([clinical_document("FLUDR", ins=INS, ins_oid=OID, traits=TRAITS)], signer=signer)
        for _ in range(count)
    ]
    db = workdir / f"registry-{'tls' if tls else 'plain'}.sqlite3"
    with DmpSimulator(Recorder(), tls=settings, db_path=db) as sim, requests.Session() as http:
        http.trust_env = False  # REQUESTS_CA_BUNDLE would override the test CA
        if tls:
            http.cert = tuple(str(p) for p in pki.client("client-insi-auto"))  # type: ignore[assignment]
            http.verify = str(pki.ca_cert)
        latencies = []
        started = time.perf_counter()
        for body, ctype in requests_:
            t0 = time.perf_counter()
            response = http.post(f"{sim.url}/dmp/repository", data=body, headers={"Content-Type": ctype}, timeout=30)
            latencies.append((time.perf_counter() - t0) * 1000)
            assert b"ResponseStatusType:Success" in response.content, response.text[:500]
        elapsed = time.perf_counter() - started
        stored = sim.registry.counts()["documents"]
    assert stored == count
    latencies.sort()
    return {
        "submissions": count,
        "per_second": round(count / elapsed, 1),
        "p50_ms": round(statistics.median(latencies), 2),
        "p95_ms": round(latencies[int(0.95 * (count - 1))], 2),
        "bytes_each": len(requests_[0][0]),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--submissions", type=int, default=200, help="ITI-41 submissions per mode (bounded)")
    args = parser.parse_args()
    count = max(1, min(args.submissions, 5000))
    with tempfile.TemporaryDirectory() as tmp:
        result = {"iti41_mtls": bench(count, True, Path(tmp)), "iti41_plain_http": bench(count, False, Path(tmp))}
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
