"""Dependencies between requirements, as data: ``profiles/catalog/dependencies.csv``.

One row ``requirement, blocked_by, reason`` says: when ``blocked_by`` fails in a run, a failure
of ``requirement`` in the same run is its consequence (the exchange could not go right because
of the first fault), so ``requirement`` is reported *blocked* by ``blocked_by``, named, and not
*fail*. Example: the DUI stores an INS with a wrong key (INS-KEY-01); the patient mailbox
``<INS>@patient.mssante.fr`` built from it does not exist, the operator answers ``550 5.1.1``
and the MSSanté requirements of that message cannot be judged.

``requirement`` may also be ``service:CODE`` (e.g. ``service:MSS``): every requirement of that
service but ``blocked_by`` itself — when an INSi request is refused, no identity is qualified
and nothing downstream can go right.

Rows are checked against ``profiles/schema/dependency.schema.json``; both ids (or the service)
must exist in the catalog, a requirement cannot depend on itself and the dependencies have no cycle
(``dui-harness profiles --check``). Any defect raises :class:`harness.errors.ProfileError`
naming file and line.
"""

from __future__ import annotations

import csv
import functools
import io
import json
from dataclasses import dataclass
from pathlib import Path

import jsonschema

from harness.core.requirements import Catalog
from harness.errors import ProfileError

__all__ = ["DEPENDENCIES_FILE", "SERVICE_PREFIX", "Dependency", "cached_dependencies", "load_dependencies"]

#: the file, relative to the profiles folder; the requirement catalog loader skips it
DEPENDENCIES_FILE = "catalog/dependencies.csv"
#: ``service:MSS`` in the requirement column: every requirement of the service
SERVICE_PREFIX = "service:"


@dataclass(frozen=True)
class Dependency:
    """``requirement`` is blocked by ``blocked_by`` when that one fails: ``reason`` says why."""

    requirement: str
    blocked_by: str
    reason: str
    origin: str = ""

    def applies_to(self, requirement: str, service: str) -> bool:
        """True when this dependency speaks of ``requirement`` (of ``service``)."""
        if requirement == self.blocked_by:
            return False
        return self.requirement in (requirement, f"{SERVICE_PREFIX}{service}")


def _schema(root: Path) -> dict[str, object]:
    path = root / "schema" / "dependency.schema.json"
    try:
        data: dict[str, object] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ProfileError(
            f"{path}: schéma JSON illisible / cannot read the JSON schema ({exc})", file=str(path)
        ) from exc
    return data


def load_dependencies(root: Path, known: Catalog | None = None) -> list[Dependency]:
    """The dependencies of ``root`` (a profiles folder); none when the file is absent.

    Args:
        known: the catalog: each id (and service) must be in it.
    """
    path = root / DEPENDENCIES_FILE
    if not path.is_file():
        return []
    schema = _schema(root)
    validator = jsonschema.Draft202012Validator(schema)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ProfileError(f"{path}: texte UTF-8 illisible / cannot be read as UTF-8 text ({exc})") from exc
    reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
    expected = list(schema["required"])  # type: ignore[call-overload]
    found: list[Dependency] = []
    try:
        if reader.fieldnames is None or list(reader.fieldnames) != expected:
            raise ProfileError(
                f"{path}:1: en-tête attendu / header must be exactly {','.join(expected)}; trouvé / "
                f"found {','.join(reader.fieldnames or [])}",
                file=str(path),
                line=1,
            )
        for row in reader:
            line = reader.line_num
            if None in row or any(v is None for v in row.values()):
                raise ProfileError(
                    f"{path}:{line}: nombre de colonnes incorrect / wrong number of columns", file=str(path), line=line
                )
            values = {k: (v or "").strip() for k, v in row.items()}
            errors = [] if validator.is_valid(values) else sorted(validator.iter_errors(values), key=_where)
            if errors:
                where = ".".join(str(p) for p in errors[0].absolute_path) or "(row)"
                raise ProfileError(
                    f"{path}:{line}: colonne / column {where!r}: {errors[0].message}", file=str(path), line=line
                )
            if known is not None:
                _check_known(known, values, path, line)
            if values["requirement"] == values["blocked_by"]:
                raise ProfileError(
                    f"{path}:{line}: {values['requirement']!r} ne peut se bloquer elle-même / cannot block itself",
                    file=str(path),
                    line=line,
                )
            found.append(Dependency(values["requirement"], values["blocked_by"], values["reason"], f"{path}:{line}"))
    except csv.Error as exc:
        line = reader.reader.line_num
        raise ProfileError(f"{path}:{line}: CSV mal formé / malformed CSV ({exc})", file=str(path), line=line) from exc
    _check_acyclic(found, path, known)
    return found


def _where(error: jsonschema.ValidationError) -> list[str | int]:
    return list(error.absolute_path)


@functools.lru_cache(maxsize=4)
def _cached(root: Path, mtime_ns: int, known: Catalog | None) -> tuple[Dependency, ...]:
    return tuple(load_dependencies(root, known))


def cached_dependencies(root: Path, known: Catalog | None = None) -> list[Dependency]:
    """:func:`load_dependencies`, read and checked once per process and version of the file (each run of a
    process plans with them)."""
    try:
        mtime_ns = (root / DEPENDENCIES_FILE).stat().st_mtime_ns
    except OSError:
        return load_dependencies(root, known)
    return list(_cached(root, mtime_ns, known))


def _check_known(known: Catalog, values: dict[str, str], path: Path, line: int) -> None:
    services = {r.service for r in known}
    for column in ("requirement", "blocked_by"):
        value = values[column]
        if column == "requirement" and value.startswith(SERVICE_PREFIX):
            if value.removeprefix(SERVICE_PREFIX) not in services:
                raise ProfileError(
                    f"{path}:{line}: {value!r}: aucune exigence du catalogue n'a ce service / no "
                    "requirement of the catalog has this service "
                    f"({', '.join(sorted(services))})",
                    file=str(path),
                    line=line,
                )
        elif value not in known:
            raise ProfileError(
                f"{path}:{line}: {column} {value!r} n'est pas une exigence du catalogue / is not a "
                "requirement of the catalog",
                file=str(path),
                line=line,
            )


def _check_acyclic(dependencies: list[Dependency], path: Path, known: Catalog | None) -> None:
    edges: dict[str, set[str]] = {}
    for dep in dependencies:
        targets = [dep.requirement]
        if dep.requirement.startswith(SERVICE_PREFIX) and known is not None:
            service = dep.requirement.removeprefix(SERVICE_PREFIX)
            targets = [r.id for r in known if r.service == service and dep.applies_to(r.id, service)]
        for target in targets:
            edges.setdefault(target, set()).add(dep.blocked_by)

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        for nxt in edges.get(start, ()):
            if nxt == goal:
                return True
            if nxt not in seen:
                seen.add(nxt)
                if reaches(nxt, goal, seen):
                    return True
        return False

    for requirement, blockers in edges.items():
        for blocker in blockers:
            if reaches(blocker, requirement, set()):
                raise ProfileError(
                    f"{path}: {requirement!r} bloquée par {blocker!r} ferme un cycle de dépendances "
                    f"(deux échecs se masqueraient l'un l'autre) / {requirement!r} blocked by "
                    f"{blocker!r} closes a cycle of dependencies (two failures would each hide the "
                    "other)",
                    file=str(path),
                )
