"""Run many ``dui-harness run`` invocations fast: import once, then fork one child per run.

Used by ``tests/suites/test_sensitivity.py``. Each child calls the same entry point as the
``dui-harness`` command (``harness.cli.main``) with the same arguments an editor would type;
only the interpreter start and the imports (about two thirds of a small run's CPU time) are
shared, by loading the libraries once in this parent before forking. Children never share a
running bench: each starts its own simulators and reference DUI on free loopback ports.

Jobs sharing a ``chain`` key run one after the other in ONE child, so that what a run builds
lazily and keeps per process is built once for all of them: the runs with the official CDA pack
chain, and pay Saxon's compilation of the structuration minimale XSLT (tens of seconds of CPU;
Saxon-HE cannot save a compiled stylesheet) once instead of once each. Each chained run is still a
whole ``dui-harness run`` with its own reports folder, simulators and reference DUI.

Jobs may carry a ``scope``: ``{"plan": MATRIX, "expected": [ids]}``. Then the ``plans`` jobs
run first (each one a run with every test deselected, whose coverage matrix lists the planned
tests), and the job's run is restricted with ``-k`` to the test modules of its scope
(``tests/suites/sensitivity_scope.py``): the imports stay shared by both stages.

Protocol: a JSON object on stdin ``{"workers": N, "pki": DIR, "pycache": DIR, "plans": [jobs]?,
"jobs": [{"name", "argv", "log", "chain"?, "scope"?}]}``; one JSON line per finished job (plans
included) on stdout ``{"name", "code", "seconds", "cpu"}`` (``cpu``: the CPU seconds of the child,
shared by the jobs of a chain, so given on its first job).
"""

from __future__ import annotations

import gc
import importlib
import importlib.util
import inspect
import itertools
import json
import os
import pkgutil
import sys
import time
from pathlib import Path
from typing import Any

#: third-party modules a run imports anyway (pytest plugins, simulators' servers, crypto)
PRELOAD = (
    "pytest",
    "_pytest.pytester",
    "hypothesis",
    "allure_pytest.plugin",
    "lxml.etree",
    "starlette.applications",
    "uvicorn",
    "httpx",
    "requests",
    "cryptography.x509",
    "joserfc.jwt",
    "signxml",
    "pymap",
    "aiosmtpd.smtp",
    "yaml",
    "anyio._backends._asyncio",
    "uvicorn.protocols.http.h11_impl",
    "uvicorn.lifespan.on",
    "uvicorn.loops.asyncio",
    "platformdirs",
    "_pytest.faulthandler",
    "_pytest.junitxml",
    "_pytest.logging",
    "_pytest.skipping",
    # imported on first use by a run (found by comparing a child's ``sys.modules`` with the parent's): pytest's
    # other built-in and installed plugins, the FHIR models, the HL7 v2.5 reference, the PDF renderers…
    "_pytest._argcomplete",
    "platformdirs.pytest_plugin",
    "anyio.pytest_plugin",
    "faulthandler",
    "uvicorn.protocols.websockets.auto",
    "uvicorn.loops.auto",
    "uvicorn.lifespan.off",
    "cryptography.hazmat.backends.openssl.backend",
    "pydantic",
    "fhir.resources.R4B",
    "hl7apy.v2_5",
    "pypdfium2",
    "zxingcpp",
    "PIL.ImageFile",
    "reportlab.lib.fonts",
    "signxml.xades.schemas",
    "_strptime",
    "getpass",
)
#: the FHIR R4B models the simulators and suites validate against, imported (and built) on first use
FHIR_MODELS = (
    "Address",
    "Attachment",
    "Bundle",
    "Consent",
    "DocumentReference",
    "Encounter",
    "HumanName",
    "MedicationAdministration",
    "Organization",
    "Patient",
    "Period",
    "QuestionnaireResponse",
    "Task",
)
#: first-party packages loaded whole, except the suites' test modules and conftests (pytest imports
#: those itself, with its assertion rewriting)
PACKAGES = ("harness", "mocks", "reference_dui")


def _preload() -> None:
    from _pytest.config import default_plugins

    for name in (*PRELOAD, *(f"_pytest.{plugin}" for plugin in default_plugins)):
        try:
            importlib.import_module(name)
        except ImportError:  # a missing optional module costs its import time in each child only
            continue
    for package in PACKAGES:
        root = importlib.import_module(package)
        for info in pkgutil.walk_packages(root.__path__, f"{package}."):
            leaf = info.name.rsplit(".", 1)[-1]
            if leaf == "__main__" or (".suites." in info.name and (leaf.startswith("test_") or leaf == "conftest")):
                continue
            try:
                importlib.import_module(info.name)
            except Exception:  # optional parts (e.g. a missing extra) load in the child, if at all
                continue


