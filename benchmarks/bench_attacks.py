"""Benchmark: time and memory of the issue-17 attack cases against the simulators, each in a fresh process.

    .venv/bin/python benchmarks/bench_attacks.py [--case NAME]... [--timeout 30] [--json]

Each case starts the simulator it attacks in a child process (plain HTTP on 127.0.0.1), sends
the hostile input with a plain socket or ``requests``, and reports how long the answer took,
what it was, and how much the child's resident memory grew (VmRSS after − before, MB). A case
whose answer does not come within ``--timeout`` seconds is reported as ``no answer``. Only
public APIs that every version of the bench has are used, so the same script measures a
checkout before and after a fix (``PYTHONPATH=<checkout> python benchmarks/bench_attacks.py``).
"""

from __future__ import annotations

import argparse
import json
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import requests

REPO = Path(__file__).resolve().parents[1]


def _rss() -> float:
    for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _http(url: str, body: bytes, ctype: str, timeout: float) -> str:
    answer = requests.post(url, data=body, headers={"Content-Type": ctype}, timeout=timeout)
    return f"{answer.status_code} {answer.content[:90]!r}"


def _imap_line(port: int, line: bytes, timeout: float, then: bytes = b"") -> str:
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        reader = sock.makefile("rb")
        reader.readline()
        sock.sendall(line + b"\r\n")
        if then:
            try:
                for _ in range(len(then) // 65536 + 1):
                    sock.sendall(then[:65536])
            except OSError:
                pass
        try:
            return reader.readline()[:90].decode("latin-1").strip() or "(closed)"
        except OSError as exc:
            return f"(closed: {exc})"


def case(name: str, timeout: float) -> dict[str, Any]:
    from harness.core.recorder import Recorder

    recorder = Recorder()
    if name.startswith("imap"):
        from mocks.mssante import MssSimulator

        sim: Any = MssSimulator(recorder).start()
    elif name.startswith("dmp") or name == "control-400MB":
        from mocks.dmp import DmpSimulator

        sim = DmpSimulator(recorder).start()
    elif name.startswith("fhir"):
        from mocks.fhir import EparcoursSimulator

        sim = EparcoursSimulator(recorder).start()
    else:
        from mocks.insi import InsiSimulator

        sim = InsiSimulator(recorder).start()
    before, started, answer = _rss(), time.perf_counter(), ""
    mtom = 'multipart/related; type="application/xop+xml"; boundary="b0"'
    soap = "application/soap+xml; charset=utf-8"
    if name == "imap-select-&Z":
        answer = _imap_line(sim.imap_port, b'a1 SELECT "&Z"', timeout)
    elif name == "imap-literal-before-login":
        answer = _imap_line(sim.imap_port, b"a1 LOGIN {300000000+}", timeout, then=b"x" * 100_000_000)
    elif name == "imap-search-10k-parens":
        answer = _imap_line(sim.imap_port, b"a1 SEARCH " + b"(" * 10_000 + b"ALL" + b")" * 10_000, timeout)
    elif name == "control-400MB":

        def chunks() -> Any:
            for _ in range(400):
                yield b"x" * 1_000_000

        try:
            reply = requests.post(sim.url + "/_harness/faults", data=chunks(), timeout=timeout)
            answer = f"{reply.status_code} {reply.content[:80]!r}"
        except requests.RequestException as exc:
            answer = f"(error: {type(exc).__name__})"
    elif name == "dmp-1M-parts":
        body = b"".join(b"--b0\r\nContent-ID: <%d>\r\n\r\nA\r\n" % i for i in range(1_000_000)) + b"--b0--\r\n"
        before, started = _rss(), time.perf_counter()
        answer = _http(sim.url + "/dmp/repository", body, mtom, timeout)
    elif name == "dmp-4M-elements":
        body = (
            b"<soap:Envelope xmlns:soap='http://www.w3.org/2003/05/soap-envelope'><soap:Body>"
            + b"<a/>" * 4_000_000
            + b"</soap:Body></soap:Envelope>"
        )
        before, started = _rss(), time.perf_counter()
        answer = _http(sim.url + "/dmp/repository", body, soap, timeout)
    elif name == "dmp-2000-nested-mime":
        body = b"".join(
            f"--b{i}\r\nContent-Type: multipart/related; boundary=b{i + 1}\r\n\r\n".encode() for i in range(2000)
        )
        answer = _http(sim.url + "/dmp/repository", body, mtom, timeout)
    elif name == "dmp-10x30MB":
        body = b"<soap:Envelope xmlns:soap='http://www.w3.org/2003/05/soap-envelope'>" + b" " * 30_000_000
        for _ in range(10):
            answer = _http(sim.url + "/dmp/repository", body, soap, timeout)
    elif name == "fhir-120k-entries":
        body = (
            b'{"resourceType": "Bundle", "type": "transaction", "entry": ['
            + b",".join([b'{"resource": {"resourceType": "Patient"}}'] * 120_000)
            + b"]}"
        )
        before, started = _rss(), time.perf_counter()
        answer = _http(sim.url + "/", body, "application/fhir+json", timeout)
    elif name == "fhir-5000-digit-integer":
        answer = _http(
            sim.url + "/",
            b'{"resourceType": "Bundle", "type": "batch", "n": ' + b"7" * 5000 + b"}",
            "application/fhir+json",
            timeout,
        )
    elif name == "insi-9MB-birth-name":
        from mocks.insi.samples import build_request

        body, other = build_request(birth_name="A" * 9_000_000), {}

        def normal() -> None:
            time.sleep(0.3)
            t0 = time.perf_counter()
            requests.post(sim.endpoint, data=build_request(), headers={"Content-Type": soap}, timeout=timeout)
            other["waited_s"] = round(time.perf_counter() - t0, 2)

        thread = threading.Thread(target=normal)
        before, started = _rss(), time.perf_counter()
        thread.start()
        answer = _http(sim.endpoint, body, soap, timeout)
        thread.join(timeout)
        answer += f"; another client waited {other.get('waited_s', '>timeout')} s"
    elapsed = round(time.perf_counter() - started, 2)
    return {"case": name, "seconds": elapsed, "rss_growth_mb": round(_rss() - before, 1), "answer": answer}


CASES = (
    "imap-select-&Z",
    "imap-literal-before-login",
    "imap-search-10k-parens",
    "control-400MB",
    "dmp-1M-parts",
    "dmp-4M-elements",
    "dmp-2000-nested-mime",
    "dmp-10x30MB",
    "fhir-120k-entries",
    "fhir-5000-digit-integer",
    "insi-9MB-birth-name",
)


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--case", action="append", choices=CASES, help="run only these cases (repeatable)")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for one answer (max 120)")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    timeout = min(max(args.timeout, 1.0), 120.0)
    if args.child:
        try:
            print(json.dumps(case(args.child, timeout)), flush=True)
        except Exception as exc:  # a client-side failure is a result too (e.g. a reset)
            print(
                json.dumps(
                    {
                        "case": args.child,
                        "seconds": None,
                        "rss_growth_mb": None,
                        "answer": f"(client error: {type(exc).__name__}: {str(exc)[:80]})",
                    }
                ),
                flush=True,
            )
        return 0
    results = []
    for name in args.case or CASES:
        try:
            out = subprocess.run(
                [sys.executable, __file__, "--child", name, "--timeout", str(timeout)],
                capture_output=True,
                text=True,
                timeout=timeout * 3 + 30,
                check=False,
            )
            line = out.stdout.strip().splitlines()[-1] if out.stdout.strip() else ""
            results.append(json.loads(line) if line else {"case": name, "answer": f"(crashed: {out.stderr[-120:]})"})
        except subprocess.TimeoutExpired:
            results.append({"case": name, "seconds": None, "rss_growth_mb": None, "answer": "no answer (hung)"})
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        for row in results:
            print(f"{row['case']:<28} {row.get('seconds')!s:>7} s  {row.get('rss_growth_mb')!s:>8} MB  {row['answer']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
