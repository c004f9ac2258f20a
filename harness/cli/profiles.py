"""``dui-harness profiles``: list the requirement profiles, show one, or check every data file.

* ``profiles``: name, version, title and requirement count per service of each profile;
* ``profiles --show NAME[@VERSION]``: that profile's requirements;
* ``profiles --check``: load every catalog and profile; exit 2 with ``file:line`` on a defect.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from harness.cli import EXIT_OK, EXIT_USAGE, print_error
from harness.core.dependencies import DEPENDENCIES_FILE, load_dependencies
from harness.core.official import account_path, check_catalog, load_account
from harness.core.requirements import Catalog, Profile, list_profiles, load_catalog, load_profile
from harness.errors import ProfileError, UsageError
from harness.paths import profiles_dir

__all__ = ["add_parser", "main"]


def add_parser(subparsers: Any) -> None:
    """Register the ``profiles`` verb."""
    parser = subparsers.add_parser(
        "profiles",
        help="lister, afficher, vérifier les profils / list, show or check requirement profiles",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--show", metavar="NAME[@VERSION]", help="show the requirements of one profile")
    mode.add_argument("--check", action="store_true", help="check every catalog and profile file")
    parser.add_argument("--json", action="store_true", help="print JSON (list and --show)")
    parser.add_argument(
        "--profiles-dir",
        type=Path,
        default=None,
        metavar="DIR",
        help="profiles folder (default: the one shipped with dui-harness)",
    )
    parser.set_defaults(handler=main)


def main(args: argparse.Namespace) -> int:
    """List, show or check the profiles of ``args.profiles_dir``."""
    root: Path = args.profiles_dir or profiles_dir()
    if not root.is_dir():
        raise UsageError(
            f"{root}: dossier de profils introuvable / no such profiles folder",
            tip="dui-harness profiles --profiles-dir DIR",
        )
    if args.check:
        return _check(root)
    catalog = load_catalog(root)
    if args.show:
        profile = load_profile(root, args.show, catalog)
        _emit(_profile_dict(profile, full=True) if args.json else _render_profile(profile), args.json)
        return EXIT_OK
    profiles = [load_profile(root, str(path), catalog) for _, _, path in list_profiles(root)]
    if args.json:
        _emit({"profiles": [_profile_dict(p, full=False) for p in profiles]}, True)
    else:
        _emit(_render_list(profiles), False)
    return EXIT_OK


def _check(root: Path) -> int:
    try:
        catalog = load_catalog(root)
    except ProfileError as exc:
        print_error(exc)
        return EXIT_USAGE
    files = sorted(p for p in (root / "catalog").glob("*.csv") if p.name != "dependencies.csv")
    lines = [f"OK  catalog: {len(catalog)} requirements in {len(files)} file(s) under {root / 'catalog'}"]
    failed = 0
    try:
        dependencies = load_dependencies(root, catalog)
    except ProfileError as exc:
        print_error(exc)
        failed += 1
    else:
        lines.append(f"OK  dependencies: {len(dependencies)} ({root / DEPENDENCIES_FILE})")
    for name, version, path in list_profiles(root):
        try:
            profile = load_profile(root, str(path), catalog)
        except ProfileError as exc:
            print_error(exc)
            failed += 1
            continue
        lines.append(f"OK  profile {name}@{version}: {len(profile.requirements)} requirements ({path})")
    failed += _check_account(root, catalog, lines)
    sys.stdout.write("\n".join(lines) + "\n")
    return EXIT_USAGE if failed else EXIT_OK


def _check_account(root: Path, catalog: Catalog, lines: list[str]) -> int:
    """The official account agrees with the catalog (official ids, levels): 0, else 1 after printing why."""
    if not account_path(root).is_file():
        return 0
    try:
        account = load_account(root)
    except ProfileError as exc:
        print_error(exc)
        return 1
    problems = check_catalog(account, catalog)
    for problem in problems:
        sys.stderr.write(f"dui-harness: {account.path}: {problem}\n")
    counts = ", ".join(f"{n} {d}" for d, n in account.counts().items())
    lines.append(
        f"{'OK ' if not problems else 'BAD'} official account {account.name}@{account.version}: "
        f"{len(account)} official requirements ({counts})"
    )
    return 1 if problems else 0


def _per_service(profile: Profile) -> dict[str, int]:
    return dict(sorted(Counter(r.service for r in profile.requirements).items()))


def _profile_dict(profile: Profile, *, full: bool) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": profile.name,
        "version": profile.version,
        "title": profile.title,
        "requirements_per_service": _per_service(profile),
        "path": str(profile.path),
    }
    if full:
        data["description"] = profile.description
        data["sha256"] = profile.sha256
        data["requirements"] = [
            {
                "id": r.id,
                "level": r.level,
                "service": r.service,
                "verification": r.verification,
                "title_fr": r.title_fr,
            }
            for r in profile.requirements
        ]
    return data


def _render_list(profiles: list[Profile]) -> str:
    if not profiles:
        return "no profile found / aucun profil\n"
    rows = [(p.name, p.version, ", ".join(f"{s} {n}" for s, n in _per_service(p).items()), p.title) for p in profiles]
    header = ("NAME", "VERSION", "REQUIREMENTS", "TITLE")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(3)]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(row[:3], widths, strict=True)) + "  " + row[3]
        for row in [header, *rows]
    ]
    lines.append("")
    lines.append("dui-harness profiles --show NAME[@VERSION]  # the requirements of one profile")
    return "\n".join(lines) + "\n"


def _render_profile(profile: Profile) -> str:
    counts = ", ".join(f"{s} {n}" for s, n in _per_service(profile).items())
    lines = [f"{profile.name} {profile.version}: {profile.title}"]
    if profile.description:
        lines.append(profile.description)
    lines += [f"{len(profile.requirements)} requirements ({counts}) - {profile.path}", ""]
    width = max(len(r.id) for r in profile.requirements)
    for r in profile.requirements:
        lines.append(f"{r.id:<{width}}  {r.level:<6}  {r.service:<9}  {r.verification:<11}  {r.title_fr}")
    return "\n".join(lines) + "\n"


def _emit(payload: Any, as_json: bool) -> None:
    if as_json:
        sys.stdout.write(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(str(payload))
