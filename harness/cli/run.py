"""``dui-harness run``: the whole conformance suite against a DUI, with its report.

Defaults: the bundled reference DUI as the system under test, the full default profile,
every simulator started on loopback, output under ``./reports/`` (Allure results and HTML
report, JUnit file, coverage matrix, captured exchanges).
"""

from __future__ import annotations

import argparse
import functools
import gc
import importlib.metadata
import os
import shutil
import signal
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

import pytest

from harness import services
from harness.cli.allure_report import render_report
from harness.cli.bundle import add_signing_options, bundle_reports, describe
from harness.cli.run_checks import cda_pack, check_invocation
from harness.core.official import ENV_VAR as EXIGENCES_ENV_VAR
from harness.core.official import summary_line as official_summary
from harness.core.requirements import Profile
from harness.errors import HarnessError
from harness.evidence.attestations import stage as stage_attestations
from harness.evidence.bundle import RunOutcome
from harness.evidence.history import history_file, keep_history, seed_history
from harness.paths import suites_dir
from harness.plugin import RESULT
from harness.plugin.interrupt import reports_held
from harness.plugin.options import DEFAULT_PROFILE
from harness.plugin.run_record import RunResult
from harness.plugin.writers import STAGING_PREFIX, usage_document

__all__ = ["add_parser", "exit_code", "main", "run_suite"]

OUTPUTS = (
    "allure-results",
    "allure-report",
    "exchanges",
    "junit.xml",
    "coverage-matrix.json",
    "coverage-matrix.csv",
    "reference-dui.sqlite3",
    "run.json",
    "documents",
    "conformity-matrix.html",
    "evidence-bundle.zip",
    "allurerc.json",
    "usage.json",
    "official-coverage.csv",
    "attestations",
    "attended",
)


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "run",
        help="run the conformance suite against a DUI and write the report",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--sut", metavar="URL", help="trigger API of the DUI under test (default: the reference DUI)")
    p.add_argument("--attended", action="store_true", help="attended mode: an operator drives the DUI")
    p.add_argument("--profile", default=DEFAULT_PROFILE, help=f"requirement profile (default: {DEFAULT_PROFILE})")
    p.add_argument("--reports", default="reports", type=Path, help="output folder (default: ./reports)")
    p.add_argument(
        "--defect",
        action="append",
        default=[],
        metavar="NAME",
        help="reference DUI only: switch on a defect (repeatable); see --list-defects",
    )
    p.add_argument("--list-defects", action="store_true", help="list the reference DUI's defect switches")
    p.add_argument("--pki", type=Path, help="test PKI folder (default: <reports>/pki)")
    p.add_argument(
        "--insi-port",
        type=int,
        help=f"fixed INSi simulator port (default {services.get('INS').ports['port']} with --sut)",
    )
    p.add_argument("--no-tls", action="store_true", help="simulators over plain HTTP")
    p.add_argument(
        "--free-ports",
        action="store_true",
        help="with --sut: every simulator on a free port, pushed to the DUI by PUT /config/endpoints",
    )
    p.add_argument(
        "--cda-pack",
        type=Path,
        metavar="DIR",
        help="official CI-SIS artefact pack (XSD, schematrons, value sets) for the CDA checks; "
        "default: $DUI_HARNESS_CDA_PACK, else the embedded rules only",
    )
    p.add_argument(
        "--schematron-engine",
        choices=("harness", "ans"),
        help="compilation des schématrons officiels du paquet : compilateur du projet (défaut) ou chaîne ANS "
        "du paquet (schematrons/moteur/) / how the pack's official schematrons are compiled: the project's "
        "compiler (default) or the pack's ANS pipeline; default: $DUI_HARNESS_SCHEMATRON_ENGINE",
    )
    p.add_argument(
        "--xds-schemas",
        type=Path,
        metavar="DIR",
        help="folder with the public IHE XDS.b and OASIS ebRS 3.0 schemas: every DMP request is also "
        "validated against them",
    )
    p.add_argument(
        "--exigences",
        type=Path,
        metavar="PATH",
        help="copy of the ANS Ségur base (folder with exigences.csv): official texts in the conformity "
        "matrix; default: $DUI_HARNESS_EXIGENCES, else the project's summaries only",
    )
    p.add_argument("--no-report", action="store_true", help="skip rendering the Allure HTML report")
    p.add_argument("--no-bundle", action="store_true", help="skip the signed evidence bundle")
    p.add_argument(
        "--bundle-out", type=Path, metavar="FILE", help="evidence bundle file (default <reports>/evidence-bundle.zip)"
    )
    p.add_argument(
        "--history",
        type=Path,
        metavar="PREVIOUS",
        help="previous reports folder, Allure report or bundle: carry its Allure history/trend",
    )
    add_signing_options(p)
    p.add_argument("-k", dest="keyword", help="only tests matching this pytest -k expression")
    p.add_argument("-q", "--quiet", action="store_true", help="less output")
    p.set_defaults(handler=main)


