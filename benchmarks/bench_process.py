"""Whole commands: a full ``dui-harness run``, ``serve``'s memory under sustained load, a fresh clone's ``dev.py run``.

* ``run_s`` / ``run_peak_rss_mib``: ``python -m harness run --no-report -q`` (the default
  profile against the reference DUI, exit 2 without the CDA pack), wall time and the peak RSS
  of the process (``wait4``), against the CLI's start-up alone (``python -m harness --help``);
* ``serve_rss_mib``: ``dui-harness serve --no-tls`` on free ports, its RSS sampled while
  closed-loop clients send INSi searches and ITI-41 submissions, against its idle RSS just
  after start: a ratio near 1 means memory stays flat (the recorder is bounded by size);
* ``dev_run_fresh_clone_s`` (``--fresh-clone`` only: needs PyPI and npm): a fresh clone's
  ``python3 dev.py run`` against the second run of the same command (everything installed).
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

from benchmarks.common import PYTHON, REPO, Figure, rss_mib


def _hwm_mib(pid: int) -> float:
    """Peak RSS so far of a live process (``VmHWM``: its own, not inherited from this process at fork)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _timed(command: list[str], *, cwd: Path, timeout: float) -> tuple[float, float, int]:
    """(seconds, peak RSS MiB, exit code) of a child process.

    The peak is read from ``/proc/PID/status`` while the child runs (``wait4``'s ``ru_maxrss``
    would count this benchmark's own RSS, which a child inherits at fork on Linux).
    """
    started = time.perf_counter()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline, peak = started + timeout, 0.0
    while proc.poll() is None:
        peak = max(peak, _hwm_mib(proc.pid))
        if time.perf_counter() > deadline:
            proc.kill()
            proc.wait()
            break
        time.sleep(0.05)
    return time.perf_counter() - started, round(peak, 1), int(proc.returncode)


def full_run(*, repeats: int, work: Path) -> dict[str, Figure]:
    runs, starts = [], []
    for index in range(repeats):
        starts.append(_timed([PYTHON, "-m", "harness", "--help"], cwd=REPO, timeout=120))
        reports = work / f"run-{index}"
        runs.append(
            _timed(
                [PYTHON, "-m", "harness", "run", "--no-report", "-q", "--reports", str(reports)], cwd=REPO, timeout=900
            )
        )
    top, base = min(runs), min(starts)
    note = f"exit {top[2]} (2 = partiel without the CDA pack); baseline: python -m harness --help"
    return {
        "run_s": Figure(round(top[0], 2), round(base[0], 2), "s", False, note=note),
        "run_peak_rss_mib": Figure(
            round(max(r[1] for r in runs), 1),
            round(base[1], 1),
            "MiB",
            False,
            note="peak RSS of the run process vs the CLI's start-up",
        ),
    }


def _serve_load(urls: dict[str, str], seconds: float, clients: int) -> int:
    """INSi searches and ITI-41 submissions (unsigned VIHF: ``serve --no-tls``), ``clients`` each, for ``seconds``."""
    from benchmarks.bench_http import insi_maker, iti41_maker
    from benchmarks.http_load import measure

    done: list[int] = []

    def drive(url: str, make: Any, check: Any) -> None:
        done.append(measure(url, clients=clients, seconds=seconds, make=make, check=check, context=None)["ok"])

    threads = [
        threading.Thread(target=drive, args=(urls["insi"], insi_maker(), lambda s, b: s == 200)),
        threading.Thread(target=drive, args=(urls["dmp"], iti41_maker(None), lambda s, b: b"Success" in b)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 120)
    return sum(done)


def serve_memory(*, seconds: float, clients: int, work: Path) -> dict[str, Figure]:
    """``serve``'s RSS at the end of a sustained load against its RSS once warm (after the first half).

    The first half warms ``serve`` up (lazy imports, thread pools, caches: a one-time cost, given
    in the note with the idle RSS); memory is *flat* when the second half adds nothing to it,
    i.e. when the ratio (warm / end) stays near 1.
    """
    from benchmarks.bench_load import _start

    proc, urls = _start("serve", work / "serve")
    try:
        time.sleep(1.0)  # settle after start
        idle = rss_mib(proc.pid)
        samples: list[float] = []
        stop = threading.Event()

        def sample() -> None:
            while not stop.wait(0.25):
                samples.append(rss_mib(proc.pid))

        first = _serve_load(urls, seconds / 2, clients)
        warm = rss_mib(proc.pid)
        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        second = _serve_load(urls, seconds / 2, clients)
        stop.set()
        sampler.join(5)
        end = rss_mib(proc.pid)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
    peak = max([*samples, end])
    growth = (peak - warm) * 1024 / second if second else 0.0
    return {
        "serve_rss_mib": Figure(
            peak,
            warm,
            "MiB",
            False,
            note=f"peak in the second half of {seconds:g} s of load vs once warm; idle "
            f"{idle} MiB; {first}+{second} exchanges; {growth:.1f} kB per exchange "
            f"in the second half",
        )
    }


def fresh_clone(*, work: Path) -> dict[str, Figure]:
    from benchmarks.bench_setup import timed_run

    clone = work / "clone"
    subprocess.run(["git", "clone", "-q", str(REPO), str(clone)], check=True, timeout=300)
    first, second = timed_run(clone), timed_run(clone)
    return {
        "dev_run_fresh_clone_s": Figure(
            first["total_s"],
            second["total_s"],
            "s",
            False,  # type: ignore[arg-type]
            note=f"exit {first['exit']}; baseline: the second run (installed); phases {first['phases_s']}",
        )
    }
