"""Requirement catalogs and profiles, loaded from data and validated against a schema.

Catalogs are CSV files under ``profiles/catalog/`` (one row a requirement, columns fixed by
``profiles/schema/requirement.schema.json``). A profile is a named, versioned selection of
those requirements: ``profiles/<name>/<version>/profile.toml``.
Any defect in these files raises :class:`harness.errors.ProfileError` naming file and line.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import json
import re
import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema

from harness import services
from harness.core.official import load_account
from harness.errors import ProfileError, UsageError

__all__ = ["Catalog", "Profile", "Requirement", "list_profiles", "load_catalog", "load_profile"]

ALLURE_SEVERITY = {"MUST": "critical", "SHOULD": "normal", "MAY": "minor"}


@dataclass(frozen=True)
class Requirement:
    """One requirement of a national specification, as the harness checks it."""

    id: str
    title_fr: str
    summary_en: str
    service: str
    level: str
    applicability: str
    verification: str
    source_document: str
    source_section: str
    source_exigence: str
    url: str
    not_tested_reason: str
    official_ids: str = ""
    official_reason: str = ""
    origin: str = ""

    @property
    def official(self) -> tuple[str, ...]:
        """The official Ségur ids (vague 1 and 2) this requirement answers for, from ``official_ids``."""
        return tuple(i for i in self.official_ids.split("|") if i)

    @property
    def is_attestation(self) -> bool:
        return self.verification == "attestation"

    @property
    def allure_severity(self) -> str:
        return ALLURE_SEVERITY[self.level]

    @property
    def source(self) -> str:
        parts = [self.source_document, self.source_section, self.source_exigence]
        return ", ".join(p for p in parts if p)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title_fr": self.title_fr,
            "summary_en": self.summary_en,
            "service": self.service,
            "level": self.level,
            "applicability": self.applicability,
            "verification": self.verification,
            "source": self.source,
            "url": self.url,
            "official": list(self.official),
        }


class Catalog:
    """Every requirement known to the harness, by id."""

    def __init__(self, requirements: Iterable[Requirement]) -> None:
        self._by_id: dict[str, Requirement] = {}
        for req in requirements:
            if req.id in self._by_id:
                raise ProfileError(
                    f"{req.origin}: identifiant d'exigence {req.id!r} déjà défini en {self._by_id[req.id].origin} / "
                    f"requirement id {req.id!r} is already defined at {self._by_id[req.id].origin}"
                )
            self._by_id[req.id] = req

    def __contains__(self, req_id: object) -> bool:
        return req_id in self._by_id

    def __getitem__(self, req_id: str) -> Requirement:
        return self._by_id[req_id]

    def __iter__(self) -> Iterator[Requirement]:
        return iter(self._by_id.values())

    def __len__(self) -> int:
        return len(self._by_id)

    def get(self, req_id: str) -> Requirement | None:
        return self._by_id.get(req_id)


@dataclass(frozen=True)
class Profile:
    """A named, versioned selection of requirements."""

    name: str
    version: str
    title: str
    description: str
    requirements: tuple[Requirement, ...]
    path: Path
    sha256: str
    #: ``[cda] model_versions``: CDA content model (``DLU-EHPAD-DLU``) -> the version a DUI must produce
    cda_model_versions: tuple[tuple[str, str], ...] = ()

    @property
    def label(self) -> str:
        return f"{self.name} {self.version}"

    def ids(self) -> set[str]:
        return {r.id for r in self.requirements}

    def __contains__(self, req_id: object) -> bool:
        return any(r.id == req_id for r in self.requirements)


def _schema(profiles_root: Path, name: str) -> dict[str, Any]:
    path = profiles_root / "schema" / name
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ProfileError(
            f"{path}: schéma JSON illisible / cannot read the JSON schema ({exc})", file=str(path)
        ) from exc
    return data


def with_declared_services(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` with its ``service`` enum taken from the service registry (:mod:`harness.services`):
    the file's list is a copy for other readers, kept equal by a test."""
    properties = schema.get("properties")
    if isinstance(properties, dict) and "service" in properties:
        properties["service"] = {"enum": [service.id for service in services.all_services()]}
    return schema


def _describe(error: jsonschema.ValidationError) -> str:
    where = ".".join(str(p) for p in error.absolute_path) or "(row)"
    return f"column {where!r}: {error.message}"