@functools.cache
def _plugin_args() -> tuple[str, ...]:
    """``-p harness.plugin`` unless the installed package declares the plugin (looked up once per process)."""
    names = {ep.name for ep in importlib.metadata.entry_points(group="pytest11")}
    return () if "dui_harness" in names else ("-p", "harness.plugin")


class _Collector:
    """A small pytest plugin handing the session's :class:`RunResult` to ``run`` (in-process, no file).

    It also keeps the garbage collector off the run's long-lived objects: once the first test is set up (the
    simulators and the DUI started, every module loaded), they are frozen (``gc.freeze``) until the outputs
    and the bundle are written, so each collection walks the run's new objects only (a default run spent 2.3 s
    of its ~16 s of CPU in collections, 0.7 s with them frozen). Not when something else froze objects before
    (the sensitivity runner's forked children): their unfreezing is not the run's to do."""

    def __init__(self) -> None:
        self.result: RunResult | None = None
        self.frozen: bool | None = None  # None: not decided yet

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> Any:
        try:
            return (yield)
        finally:
            if self.frozen is None:
                self.frozen = gc.get_freeze_count() == 0
                if self.frozen:
                    gc.freeze()

    @pytest.hookimpl(trylast=True)
    def pytest_unconfigure(self, config: pytest.Config) -> None:
        self.result = config.stash.get(RESULT, None)

    def thaw(self) -> None:
        """The run's objects go back to the collector (its simulators and DUI are stopped by now): called once
        the outputs and the bundle are written, for a caller that goes on in the same process."""
        if self.frozen:
            gc.unfreeze()
            self.frozen = False


def _argv(args: argparse.Namespace, staging: Path, pki: Path) -> list[str]:
    suites = suites_dir()
    argv = [
        str(suites),
        "-c",
        str(suites / "pytest.ini"),
        "--rootdir",
        str(suites),
        "--alluredir",
        str(staging / "allure-results"),
        "--junitxml",
        str(staging / "junit.xml"),
        "--dui-profile",
        args.profile,
        "--dui-reports",
        str(staging),
        "--dui-pki",
        str(pki),
        "-o",
        "junit_family=xunit2",
        *_plugin_args(),
    ]
    if args.sut:
        argv += ["--dui-sut", args.sut]
    if args.attended:
        argv += ["--dui-attended", "-s"]
    for defect in args.defect:
        argv += ["--dui-defect", defect]
    pack = cda_pack(args)
    if pack is not None:
        argv += ["--dui-cda-pack", str(pack.resolve())]
    if args.schematron_engine is not None:
        argv += ["--dui-schematron-engine", args.schematron_engine]
    if args.xds_schemas is not None:
        argv += ["--dui-xds-schemas", str(args.xds_schemas.resolve())]
    if args.insi_port is not None:
        argv += ["--dui-insi-port", str(args.insi_port)]
    if args.no_tls:
        argv.append("--dui-no-tls")
    if args.free_ports:
        argv.append("--dui-free-ports")
    if args.keyword:
        argv += ["-k", args.keyword]
    argv += ["-q", "-rN", "--tb=short"] if args.quiet else ["-v", "-rfE", "--tb=short"]
    return argv


