"""``dui-harness run``: the whole conformance suite against a DUI, with its report.

Defaults: the bundled reference DUI as the system under test, the full default profile,
every simulator started on loopback, output under ``./reports/`` (Allure results and HTML
report, JUnit file, coverage matrix, captured exchanges).
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from harness import services
from harness.cli.allure_report import render_report
from harness.cli.bundle import add_signing_options, bundle_reports, describe
from harness.core.requirements import load_profile
from harness.errors import HarnessError, UsageError
from harness.evidence.history import history_file, keep_history, seed_history
from harness.paths import profiles_dir, suites_dir
from harness.plugin.options import DEFAULT_PROFILE
from harness.validators.cda.pack import ENV_VAR as PACK_ENV_VAR
from harness.validators.cda.pack import load_pack

__all__ = ["add_parser", "main", "run_suite"]

OUTPUTS = ("allure-results", "allure-report", "exchanges", "junit.xml", "coverage-matrix.json",
           "coverage-matrix.csv", "reference-dui.sqlite3", "run.json", "documents", "conformity-matrix.html",
           "evidence-bundle.zip", "allurerc.json", "usage.json")


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser("run", help="run the conformance suite against a DUI and write the report",
                              description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sut", metavar="URL", help="trigger API of the DUI under test (default: the reference DUI)")
    p.add_argument("--attended", action="store_true", help="attended mode: an operator drives the DUI")
    p.add_argument("--profile", default=DEFAULT_PROFILE, help=f"requirement profile (default: {DEFAULT_PROFILE})")
    p.add_argument("--reports", default="reports", type=Path, help="output folder (default: ./reports)")
    p.add_argument("--defect", action="append", default=[], metavar="NAME",
                   help="reference DUI only: switch on a defect (repeatable); see --list-defects")
    p.add_argument("--list-defects", action="store_true", help="list the reference DUI's defect switches")
    p.add_argument("--pki", type=Path, help="test PKI folder (default: <reports>/pki)")
    p.add_argument("--insi-port", type=int,
                   help=f"fixed INSi simulator port (default {services.get('INS').ports['port']} with --sut)")
    p.add_argument("--no-tls", action="store_true", help="simulators over plain HTTP")
    p.add_argument("--free-ports", action="store_true",
                   help="with --sut: every simulator on a free port, pushed to the DUI by PUT /config/endpoints")
    p.add_argument("--cda-pack", type=Path, metavar="DIR",
                   help="official CI-SIS artefact pack (XSD, schematrons, value sets) for the CDA checks; "
                        "default: $DUI_HARNESS_CDA_PACK, else the embedded rules only")
    p.add_argument("--no-report", action="store_true", help="skip rendering the Allure HTML report")
    p.add_argument("--no-bundle", action="store_true", help="skip the signed evidence bundle")
    p.add_argument("--bundle-out", type=Path, metavar="FILE",
                   help="evidence bundle file (default <reports>/evidence-bundle.zip)")
    p.add_argument("--history", type=Path, metavar="PREVIOUS",
                   help="previous reports folder, Allure report or bundle: carry its Allure history/trend")
    add_signing_options(p)
    p.add_argument("-k", dest="keyword", help="only tests matching this pytest -k expression")
    p.add_argument("-q", "--quiet", action="store_true", help="less output")
    p.set_defaults(handler=main)


def _clean(reports: Path) -> None:
    for name in OUTPUTS:
        target = reports / name
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()


def _plugin_args() -> list[str]:
    names = {ep.name for ep in importlib.metadata.entry_points(group="pytest11")}
    return [] if "dui_harness" in names else ["-p", "harness.plugin"]


def run_suite(args: argparse.Namespace) -> tuple[int, dict[str, Any] | None]:
    """Run pytest on the shipped suites; returns pytest's exit code and the coverage matrix."""
    reports: Path = args.reports.resolve()
    reports.mkdir(parents=True, exist_ok=True)
    _clean(reports)
    pack = getattr(args, "cda_pack", None) or (Path(os.environ[PACK_ENV_VAR]) if os.environ.get(PACK_ENV_VAR, "")
                                                 .strip() else None)  # the variable: the option's default only
    if pack is not None:
        load_pack(pack)  # a wrong folder is a usage error now, not 50 skipped checks later
    suites = suites_dir()
    argv = [
        str(suites), "-c", str(suites / "pytest.ini"), "--rootdir", str(suites),
        "--alluredir", str(reports / "allure-results"), "--junitxml", str(reports / "junit.xml"),
        "--dui-profile", args.profile, "--dui-reports", str(reports), "-o", "junit_family=xunit2",
        *_plugin_args(),
    ]
    if args.sut:
        argv += ["--dui-sut", args.sut]
    if args.attended:
        argv += ["--dui-attended", "-s"]
    for defect in args.defect:
        argv += ["--dui-defect", defect]
    if pack is not None:
        argv += ["--dui-cda-pack", str(pack.resolve())]
    if args.pki:
        argv += ["--dui-pki", str(args.pki)]
    if args.insi_port is not None:
        argv += ["--dui-insi-port", str(args.insi_port)]
    if args.no_tls:
        argv.append("--dui-no-tls")
    if args.free_ports:
        argv.append("--dui-free-ports")
    if args.keyword:
        argv += ["-k", args.keyword]
    argv += ["-q", "-rN", "--tb=short"] if args.quiet else ["-v", "-rfE", "--tb=short"]
    code = int(pytest.main(argv))
    matrix_path = reports / "coverage-matrix.json"
    matrix = json.loads(matrix_path.read_text(encoding="utf-8")) if matrix_path.exists() else None
    return code, matrix