def _read_catalog_file(path: Path, schema: dict[str, Any]) -> Iterator[Requirement]:
    validator = jsonschema.Draft202012Validator(schema)
    try:
        # utf-8-sig: spreadsheets often save CSV with a byte order mark before the header.
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ProfileError(f"{path}: texte UTF-8 illisible / cannot be read as UTF-8 text ({exc})") from exc
    # newline="": a quoted field may span lines and keeps its line breaks; line_num counts them.
    reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
    expected = list(schema["required"])
    try:
        if reader.fieldnames is None or sorted(reader.fieldnames) != sorted(expected):
            raise ProfileError(
                f"{path}:1: l'en-tête doit contenir exactement les colonnes / header must hold exactly the columns "
                f"{', '.join(expected)}; trouvé / found {', '.join(reader.fieldnames or [])}"
            )
        for row in reader:
            line = reader.line_num
            if None in row or any(v is None for v in row.values()):
                raise ProfileError(f"{path}:{line}: nombre de colonnes incorrect / wrong number of columns")
            values = {k: (v or "").strip() for k, v in row.items()}
            errors = sorted(validator.iter_errors(values), key=lambda e: list(e.absolute_path))
            if errors:
                raise ProfileError(f"{path}:{line}: {_describe(errors[0])}", file=str(path), line=line)
            if not values["official_ids"] and not values["official_reason"]:
                raise ProfileError(
                    f"{path}:{line}: l'exigence {values['id']!r} ne cite aucun identifiant officiel (official_ids) : "
                    "official_reason doit dire pourquoi / requirement names no official id and needs an "
                    "official_reason saying why"
                )
            if values["verification"] == "attestation" and not values["not_tested_reason"]:
                raise ProfileError(
                    f"{path}:{line}: l'exigence {values['id']!r} est une attestation : not_tested_reason doit dire "
                    "pourquoi aucun test ne peut la prouver / is an attestation and needs a not_tested_reason saying "
                    "why no test can prove it"
                )
            yield Requirement(**values, origin=f"{path}:{line}")
    except csv.Error as exc:
        # DictReader.line_num is only updated after a good row: ask the underlying reader.
        line = reader.reader.line_num
        raise ProfileError(f"{path}:{line}: CSV mal formé / malformed CSV ({exc})", file=str(path), line=line) from exc


def load_catalog(profiles_root: Path) -> Catalog:
    """Load every ``profiles/catalog/*.csv`` (but ``dependencies.csv``, see :mod:`harness.core.dependencies`)
    and check each row against the schema."""
    schema = with_declared_services(_schema(profiles_root, "requirement.schema.json"))
    files = sorted(p for p in (profiles_root / "catalog").glob("*.csv") if p.name != "dependencies.csv")
    if not files:
        raise ProfileError(
            f"{profiles_root / 'catalog'}: aucun catalogue d'exigences (*.csv) / no requirement catalog (*.csv) found"
        )
    return Catalog(req for path in files for req in _read_catalog_file(path, schema))


def _line_of(text: str, key: str) -> int:
    for number, line in enumerate(text.splitlines(), start=1):
        if re.match(rf"\s*{re.escape(key)}\s*=", line):
            return number
    return 1


def list_profiles(profiles_root: Path) -> list[tuple[str, str, Path]]:
    """Every ``(name, version, path)`` of ``profiles/<name>/<version>/profile.toml``."""
    found = []
    for path in sorted(profiles_root.glob("*/*/profile.toml")):
        found.append((path.parent.parent.name, path.parent.name, path))
    return found


def _version_key(version: str) -> tuple[Any, ...]:
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"[.-]", version))


def resolve_profile_path(profiles_root: Path, spec: str) -> Path:
    """Turn ``NAME``, ``NAME@VERSION`` or a path to a profile.toml into that file."""
    candidate = Path(spec)
    if candidate.suffix == ".toml" and candidate.is_file():
        return candidate
    name, _, version = spec.partition("@")
    versions = [(v, p) for n, v, p in list_profiles(profiles_root) if n == name]
    if not versions:
        known = sorted({n for n, _, _ in list_profiles(profiles_root)})
        raise UsageError(
            f"profil inconnu / unknown profile {spec!r}; profils connus / known profiles: {', '.join(known) or '-'}",
            tip="dui-harness profiles  # lists them / les liste",
        )
    if version:
        for v, p in versions:
            if v == version:
                return p
        raise UsageError(
            f"le profil {name!r} n'a pas de version {version!r} / profile {name!r} has no version "
            f"{version!r}; versions: " + ", ".join(v for v, _ in versions)
        )
    return max(versions, key=lambda vp: _version_key(vp[0]))[1]


