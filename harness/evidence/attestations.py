"""Attestations and demonstrations the editor declares with files (PAS, PSSI, CNDA certificate, videos…).

The editor writes a YAML file (``--attestations FILE`` of ``run`` and ``bundle``)::

    editor: Éditeur Essai
    attestations:
      - id: SC.SSI/GEN.08                 # an official id of the account
        kind: attestation                 # or demonstration
        statement: Les fichiers importés sont analysés par l'antivirus du poste.
        files: [pssi/antivirus.pdf]       # relative to the YAML file
        by: Jeanne Essai, RSSI            # optional
        date: 2026-11-30                  # optional

:func:`stage` copies the files into ``<reports>/attestations/files/…`` and writes
``<reports>/attestations/attestations.json`` (each file's size and SHA-256); the bundle takes
the folder like the rest of the run, so the manifest signs every byte. :func:`check` is what
``verify`` adds: the declarations are readable, name official ids of the account, and each
file they list is in the bundle with the declared hash.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path
from typing import Any

import yaml

from harness.core.official import load_account
from harness.errors import InputError, ProfileError
from harness.evidence.signing import canonical_json
from harness.paths import profiles_dir

__all__ = ["DECLARATIONS", "FORMAT", "KINDS", "check", "declared_of", "load_declarations", "stage"]

FORMAT = "dui-harness-attestations/1"
DECLARATIONS = "attestations/attestations.json"
KINDS = ("attestation", "demonstration")
MAX_FILE_BYTES = 256 << 20  # one bundle member at most
MAX_TOTAL_BYTES = 768 << 20


def _slug(official_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9.@-]", "_", official_id)


def load_declarations(path: Path, profiles_root: Path | None = None) -> dict[str, Any]:
    """Read and check the editor's YAML; :class:`InputError` names the entry at fault."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise InputError(f"{path}: attestations illisibles / cannot read the attestations ({exc})") from exc
    items = data.get("attestations") if isinstance(data, dict) else None
    if not isinstance(items, list) or not items:
        raise InputError(
            f"{path}: attendu : une liste 'attestations' non vide / expected a mapping with a non-empty "
            "'attestations' list",
            tip="voir / see README, section « Attestations »",
        )
    account = load_account(profiles_root or profiles_dir())
    out: list[dict[str, Any]] = []
    total = 0
    for number, item in enumerate(items, start=1):
        where = f"{path}: attestation #{number}"
        if not isinstance(item, dict):
            raise InputError(f"{where}: pas un dictionnaire / not a mapping")
        official_id, kind = str(item.get("id", "")), str(item.get("kind", ""))
        if official_id not in account:
            raise InputError(
                f"{where}: {official_id!r} n'est pas un identifiant officiel du relevé / is not an "
                f"official id of the account {account.path.name}",
                tip="dui-harness profiles --check  # liste le relevé / lists the account",
            )
        if kind not in KINDS:
            raise InputError(f"{where} ({official_id}): kind parmi / must be one of {', '.join(KINDS)}")
        statement = str(item.get("statement") or "").strip()
        if len(statement) < 8:
            raise InputError(
                f"{where} ({official_id}): il faut une déclaration de ce qui est attesté ou montré / a "
                "statement saying what is attested or shown is required"
            )
        names = item.get("files") or []
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise InputError(
                f"{where} ({official_id}): files doit être une liste de chemins / files must be a list of file paths"
            )
        files = []
        for name in names:
            file = (path.parent / str(name)).resolve()
            if not file.is_file():
                raise InputError(
                    f"{where} ({official_id}): pièce jointe introuvable / attached file {name} not found ({file})"
                )
            size = file.stat().st_size
            total += size
            if size > MAX_FILE_BYTES or total > MAX_TOTAL_BYTES:
                raise InputError(
                    f"{where} ({official_id}): {name} trop grand pour un dossier de preuves / is too "
                    f"large for a bundle ({MAX_FILE_BYTES} bytes a file, {MAX_TOTAL_BYTES} in all)"
                )
            files.append(file)
        out.append(
            {
                "id": official_id,
                "kind": kind,
                "statement": statement,
                "by": str(item.get("by") or ""),
                "date": str(item.get("date") or ""),
                "sources": files,
            }
        )
    return {"editor": str(data.get("editor") or ""), "source": path.name, "attestations": out}


def stage(path: Path, reports: Path, profiles_root: Path | None = None) -> Path:
    """Copy the declared files into ``<reports>/attestations/`` and write the declarations with their hashes."""
    declared = load_declarations(path, profiles_root)
    target = reports / "attestations"
    if target.exists():
        shutil.rmtree(target)
    entries = []
    for item in declared["attestations"]:
        files = []
        used: set[str] = set()
        for source in item.pop("sources"):
            name = source.name if source.name not in used else f"{len(used)}-{source.name}"
            used.add(name)
            member = f"attestations/files/{_slug(item['id'])}/{name}"
            data = source.read_bytes()
            destination = reports / member
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.write_bytes(data)
            files.append({"name": name, "path": member, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()})
        entries.append({**item, "files": files})
    document = {"format": FORMAT, "editor": declared["editor"], "source": declared["source"], "attestations": entries}
    (reports / DECLARATIONS).write_bytes(canonical_json(document))
    return reports / DECLARATIONS


def declared_of(reports: Path) -> dict[str, dict[str, Any]]:
    """The declarations staged in a reports folder, by official id (empty when none)."""
    try:
        data = json.loads((reports / DECLARATIONS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {
        a["id"]: {"kind": a["kind"], "statement": a["statement"], "files": [f["path"] for f in a["files"]]}
        for a in data.get("attestations", [])
        if isinstance(a, dict) and "id" in a
    }


def check(contents: dict[str, bytes], profiles_root: Path | None = None) -> tuple[list[tuple[str, str]], int]:
    """Problems of the bundle's declarations (member, message) and the number of files they attach."""
    raw = contents.get(DECLARATIONS)
    attached = [n for n in contents if n.startswith("attestations/files/")]
    if raw is None:
        return ([(n, "attestation file without attestations/attestations.json declaring it") for n in attached], 0)
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        data = None
    entries = data.get("attestations") if isinstance(data, dict) and data.get("format") == FORMAT else None
    if not isinstance(entries, list):
        return [(DECLARATIONS, f"not a {FORMAT} document (altered)")], 0
    try:
        known: set[str] | None = {e.id for e in load_account(profiles_root or profiles_dir())}
    except ProfileError:  # a profiles folder without the official account: ids cannot be checked
        known = None
    problems: list[tuple[str, str]] = []
    listed: set[str] = set()
    for entry in entries:
        official_id = str(entry.get("id")) if isinstance(entry, dict) else "?"
        if known is not None and official_id not in known:
            problems.append((DECLARATIONS, f"{official_id}: not an official id of the account"))
        files = entry.get("files") if isinstance(entry, dict) else None
        for file in files if isinstance(files, list) else []:
            if not isinstance(file, dict):
                problems.append((DECLARATIONS, f"{official_id}: a file entry is not a mapping (altered)"))
                continue
            member = str(file.get("path"))
            listed.add(member)
            content = contents.get(member)
            if content is None:
                problems.append((member, f"declared for {official_id} but missing from the bundle"))
            elif hashlib.sha256(content).hexdigest() != file.get("sha256") or len(content) != file.get("size"):
                problems.append(
                    (
                        member,
                        f"attestation file of {official_id} altered: its SHA-256 or size differs from the declaration",
                    )
                )
    problems += [(n, "attestation file declared by no attestation") for n in attached if n not in listed]
    return problems, len(listed)