def _exit_code(pytest_code: int, matrix: dict[str, Any] | None) -> int:
    if pytest_code in (2, 4, 5) or matrix is None:
        return 2 if pytest_code in (4, 5) else 4
    counts = matrix.get("counts", {})
    if counts.get("unreachable"):
        return 3
    if counts.get("error") or pytest_code == 3:
        return 4
    if counts.get("fail") or counts.get("blocked"):
        return 1
    if counts.get("skip") and not counts.get("pass"):
        return 2  # nothing could be judged: every check lacked its input (e.g. no operator answered)
    if pytest_code == 1 and not counts.get("skip"):
        return 1  # a failure outside the verdicts (skips come through pytest as setup errors)
    return 0


def main(args: argparse.Namespace) -> int:
    if args.list_defects:
        from reference_dui import DEFECTS

        for name, description in DEFECTS.items():
            print(f"{name:<28} {description}")
        return 0
    profile = load_profile(profiles_dir(), args.profile)
    if args.defect:
        if args.sut or args.attended:
            raise UsageError("--defect switches the bundled reference DUI only; drop --sut / --attended")
        from reference_dui import DEFECTS

        unknown = [d for d in args.defect if d not in DEFECTS]
        if unknown:
            raise UsageError(f"unknown defect {', '.join(unknown)}; known: {', '.join(DEFECTS)}",
                             tip="dui-harness run --list-defects")
    if args.history is not None and not args.history.exists():
        raise UsageError(f"--history {args.history}: no such reports folder, Allure report or bundle")
    code, matrix = run_suite(args)
    reports: Path = args.reports.resolve()
    seeded = seed_history(args.history, reports / "allure-results") if args.history is not None else []
    print()
    print(f"dui-harness — profil {profile.label} ({profile.title})")
    if matrix:
        counts = ", ".join(f"{v} {k}" for k, v in sorted(matrix["counts"].items()))
        print(f"  exigences / requirements: {counts}")
        for req in matrix["uncovered_must"]:
            print(f"  MUST non couverte / not covered: {req}")
    if not args.no_report and (reports / "allure-results").is_dir():
        ok, message = render_report(reports / "allure-results", reports / "allure-report",
                                    title=f"dui-harness — {profile.title} ({profile.label})",
                                    history=history_file(reports / "allure-results"))
        if ok:
            keep_history(reports / "allure-results", reports / "allure-report")
        print(f"  rapport Allure / Allure report: {message}" if ok else f"  {message}")
        if seeded:
            print(f"  historique repris / history carried from {args.history}")
    print(f"  résultats Allure / Allure results: {reports / 'allure-results'}")
    print(f"  JUnit: {reports / 'junit.xml'}")
    print(f"  matrice de couverture / coverage matrix: {reports / 'coverage-matrix.json'} (+ .csv)")
    print(f"  échanges capturés / captured exchanges: {reports / 'exchanges'}")
    if matrix and matrix["counts"].get("skip") and not matrix["counts"].get("pass"):
        print("  aucune exigence n'a pu être jugée (entrées manquantes) / no requirement could be judged "
              "(inputs missing): exit 2")
    if not args.no_bundle and matrix is not None:
        try:
            result = bundle_reports(args, reports, args.bundle_out)
        except HarnessError as exc:  # the run's verdicts stand; say why there is no bundle
            print(f"  dossier de preuves non écrit / evidence bundle not written: {exc}")
        else:
            print(describe(result))
            print(f"  matrice de conformité / conformity matrix: {reports / 'conformity-matrix.html'}")
    return _exit_code(code, matrix)