def load_profile(profiles_root: Path, spec: str, catalog: Catalog | None = None) -> Profile:
    """Load and validate a profile, and resolve its selection against the catalog.

    Args:
        profiles_root: the ``profiles/`` folder.
        spec: ``NAME``, ``NAME@VERSION`` or a path to a ``profile.toml``.
        catalog: the catalog to select from (loaded from ``profiles_root`` when omitted).
    """
    path = resolve_profile_path(profiles_root, spec)
    catalog = catalog if catalog is not None else load_catalog(profiles_root)
    raw = path.read_bytes()
    text = raw.decode("utf-8", errors="replace")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # Python < 3.14 only puts the position in the message: "... (at line 3, column 9)".
        found = re.search(r"at line (\d+)", str(exc))
        line = int(found.group(1)) if found else max(1, len(text.splitlines()))  # "at end of document"
        raise ProfileError(f"{path}:{line}: TOML invalide / invalid TOML ({exc})", file=str(path), line=line) from exc
    validator = jsonschema.Draft202012Validator(_schema(profiles_root, "profile.schema.json"))
    errors = list(validator.iter_errors(data))
    if errors:
        err = errors[0]
        # the innermost key named in the path (``selection.services.0`` -> ``services``)
        keys = [p for p in err.absolute_path if isinstance(p, str)]
        key = keys[-1] if keys else next(iter(data), "name")
        raise ProfileError(f"{path}:{_line_of(text, key)}: {_describe(err)}")
    selection = data["selection"]
    services = set(selection.get("services", []))
    chosen = {r.id: r for r in catalog if r.service in services}
    for req_id in sorted(_from_account(profiles_root, path, text, selection)):
        if req_id not in catalog:
            raise ProfileError(
                f"{path}:{_line_of(text, 'account')}: le relevé cite {req_id!r}, qu'aucun catalogue ne "
                f"définit / the account names {req_id!r}, which no catalog defines"
            )
        chosen[req_id] = catalog[req_id]
    for req_id in selection.get("include", []):
        if req_id not in catalog:
            raise ProfileError(
                f"{path}:{_line_of(text, 'include')}: exigence inconnue / unknown requirement id {req_id!r}"
            )
        chosen[req_id] = catalog[req_id]
    for req_id in selection.get("exclude", []):
        if req_id not in catalog:
            raise ProfileError(
                f"{path}:{_line_of(text, 'exclude')}: exigence inconnue / unknown requirement id {req_id!r}"
            )
        chosen.pop(req_id, None)
    if not chosen:
        raise ProfileError(f"{path}: la sélection ne contient aucune exigence / the selection holds no requirement")
    return Profile(
        name=data["name"],
        version=data["version"],
        title=data["title"],
        description=data.get("description", ""),
        requirements=tuple(sorted(chosen.values(), key=lambda r: (r.service, r.id))),
        path=path,
        sha256=hashlib.sha256(raw).hexdigest(),
        cda_model_versions=tuple(sorted(data.get("cda", {}).get("model_versions", {}).items())),
    )


def _from_account(profiles_root: Path, path: Path, text: str, selection: dict[str, Any]) -> set[str]:
    """The project requirements of the tested and partly tested rows of ``selection.account``."""
    spec = selection.get("account")
    if not spec:
        return set()
    name, _, version = str(spec).partition("@")
    try:
        account = load_account(profiles_root, version)
    except ProfileError as exc:
        raise ProfileError(f"{path}:{_line_of(text, 'account')}: {exc}") from exc
    if account.name != name:
        raise ProfileError(
            f"{path}:{_line_of(text, 'account')}: relevé officiel inconnu / unknown official account {spec!r}"
        )
    return account.project_requirements(set(selection.get("vagues", ["va1", "va2"])))


@functools.lru_cache(maxsize=8)
def cached_catalog(profiles_root: Path) -> Catalog:
    """The catalog of ``profiles_root``, read once per process."""
    return load_catalog(profiles_root)
