"""``dui-harness pack check DIR [--json]``: the state of an official CI-SIS artefact pack.

Prints what the pack is (its date: the newest ``dateMaj`` of its value sets), which official
schematrons it can run (the content models' and the cross-cutting profiles), which files the
harness derived for it into its own cache (``X derived from Y``, never written into the pack),
and which files are missing and cannot be repaired, with the schematrons that need them.
Exit codes: 0 every schematron the harness runs by default (structuration minimale, the two
cross-cutting profiles) can run, 1 one of them cannot, 2 not a pack.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from harness.cli import EXIT_NONCONFORMITY, EXIT_OK
from harness.validators.cda.pack import load_pack
from harness.validators.cda.pack_state import SchematronState, pack_date, schematron_state
from harness.validators.cda.selection import DEFAULT_SCHEMATRONS, PROFILES, profile_schematron

__all__ = ["add_parser", "main", "pack_report"]


def add_parser(subparsers: Any) -> None:
    """Register the ``pack`` verb (sub-command ``check``)."""
    parser = subparsers.add_parser(
        "pack",
        help="état d'un paquet d'artefacts CI-SIS / state of a CI-SIS artefact pack",
        description="Vérifie un paquet d'artefacts CI-SIS (TestContenuCDA) / checks a CI-SIS artefact pack: "
        "date, schematrons runnable, files derived, files missing.",
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    check = actions.add_parser("check", help="état du paquet / the pack's state")
    check.add_argument("folder", metavar="DIR", help="the pack folder (TestContenuCDA layout)")
    check.add_argument("--json", action="store_true", help="print the state as JSON")
    parser.set_defaults(handler=main)


def _state_dict(state: SchematronState) -> dict[str, Any]:
    return {
        "schematron": state.relative,
        "runnable": state.runnable,
        "missing": list(state.missing),
        "derived": [{"file": d.missing, "from": d.source, "written": str(d.written)} for d in state.derived],
        "missing_value_sets": list(state.missing_reads),
    }


def pack_report(folder: str) -> dict[str, Any]:
    """The pack's state as the JSON of ``pack check --json``.

    Raises:
        CdaPackError: not a pack folder.
    """
    pack = load_pack(folder)
    tops = sorted(pack.schematrons.glob("CI-SIS_*.sch")) + [profile_schematron(pack, n).path for n in PROFILES]
    states = [schematron_state(pack, path) for path in tops]
    default = {profile_schematron(pack, n).path.resolve() for n in DEFAULT_SCHEMATRONS if n in PROFILES}
    derived = {d.missing: d for s in states for d in s.derived}
    missing: dict[str, list[str]] = {}
    for state in states:
        for file in (*state.missing, *state.missing_reads):
            missing.setdefault(file, []).append(state.relative)
    return {
        "pack": str(pack.root),
        "date": pack_date(pack),
        "version": "date of the newest value set (the pack carries no version number)",
        "schematrons": [_state_dict(s) for s in states],
        "runnable": sum(1 for s in states if s.runnable),
        "not_runnable": [s.relative for s in states if not s.runnable],
        "default_runnable": all(s.runnable for s in states if s.path in default),
        "derived": [{"file": d.missing, "from": d.source, "written": str(d.written)} for d in derived.values()],
        "missing": [{"file": f, "needed_by": sorted(set(n))} for f, n in sorted(missing.items())],
    }


def _text(report: dict[str, Any]) -> str:
    lines = [
        f"Paquet / pack: {report['pack']}",
        f"  date: {report['date'] or 'unknown'} ({report['version']})",
        f"  schématrons exécutables / runnable schematrons: {report['runnable']} of {len(report['schematrons'])}",
    ]
    for state in report["schematrons"]:
        if not state["runnable"]:
            lines.append(
                f"  NOT RUNNABLE  {state['schematron']}: missing {', '.join(state['missing'][:3])}"
                + (f" (+{len(state['missing']) - 3})" if len(state["missing"]) > 3 else "")
            )
    lines.append(f"  fichiers dérivés / files derived: {len(report['derived'])}")
    lines += [f"  DERIVED  {d['file']} derived from {d['from']} -> {d['written']}" for d in report["derived"]]
    lines.append(f"  fichiers absents / files missing (not repairable): {len(report['missing'])}")
    lines += [f"  MISSING  {m['file']}  (needed by {', '.join(m['needed_by'])})" for m in report["missing"]]
    verdict = "OK" if report["default_runnable"] else "INCOMPLETE"
    lines.append(
        f"{verdict}: the default schematrons (structuration minimale, ModelesDeContenusCDA, Modeles_ANS) "
        + ("can run" if report["default_runnable"] else "cannot all run")
    )
    return "\n".join(lines) + "\n"


def main(args: argparse.Namespace) -> int:
    """Print the pack's state."""
    report = pack_report(args.folder)
    sys.stdout.write(json.dumps(report, indent=2, ensure_ascii=False) + "\n" if args.json else _text(report))
    return EXIT_OK if report["default_runnable"] else EXIT_NONCONFORMITY