def _warm() -> None:
    """Read once here the read-only data every run loads and keeps per process (cached by the harness
    itself): the requirement catalogs, the official account, the trigger API contract. Then the
    parent's objects are frozen (``gc.freeze``): a child's garbage collections (pytest collects at
    the end of each session) skip them, and do not copy their memory pages."""
    from _pytest.junitxml import bin_xml_escape

    from harness.cli.run import _plugin_args
    from harness.core.dependencies import cached_dependencies
    from harness.core.official import official_section
    from harness.core.requirements import cached_catalog
    from harness.paths import profiles_dir
    from harness.plugin.run_record import environment
    from harness.sut.contract import operation_ids

    cached_dependencies(profiles_dir(), cached_catalog(profiles_dir()))
    official_section({}, profiles_dir())
    operation_ids()
    environment()  # the versions of the test tools a run records (each read scans the installed metadata)
    _plugin_args()
    from reference_dui.mssante.pdf import warm

    warm()  # the font and colour profile of the reference DUI's PDF copies
    try:
        from fhir.resources.R4B import get_fhir_model_class
    except ImportError:
        pass
    else:
        for name in FHIR_MODELS:
            get_fhir_model_class(name)
    # pytest shows a failed test's traceback with its source: the first ``inspect.getmodule`` of a process maps
    # every loaded module's file (a realpath each, ~0.1 s); mapped here once, a child maps only its own imports
    inspect.getmodule(_warm.__code__)
    # and its JUnit writer escapes each report with a large Unicode class, compiled once per process: here, last,
    # so that it is among the newest of the ``re`` module's cache when the children start
    bin_xml_escape("")


def _pool_rsa_keys() -> None:
    """Two 2048-bit RSA keys made once, handed out in turn in each child.

    The PSC simulator makes a fresh signing key per run, and a second one for the forged
    ID token scenario (~0.5 s of CPU each). In the children they come from this pool, in
    turn, so a run's signing key and its rogue key still differ; nothing else in a run
    makes RSA keys.
    """
    try:
        from joserfc.jwk import RSAKey
    except ImportError:
        return
    binding = RSAKey.binding
    original = binding.generate_private_key
    pool = [original(2048), original(2048)]
    turn = itertools.count()

    def pooled(key_size: int) -> Any:
        return pool[next(turn) % len(pool)] if key_size == 2048 else original(key_size)

    binding.generate_private_key = staticmethod(pooled)  # type: ignore[assignment]


def _run_one(argv: list[str], log: str) -> int:
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)
    code = 4
    try:
        from harness.cli import main

        code = main(argv)
    except BaseException as exc:  # the log keeps the traceback; the parent reads the exit code
        import traceback

        traceback.print_exception(exc)
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
    return code


def _child(chain: list[dict[str, Any]]) -> None:
    """Run the chained jobs in turn; each one's exit code and duration go to ``<log>.exit``.

    The child's automatic garbage collections are off (about a tenth of a small run's CPU): it lives for one
    chain, and pytest still collects explicitly at the end of each session, so garbage stays bounded by a run."""
    gc.disable()
    code = 4
    for job in chain:
        started = time.monotonic()
        code = _run_one(job["argv"], job["log"])
        with open(job["log"] + ".exit", "w", encoding="ascii") as out:
            out.write(json.dumps({"code": code, "seconds": round(time.monotonic() - started, 2)}))
    os._exit(code)


def _chains(jobs: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Jobs grouped by their ``chain`` key (a chain starts where its first job stood), others alone."""
    chains: dict[str, list[dict[str, Any]]] = {}
    out: list[list[dict[str, Any]]] = []
    for job in jobs:
        key = job.get("chain")
        if key is None:
            out.append([job])
        elif key in chains:
            chains[key].append(job)
        else:
            chains[key] = [job]
            out.append(chains[key])
    return out


def run(jobs: list[dict[str, Any]], workers: int) -> None:
    pending = _chains(jobs)
    running: dict[int, tuple[list[dict[str, Any]], float]] = {}
    while pending or running:
        while pending and len(running) < workers:
            chain = pending.pop(0)
            pid = os.fork()
            if pid == 0:
                _child(chain)
            running[pid] = (chain, time.monotonic())
        pid, status, usage = os.wait4(-1, 0)
        chain, started = running.pop(pid)
        cpu = round(usage.ru_utime + usage.ru_stime, 2)
        for index, job in enumerate(chain):
            try:
                with open(job["log"] + ".exit", encoding="ascii") as result:
                    done = json.load(result)
            except (OSError, ValueError):  # the child died before this job ended
                done = {"code": os.waitstatus_to_exitcode(status) or 4, "seconds": round(time.monotonic() - started, 2)}
            print(json.dumps({"name": job["name"], **done, "cpu": cpu if index == 0 else 0.0}), flush=True)


def _scope(jobs: list[dict[str, Any]]) -> None:
    """Restrict each job with a ``scope`` to the test modules judging its expected requirements."""
    spec = importlib.util.spec_from_file_location("sensitivity_scope", Path(__file__).with_name("sensitivity_scope.py"))
    if spec is None or spec.loader is None:
        raise ImportError("sensitivity_scope.py")
    scope = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(scope)
    plans: dict[str, Any] = {}
    for job in jobs:
        if "scope" not in job:
            continue
        matrix = job["scope"]["plan"]
        if matrix not in plans:
            plans[matrix] = scope.Plan(json.loads(Path(matrix).read_text(encoding="utf-8")))
        modules = scope.scope_modules(plans[matrix], job["scope"]["expected"])
        job["argv"] += ["-k", scope.scope_keyword(modules)]


def main() -> None:
    request = json.load(sys.stdin)
    if request.get("pycache"):  # pytest's rewritten test modules compiled once, not once per run
        sys.pycache_prefix = request["pycache"]
        sys.dont_write_bytecode = False
    _preload()
    _warm()
    _pool_rsa_keys()
    if request.get("pki"):
        from harness.pki import ensure_pki

        ensure_pki(Path(request["pki"]))
    gc.freeze()
    if request.get("plans"):
        run(request["plans"], int(request.get("workers", 2)))
        _scope(request["jobs"])
    run(request["jobs"], int(request.get("workers", 2)))


if __name__ == "__main__":
    main()
