"""Load and validate the programme rules and a project file (YAML, each against its JSON schema)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from harness.errors import InputError, ProfileError, UsageError

__all__ = ["Project", "Rules", "load_project", "load_rules"]


def _schema(profiles_root: Path, name: str) -> dict[str, Any]:
    path = profiles_root / "schema" / name
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ProfileError(f"{path}: schéma JSON illisible / cannot read the JSON schema ({exc})") from exc
    return data


def _yaml(path: Path, error: type[UsageError]) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise error(f"{path}: cannot be read as UTF-8 text ({exc})") from exc
    if len(text) > 5_000_000:
        raise error(f"{path}: larger than 5 MB: not a project file")
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        raise error(f"{path}{where}: invalid YAML ({getattr(exc, 'problem', None) or exc})") from exc


def _validate(data: Any, schema: dict[str, Any], path: Path, error: type[UsageError]) -> None:
    errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        shown = "; ".join(
            f"{'/'.join(str(p) for p in e.absolute_path) or '(top level)'}: {e.message}" for e in errors[:3]
        )
        raise error(f"{path}: {shown}" + (f" (and {len(errors) - 3} more)" if len(errors) > 3 else ""))


@dataclass(frozen=True)
class Rules:
    """The programme rules of one call for projects."""

    name: str
    version: str
    data: dict[str, Any]
    path: Path

    @property
    def label(self) -> str:
        return f"{self.name}@{self.version}"

    def source(self, ref: str) -> str:
        for item in self.data["sources"]:
            if item["id"] == ref:
                return str(item["title"])
        return ref


def load_rules(profiles_root: Path, spec: str) -> Rules:
    """``NAME@VERSION`` (or ``NAME``, latest version) under ``profiles_root``."""
    name, _, version = spec.partition("@")
    folder = profiles_root / name
    versions = sorted(p.parent.name for p in folder.glob("*/rules.yaml")) if folder.is_dir() else []
    if not versions or (version and version not in versions):
        raise UsageError(
            f"règles de programme inconnues / unknown programme rules {spec!r} (no {folder}/<version>/rules.yaml)",
            tip="`rules:` doit nommer un dossier de profiles/ / must name a folder of profiles/, e.g. "
            "esms-numerique@2026.1",
        )
    path = folder / (version or versions[-1]) / "rules.yaml"
    data = _yaml(path, ProfileError)
    _validate(data, _schema(profiles_root, "esms-rules.schema.json"), path, ProfileError)
    refs = {s["id"] for s in data["sources"]}
    cited = [
        data["grouping"]["source"],
        data["funding"]["source"],
        data["max_structures_source"],
        *(rule["source"] for rule in data["socle"].values()),
    ]
    unknown = sorted({c for c in cited if c not in refs})
    if unknown:
        raise ProfileError(f"{path}: cite des sources inconnues / cites unknown source(s) {', '.join(unknown)}")
    return Rules(data["name"], data["version"], data, path)


@dataclass(frozen=True)
class Project:
    """A funding project as the ARS receives it."""

    data: dict[str, Any]
    path: Path

    @property
    def name(self) -> str:
        return str(self.data["project"]["name"])

    @property
    def region(self) -> str:
        return str(self.data["project"]["region"])

    def bundle_entries(self) -> list[tuple[Path, Path | None]]:
        """``(bundle path, trusted key or None)``, relative paths taken from the project file's folder."""
        out = []
        for entry in self.data.get("bundles", []):
            raw = entry if isinstance(entry, str) else entry["path"]
            key = None if isinstance(entry, str) else entry.get("trusted_key")
            out.append((self.path.parent / raw, self.path.parent / key if key else None))
        return out


def load_project(path: Path, profiles_root: Path) -> Project:
    if not path.is_file():
        raise InputError(
            f"{path}: fichier de projet introuvable / no such project file",
            tip="exemples / examples: fixtures/projects/",
        )
    data = _yaml(path, InputError)
    _validate(data, _schema(profiles_root, "esms-project.schema.json"), path, InputError)
    return Project(data, path)