def _remove(target: Path) -> None:
    if target.is_dir():
        shutil.rmtree(target)
    elif target.exists():
        target.unlink()


def _swap(staging: Path, reports: Path) -> None:
    """Replace the previous outputs of ``reports`` by those of the run that just ended (same file system):
    every output of an earlier run goes (none stays stale beside the new ones), then the new ones move up."""
    for name in OUTPUTS:
        _remove(reports / name)
    for entry in staging.iterdir():
        _remove(reports / entry.name)
        entry.replace(reports / entry.name)
    staging.rmdir()


def run_suite(args: argparse.Namespace, collector: _Collector | None = None) -> tuple[int, RunResult | None]:
    """Run pytest in-process on the shipped suites, in a fresh staging folder under ``--reports``.

    The previous outputs are replaced only when the session has produced a result; a session
    that could not start (no result) leaves them untouched. Returns pytest's exit code and the
    run's result.
    """
    reports: Path = args.reports.resolve()
    reports.mkdir(parents=True, exist_ok=True)
    if getattr(args, "exigences", None):  # checked by check_invocation; read by the plugin in-process
        os.environ[EXIGENCES_ENV_VAR] = str(args.exigences.resolve())
    staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=reports))
    collector = collector or _Collector()
    try:
        if getattr(args, "attestations", None):  # before the run: the matrix shows them as declared
            stage_attestations(args.attestations, staging)
        code = int(pytest.main(_argv(args, staging, (args.pki or reports / "pki").resolve()), plugins=[collector]))
    except BaseException as exc:
        if collector.result is None:  # the session never wrote its result: nothing of it is kept
            shutil.rmtree(staging, ignore_errors=True)
            raise
        # a second Ctrl-C, or a fault, once the session had written its result: what was observed is kept
        # (an exception after a Ctrl-C is the interruption's: Python may raise it even from its compiler)
        interrupted = isinstance(exc, KeyboardInterrupt) or collector.result.interrupted
        code = pytest.ExitCode.INTERRUPTED if interrupted else pytest.ExitCode.INTERNAL_ERROR
        if not isinstance(exc, KeyboardInterrupt):
            sys.stderr.write(
                f"dui-harness: {'interruption' if interrupted else 'erreur du banc / harness error'} après la session, "
                f"résultats gardés / after the session, results kept: {type(exc).__name__}: {str(exc)[:2000]}\n"
            )
    if collector.result is None:
        shutil.rmtree(staging, ignore_errors=True)
        return code, None
    _swap(staging, reports)
    return code, collector.result


def exit_code(pytest_code: int, result: RunResult | None) -> int:
    """The documented exit code of a run (README, "Exit codes").

    3 the DUI was unreachable; 4 a harness error; 1 a non-conformity observed (even in a partial
    run); 2 the run is partial or not everything could be judged (tests deselected or not run,
    interrupted, a MUST requirement skipped, blocked or not covered); 0 CONFORME.
    """
    if result is None:
        return 2 if pytest_code in (2, 4, 5) else 4
    counts = result.matrix.counts()
    if counts.get("unreachable"):
        return 3
    if counts.get("error") or pytest_code == 3:
        return 4
    if result.overall.failed:  # a MUST requirement failed (a SHOULD not followed is no non-conformity)
        return 1
    if result.overall.verdict != "conforme":
        return 2
    return 0


