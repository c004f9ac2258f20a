#!/usr/bin/env python3
"""Set up and run dui-harness from a fresh clone with nothing but python3 (>= 3.11).

    python3 dev.py run    # the whole conformance suite against the bundled reference DUI + report
    python3 dev.py test   # the project's own checks: ruff, mypy (tests included), then the tests in parallel
    python3 dev.py lint   # ruff and mypy only (a few seconds with mypy's cache)

Each command creates ``.venv/`` and installs the project and its dependencies when they are
missing or out of date; ``run`` also installs the Allure report generator (npm package
``allure``) under ``.tools/``. Extra arguments are passed on (``dui-harness run …`` /
``pytest …``). ``test`` runs the lint and type checks first (:data:`CHECKS`) and stops when they fail;
``.ci/run`` is ``dev.py test``.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import venv
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
TOOLS = ROOT / ".tools"
ALLURE_NPM = "allure@3.18.0"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
#: what ruff checks (the whole Python tree)
LINTED = ["harness", "mocks", "reference_dui", "tests", "benchmarks", "dev.py"]
#: the checks ``test`` and ``lint`` run before the tests: (name, arguments of ``python -m``)
CHECKS: list[tuple[str, list[str]]] = [
    ("ruff check", ["ruff", "check", *LINTED]),
    ("mypy (strict: harness, mocks, reference_dui, tests)", ["mypy"]),  # [tool.mypy] of pyproject.toml
]
#: ``ruff format --check`` is one of the checks: the tree is formatted ([tool.ruff.format]); hand-laid tables
#: (the French help catalogue) are fenced with ``# fmt: off`` / ``# fmt: on``
CHECK_FORMAT = True


def say(message: str) -> None:
    print(f"[dev.py] {message}", flush=True)


def run(cmd: list[str], what: str = "", **kwargs: object) -> int:
    """Run ``cmd``; with ``what``, say every 10 s that it is still going (installs are long and quiet)."""
    started = time.monotonic()
    done = threading.Event()

    def heartbeat() -> None:
        while not done.wait(10):
            say(f"{what}… {time.monotonic() - started:.0f} s")

    if what:
        threading.Thread(target=heartbeat, daemon=True).start()
    try:
        result = subprocess.run(cmd, check=False, **kwargs)  # type: ignore[call-overload]
    finally:
        done.set()
    if what:
        say(f"{what}: {'done' if result.returncode == 0 else 'failed'} in {time.monotonic() - started:.0f} s")
    return int(result.returncode)


def run_or_exit(cmd: list[str], what: str = "") -> None:
    code = run(cmd, what)
    if code != 0:
        say(f"command failed ({code}): {' '.join(cmd)}")
        sys.exit(code)


def ensure_venv(extras: str = "test") -> None:
    """``.venv/`` with the project installed (editable), and the optional dependencies ``extras`` (``test``: the
    project's own checks and tests; ``""``: what a run needs, for ``dev.py run``) — installed again when
    ``pyproject.toml`` changed or the extras are missing."""
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py runs on whatever python3 the user has
        sys.exit(f"dui-harness needs Python >= 3.11; this is {sys.version.split()[0]}")
    stamp = VENV / ".dui-harness-install"
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if PYTHON.exists() and extras in installed_extras(stamp, digest):
        return
    uv = installer()
    if not PYTHON.exists():
        say(f"creating the virtual environment {VENV}")
        # without pip when uv installs (ensurepip takes 3-8 s): uv installs pip into it with the project
        venv.EnvBuilder(with_pip=uv is None, clear=True).create(VENV)
    if uv is None and not pip_asked():
        uv = bootstrap_uv()
    target = f"{ROOT}[{extras}]" if extras else str(ROOT)
    if uv is not None:  # parallel downloads and a shared cache: seconds where pip takes a minute
        say(f"installing dui-harness and its dependencies with uv ({uv} pip install -e '{target}')")
        # --compile-bytecode: every module compiled now, in parallel, instead of one by one when the first run
        # imports it (a fresh clone's first run took 60 s instead of 41 s; compiling everything takes ~10 s);
        # pip too, so that the virtual environment has it as a classic one does
        command = [uv, "pip", "install", "--python", str(PYTHON), "--compile-bytecode", *uv_index()]
        if run([*command, "-e", target, "pip"], "installing the Python packages (uv)") == 0:
            record_install(stamp, digest, extras)
            return
        say("uv failed: installing with pip instead")
    if subprocess.call([str(PYTHON), "-m", "pip", "--version"], stdout=subprocess.DEVNULL) != 0:
        run_or_exit([str(PYTHON), "-m", "ensurepip"], "installing pip into the virtual environment")
    # the venv's own pip is recent enough (PEP 660 editable installs): no pip self-upgrade, one download less
    say(f"installing dui-harness and its dependencies (pip install -e '{target}'; 30-90 s the first time)")
    # not --quiet: pip names each package as it collects and installs it
    run_or_exit(
        [
            str(PYTHON),
            "-m",
            "pip",
            "install",
            "--disable-pip-version-check",
            "--progress-bar",
            "off",
            "-e",
            target,
        ],
        "installing the Python packages",
    )
    record_install(stamp, digest, extras)


def installed_extras(stamp: Path, digest: str) -> set[str]:
    """The extras installed for this ``pyproject.toml`` (``""``: the project alone), none when it changed since.
    The stamp holds the digest, then the extras installed with it (a stamp of the digest alone: ``test``)."""
    try:
        lines = stamp.read_text(encoding="ascii").splitlines()
    except (OSError, UnicodeDecodeError):
        return set()
    if not lines or lines[0].strip() != digest:
        return set()
    extras = {extra for line in lines[1:] for extra in line.split()} if len(lines) > 1 else {"test"}
    return {"", *extras}


def record_install(stamp: Path, digest: str, extras: str) -> None:
    stamp.write_text(f"{digest}\n{extras}\n", encoding="ascii")
    say(f"dui-harness is installed; its command: {BIN / 'dui-harness'} (add {BIN} to PATH, or `. {BIN / 'activate'}`)")


#: ``DUI_HARNESS_INSTALLER``: ``uv`` (default: the user's uv, else one bootstrapped into the venv) or ``pip``
INSTALLER_ENV = "DUI_HARNESS_INSTALLER"
#: where a bootstrapped uv lives: the virtual environment's scripts folder
LOCAL_UV = BIN / ("uv.exe" if os.name == "nt" else "uv")


def pip_asked() -> bool:
    """``DUI_HARNESS_INSTALLER=pip``: pip installs everything, no uv."""
    return os.environ.get(INSTALLER_ENV, "uv").strip().lower() == "pip"


def installer() -> str | None:
    """The uv executable that installs the packages: the user's, else one bootstrapped earlier into the venv;
    ``None`` for pip (asked with ``DUI_HARNESS_INSTALLER=pip``, or no uv yet: see :func:`bootstrap_uv`).

    pip resolves the ~80 packages one index page at a time (about a minute on a fresh machine, most of it
    reading index pages); uv (https://github.com/astral-sh/uv, one static binary from PyPI) downloads them in
    parallel into a shared cache (~6 s)."""
    if pip_asked():
        return None
    found = shutil.which("uv")
    if found is not None:
        return found
    return str(LOCAL_UV) if LOCAL_UV.exists() else None


def bootstrap_uv() -> str | None:
    """uv's binary taken from its wheel, downloaded by the user's own pip (``pip download``: its index and
    proxy settings, nothing installed outside ``.venv/``), into the venv's scripts folder; ``None`` when it
    cannot be had (then pip installs everything). ~3 s, where a venv with pip then ``pip install uv`` took 6-13 s."""
    say("bootstrapping the uv installer (pip download uv, one wheel)")
    with tempfile.TemporaryDirectory(prefix="dui-harness-uv-") as folder:
        command = [sys.executable, "-m", "pip", "download", "--disable-pip-version-check", "--progress-bar", "off"]
        command += ["-q", "--no-deps", "--only-binary=:all:", "-d", folder, "uv"]
        if run(command, "downloading uv") != 0:
            say("uv could not be downloaded: pip installs the packages")
            return None
        return unpack_uv(next(Path(folder).glob("uv-*.whl"), None))


def unpack_uv(wheel: Path | None) -> str | None:
    """The ``uv`` executable of ``wheel`` (``uv-<version>.data/scripts/uv``) copied to :data:`LOCAL_UV`."""
    try:
        if wheel is None:
            raise KeyError("no uv wheel")
        with zipfile.ZipFile(wheel) as archive:
            member = next(n for n in archive.namelist() if n.split("/")[-2:] == ["scripts", LOCAL_UV.name])
            LOCAL_UV.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(member) as source, open(LOCAL_UV, "wb") as binary:
                shutil.copyfileobj(source, binary)
    except (OSError, KeyError, StopIteration, zipfile.BadZipFile) as exc:
        say(f"uv could not be unpacked ({exc}): pip installs the packages")
        return None
    LOCAL_UV.chmod(0o755)
    return str(LOCAL_UV)


def uv_index() -> list[str]:
    """pip's own index, when the user replaced PyPI by another one (``PIP_INDEX_URL`` or pip's configuration):
    uv does not read pip's configuration, and must not wait on a PyPI the machine cannot reach."""
    url = os.environ.get("PIP_INDEX_URL", "").strip()
    if not url:
        listing = subprocess.run(
            [sys.executable, "-m", "pip", "config", "list"], capture_output=True, text=True, check=False, timeout=60
        )
        for line in listing.stdout.splitlines():
            key, _, value = line.partition("=")
            if key.strip().endswith(".index-url") and not key.strip().endswith("extra-index-url"):
                url = value.strip().strip("'\"")
    return ["--index-url", url] if url else []


def ensure_allure() -> None:
    if (TOOLS / "node_modules" / ".bin" / "allure").exists():
        return
    npm = shutil.which("npm")
    if npm is None and shutil.which("apt-get") and hasattr(os, "geteuid") and os.geteuid() == 0:
        say("npm not found: installing Debian's nodejs and npm for the Allure report generator")
        subprocess.run(["apt-get", "update", "-qq"], check=False)
        run(["apt-get", "install", "-y", "-qq", "nodejs", "npm"], "installing nodejs and npm")
        npm = shutil.which("npm")
    if npm is None:
        say("npm not found: the Allure results and JUnit file will be written, the HTML report will not")
        return
    say(f"installing the Allure report generator ({ALLURE_NPM}) under {TOOLS} (20-60 s)")
    TOOLS.mkdir(exist_ok=True)
    code = run(
        [npm, "install", "--prefix", str(TOOLS), "--no-audit", "--no-fund", "--loglevel=error", ALLURE_NPM],
        "installing the Allure report generator",
    )
    if code != 0:
        say("the Allure report generator could not be installed; the HTML report will be skipped")


def checks(env: dict[str, str]) -> int:
    """Run :data:`CHECKS` (and ``ruff format --check`` when enabled); 0 when all pass, else the first failure's
    exit code (each check still runs, so that every problem is shown at once)."""
    steps = list(CHECKS)
    if CHECK_FORMAT or env.get("DUI_HARNESS_FORMAT_CHECK") == "1":
        steps.append(("ruff format --check", ["ruff", "format", "--check", *LINTED]))
    failed = 0
    for name, args in steps:
        started = time.monotonic()
        code = subprocess.call([str(PYTHON), "-m", *args], cwd=ROOT, env=env)
        say(f"{name}: {'ok' if code == 0 else f'FAILED ({code})'} in {time.monotonic() - started:.1f} s")
        failed = failed or code
    return failed


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("run", "test", "lint"):
        print(__doc__)
        return 2
    command, rest = argv[0], argv[1:]
    # the Allure generator (npm) installs while pip works: a fresh clone waits for the longer of the two
    allure = threading.Thread(target=ensure_allure, name="allure-install", daemon=True)
    if command == "run":
        allure.start()
    ensure_venv("" if command == "run" else "test")
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    env.pop("PYTHONPATH", None)
    # Python keeps its bytecode (``__pycache__/``, git-ignored; pytest's rewritten test modules too) even where the
    # shell asked it not to: the suite starts hundreds of Python processes, and each one compiling the project's
    # modules and rewriting the suites again cost 0.6-0.9 s of CPU per small run (measured with the variable set)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if command == "run":
        allure.join()
        return subprocess.call([str(BIN / "dui-harness"), "run", *rest], cwd=ROOT, env=env)
    failed = checks(env)
    if command == "lint" or failed:
        if failed:
            say("lint or type checks failed: fix them first (the tests were not run)")
        return failed
    return subprocess.call([str(PYTHON), "-m", "pytest", *test_options(rest), *rest], cwd=ROOT, env=env)


def test_options(rest: list[str]) -> list[str]:
    """pytest-xdist workers (one per core and one more, at least 2: the tests wait on loopback servers as much as they
    compute), whole test files per worker (module fixtures start their simulators once), the longest files
    first (``tests/conftest.py``), the 15 slowest tests listed; not when the caller chose (``-n``,
    ``-p no:xdist``, ``--durations``)."""
    options = []
    if (
        not any(arg == "-n" or arg.startswith(("-n", "--numprocesses", "--dist")) for arg in rest)
        and "no:xdist" not in rest
        and "-p no:xdist" not in " ".join(rest)
    ):
        # one worker more than the cores: a worker waiting on a whole run's scenarios (attended terminal, the
        # installed wheel's run) leaves its core to the others (2 cores: 415 s with 2 workers, 390 s with 3)
        workers = os.environ.get("DUI_HARNESS_TEST_WORKERS") or str(max(2, (os.cpu_count() or 1) + 1))
        # the longest files first (tests/conftest.py FIRST), in that order: not xdist's reordering by test count
        options += ["-n", workers, "--dist", "loadfile", "--no-loadscope-reorder"]
    if not any(arg.startswith("--durations") for arg in rest):
        options.append("--durations=15")
    return options


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
