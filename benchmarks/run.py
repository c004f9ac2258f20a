"""Every benchmark, each figure beside a baseline measured in the same run, and their ratio.

    python3 benchmarks/run.py [--json] [--quick] [--only http,smtp,cda,run,serve] [--fresh-clone]

Figures (best of ``--repeats``, 3 by default: the machine may be shared and noisy; a baseline and
its subject alternate so that both see the same load):

* ``insi_*``, ``dmp_iti41_*``: requests/s, p50/p99 and server CPU per request at 1/16/64 clients,
  against a trivial app on the same server class and mutual TLS settings (``bench_http.py``);
* ``smtp_c8_*``: MSSanté SMTP messages/s against aiosmtpd's bare handler, the same message each time, and
  ``smtp_c8_distinct_*`` with a distinct archive in each message (``bench_smtp.py``);
* ``cda_*``: CDA validation per document against the ANS route, Java + Saxon-HE + the pack's
  ``schematrons/moteur/`` (``bench_cda_route.py``; skipped with a note when absent);
* ``run_*``, ``serve_rss_mib``, ``dev_run_fresh_clone_s``: whole commands (``bench_process.py``).

A ratio above 1 is better than the baseline (value/baseline for a rate, baseline/value for a
duration or a size). ``target`` is the ratio issue 18 asks for, where it sets one. Every
benchmark is bounded in time, on 127.0.0.1, on free ports, in a temporary folder. JSON:
``{"<name>": {"value", "baseline", "ratio", "unit", "note"?, "target"?}}`` on stdout (the load
average and the date go to stderr). ``--quick`` is a smoke run for the tests (tiny windows,
no full run, no Java); its numbers mean nothing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks.common import Figure, load_average  # noqa: E402

GROUPS = ("http", "smtp", "cda", "run", "serve")
#: the ratio each figure must reach (issue 18), where one is set
TARGETS = {
    "dmp_iti41_c16_per_second": 0.25,
    "insi_c16_per_second": 0.5,
    "insi_c64_per_second": 0.5,
    "smtp_c8_messages_per_second": 0.6,
    "smtp_c8_distinct_messages_per_second": 0.6,
    "cda_warm_model_ms": 20.0,
    "serve_rss_mib": 0.9,
}
#: absolute bounds (value, not ratio)
LIMITS = {"dmp_iti41_c16_p99_ms": 50.0, "dmp_iti41_lost": 0.0, "dev_run_fresh_clone_s": 30.0}


def collect(args: argparse.Namespace, work: Path) -> dict[str, Figure]:
    from benchmarks import bench_cda_route, bench_http, bench_process, bench_smtp

    quick = args.quick
    seconds = args.seconds or (0.2 if quick else 2.0)
    repeats = args.repeats or (1 if quick else 3)
    steps: dict[str, Callable[[], dict[str, Figure]]] = {
        "http": lambda: bench_http.run(
            seconds=seconds, repeats=repeats, levels=(2,) if quick else (1, 16, 64), work=work
        ),
        "smtp": lambda: bench_smtp.run(seconds=seconds, repeats=repeats, clients=2 if quick else 8, work=work),
        "cda": lambda: bench_cda_route.run(repeats=repeats, quick=quick, work=work),
        "run": lambda: bench_process.full_run(repeats=repeats, work=work),
        "serve": lambda: bench_process.serve_memory(
            seconds=1.0 if quick else 20.0, clients=2 if quick else 8, work=work
        ),
    }
    chosen = [g for g in (args.only.split(",") if args.only else GROUPS) if g]
    if quick and not args.only:
        chosen = ["http", "smtp", "serve"]  # the full run and the Java route take minutes
    figures: dict[str, Figure] = {}
    for group in chosen:
        if group not in steps:
            raise SystemExit(f"unknown benchmark group {group!r} (known: {', '.join(GROUPS)})")
        print(f"[bench] {group}…", file=sys.stderr, flush=True)
        figures.update(steps[group]())
    if args.fresh_clone:
        print("[bench] fresh clone (dev.py run twice)…", file=sys.stderr, flush=True)
        figures.update(bench_process.fresh_clone(work=work))
    return figures


def as_json(figures: dict[str, Figure]) -> dict[str, dict[str, object]]:
    out = {}
    for name, figure in figures.items():
        entry = figure.as_json()
        if name in TARGETS:
            entry["target"] = TARGETS[name]
        elif name in LIMITS:
            entry["limit"] = LIMITS[name]
        out[name] = entry
    return out


def verdict(name: str, figure: Figure) -> str:
    if name in TARGETS and figure.ratio is not None:
        return "ok" if figure.ratio >= TARGETS[name] else f"< {TARGETS[name]}"
    if name in LIMITS and figure.value is not None:
        return "ok" if figure.value <= LIMITS[name] else f"> {LIMITS[name]}"
    return ""


def table(figures: dict[str, Figure]) -> str:
    lines = [f"{'figure':<32} {'value':>10} {'baseline':>10} {'ratio':>8} {'unit':<11} {'target':<8} note"]
    for name, f in figures.items():
        ratio = "—" if f.ratio is None else f"{f.ratio:.3g}"
        value = "—" if f.value is None else f"{f.value:g}"
        base = "—" if f.baseline is None else f"{f.baseline:g}"
        lines.append(f"{name:<32} {value:>10} {base:>10} {ratio:>8} {f.unit:<11} {verdict(name, f):<8} {f.note}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--json", action="store_true", help="figures as JSON on stdout")
    parser.add_argument("--quick", action="store_true", help="a smoke run (tiny windows; numbers mean nothing)")
    parser.add_argument("--only", default="", help=f"comma-separated groups among {', '.join(GROUPS)}")
    parser.add_argument("--fresh-clone", action="store_true", help="also time a fresh clone's dev.py run (slow)")
    parser.add_argument("--seconds", type=float, default=0.0, help="measured window of each load step (max 30)")
    parser.add_argument("--repeats", type=int, default=0, help="repetitions, the best kept (max 5)")
    args = parser.parse_args(argv)
    args.seconds = min(max(args.seconds, 0.0), 30.0)
    args.repeats = min(max(args.repeats, 0), 5)
    before = load_average()
    started = dt.datetime.now(dt.UTC)
    with tempfile.TemporaryDirectory(prefix="dui-harness-bench-") as tmp:
        figures = collect(args, Path(tmp))
    after = load_average()
    meta = (
        f"{started:%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, load average {before[0]:.1f} at the start, "
        f"{after[0]:.1f} at the end (1 min)"
    )
    if args.json:
        print(json.dumps(as_json(figures), indent=2))
        print(meta, file=sys.stderr)
    else:
        print(meta)
        print(table(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