def _summary(profile: Profile, result: RunResult | None) -> None:
    print()
    print(f"dui-harness — profil {profile.label} ({profile.title})")
    if result is None:
        print("  aucun résultat : la session n'a pas pu démarrer / no result: the session could not start")
        return
    print(f"  VERDICT DUI: {result.overall.label()}")
    done = result.completeness()
    if result.interrupted:
        print("  exécution interrompue / run interrupted (Ctrl-C): résultat partiel / partial result")
    if result.stopped:
        print(f"  exécution arrêtée / run stopped: {result.stopped}")
    print(
        f"  tests: {done['ran']}/{done['planned']} exécutés / ran"
        + (f" — PARTIEL / PARTIAL: {'; '.join(result.matrix.partial_reasons)}" if result.partial else "")
    )
    counts = ", ".join(f"{v} {k}" for k, v in sorted(result.matrix.counts().items()))
    print(f"  exigences / requirements: {counts}")
    for row in result.matrix.rows:
        if row.verdict == "blocked" and row.blocked_by:
            print(f"  BLOQUÉE / BLOCKED {row.id} par / by {', '.join(row.blocked_by)}")
    for row in result.matrix.uncovered_must():
        print(f"  MUST non couverte / not covered: {row.id}")
    official = official_summary(result.matrix.official())
    if official:
        print(f"  {official}")


def _write_outputs(args: argparse.Namespace, profile: Profile, result: RunResult | None) -> None:
    """The summary, the Allure report and the evidence bundle of a finished session."""
    reports: Path = args.reports.resolve()
    seeded = seed_history(args.history, reports / "allure-results") if args.history is not None and result else []
    _summary(profile, result)
    if result is not None and not args.no_report and (reports / "allure-results").is_dir():
        ok, message = render_report(
            reports / "allure-results",
            reports / "allure-report",
            title=f"dui-harness — {profile.title} ({profile.label})",
            history=history_file(reports / "allure-results"),
        )
        if ok:
            keep_history(reports / "allure-results", reports / "allure-report")
        print(f"  rapport Allure / Allure report: {message}" if ok else f"  {message}")
        if ok:
            print(f"      ouvrir / open: dui-harness report {args.reports}  (ou / or {Path(message).as_uri()})")
        if seeded:
            print(f"  historique repris / history carried from {args.history}")
    print(f"  résultats Allure / Allure results: {reports / 'allure-results'}")
    print(f"  JUnit: {reports / 'junit.xml'}")
    print(f"  matrice de couverture / coverage matrix: {reports / 'coverage-matrix.json'} (+ .csv)")
    print(f"  échanges capturés / captured exchanges: {reports / 'exchanges'}")
    if not args.no_bundle and result is not None:
        try:
            outcome = RunOutcome(result.matrix.as_dict(), result.run_record(), usage_document(result))
            bundle = bundle_reports(args, reports, args.bundle_out, outcome=outcome)
        except HarnessError as exc:  # the run's verdicts stand; say why there is no bundle
            print(f"  dossier de preuves non écrit / evidence bundle not written: {exc}")
        else:
            print(describe(bundle))
            print(f"  matrice de conformité / conformity matrix: {reports / 'conformity-matrix.html'}")


def main(args: argparse.Namespace) -> int:
    if args.list_defects:
        from reference_dui import DEFECTS

        for name, description in DEFECTS.items():
            print(f"{name:<28} {description}")
        return 0
    profile = check_invocation(args)  # before anything is touched: one line and exit 2 (3: DUI unreachable)
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.default_int_handler)  # Ctrl-C even when started in the background
    collector = _Collector()
    try:
        with reports_held():  # Ctrl-C once the tests have ended: acknowledged, the bundle is still written
            code, result = run_suite(args, collector)
            _write_outputs(args, profile, result)
    finally:
        collector.thaw()
    final = exit_code(code, result)
    if final == 2 and result is not None:
        counts = result.matrix.counts()
        if not counts.get("pass") and not counts.get("fail"):
            print("  aucune exigence n'a pu être jugée / no requirement could be judged: exit 2")
        else:
            print(
                "  code de sortie 2 : exécution partielle ou exigences non jugées / exit code 2: partial run or "
                "requirements not judged"
            )
    return final
