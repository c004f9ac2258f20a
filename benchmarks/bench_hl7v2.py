"""Benchmark: HL7 v2 ADT messages judged and acknowledged per second by the HL7 v2 simulator.

    .venv/bin/python benchmarks/bench_hl7v2.py [--messages 200]

``validate``: median time of :func:`harness.validators.hl7v2.validate_hl7v2` on the project's
A28 fixture (ER7 reading, MSH, v2.5 structure, hl7apy datatype parsing, PID rules), cold (every
field value parsed by hl7apy) and warm (hl7apy's verdicts on the same values memoised).
``mllp``: the same messages sent one after another on one MLLP connection to the simulator on
127.0.0.1, each answered by an ACK (validation, ACK built with hl7apy, exchange recorded).
Bounded (a fixed count, loopback only); prints JSON.
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from harness.core.recorder import Recorder
from harness.paths import fixtures_dir
from harness.validators.hl7v2 import validate_hl7v2
from harness.validators.hl7v2.structure import _datatype_problem
from mocks.hl7v2.app import Hl7v2Simulator
from mocks.hl7v2.mllp import MllpDecoder, frame

MESSAGE = (fixtures_dir() / "hl7v2" / "valid" / "a28-pat-trois-qualifiee.hl7").read_bytes()


def bench_validate(count: int) -> dict[str, float]:
    validate_hl7v2(MESSAGE)  # hl7apy's reference tables loaded once
    cold, warm = [], []
    for _ in range(count):
        _datatype_problem.cache_clear()  # every field value seen for the first time
        started = time.perf_counter()
        validate_hl7v2(MESSAGE, wire=True)
        cold.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        validate_hl7v2(MESSAGE, wire=True)  # the same values again: hl7apy's verdicts memoised
        warm.append((time.perf_counter() - started) * 1000)
    return {
        "messages": count,
        "cold_p50_ms": round(statistics.median(cold), 2),
        "warm_p50_ms": round(statistics.median(warm), 2),
    }


def bench_mllp(count: int) -> dict[str, float]:
    latencies = []
    with Hl7v2Simulator(Recorder()) as sim, socket.create_connection(("127.0.0.1", sim.port), timeout=30) as conn:
        decoder = MllpDecoder()
        started = time.perf_counter()
        for number in range(count):
            payload = MESSAGE.replace(b"MSG-A28-0001", f"MSG-{number:06d}".encode())
            t0 = time.perf_counter()
            conn.sendall(frame(payload))
            answers: list[bytes] = []
            while not answers:
                data = conn.recv(65536)
                assert data, "the simulator closed the connection"
                answers = [e.payload for e in decoder.feed(data) if e.kind == "message"]
            assert b"MSA|AA|" in answers[0], answers[0]
            latencies.append((time.perf_counter() - t0) * 1000)
        elapsed = time.perf_counter() - started
        recorded = len(sim.recorder)
    latencies.sort()
    return {
        "messages": count,
        "recorded": recorded,
        "per_second": round(count / elapsed, 1),
        "p50_ms": round(statistics.median(latencies), 2),
        "p95_ms": round(latencies[int(0.95 * (count - 1))], 2),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--messages", type=int, default=200, help="messages per measure (bounded)")
    args = parser.parse_args()
    count = max(1, min(args.messages, 5000))
    print(json.dumps({"validate": bench_validate(count), "mllp": bench_mllp(count)}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
