"""Benchmark: the README's first-hour timings — a fresh clone's ``python3 dev.py run``, then a second run.

    python3 benchmarks/bench_setup.py [--repo .] [--keep]

Clones the repository (its committed HEAD) into a temporary folder and times, in that clone,
``python3 dev.py run`` from nothing (virtual environment, pip, npm, the run, the report, the
bundle), then the same command again (everything installed), reading the phases from dev.py's
own lines. Needs the package registries (PyPI, npm); prints JSON. Bounded: two runs, each
stopped after 20 minutes.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PHASE = re.compile(r"\[dev\.py\] (?P<what>[^:…\n]+): done in (?P<seconds>\d+) s")
PYTEST = re.compile(r"(\d+) passed.* in (?P<seconds>[\d.]+)s")


def timed_run(clone: Path) -> dict[str, object]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "dev.py", "run", "-q"],
        cwd=clone,
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )
    total = time.monotonic() - started
    phases = {m.group("what"): int(m.group("seconds")) for m in PHASE.finditer(proc.stdout)}
    suite = PYTEST.search(proc.stdout)
    return {
        "exit": proc.returncode,
        "total_s": round(total, 1),
        "phases_s": phases,
        "suite_s": float(suite.group("seconds")) if suite else None,
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repo", type=Path, default=Path(__file__).resolve().parents[1])
    parser.add_argument("--keep", action="store_true", help="keep the clone")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="dui-harness-setup-"))
    clone = work / "clone"
    try:
        subprocess.run(["git", "clone", "-q", str(args.repo), str(clone)], check=True, timeout=300)
        result = {"cores": os.cpu_count(), "fresh_clone": timed_run(clone), "second_run": timed_run(clone)}
        print(json.dumps(result, indent=2))
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
