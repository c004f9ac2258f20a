"""The account of the official Ségur base for the DUI: each official requirement in scope, and how it is proved.

The account (``profiles/official/segur-dui/<version>/account.csv``, columns fixed by
``profiles/schema/official-account.schema.json``) lists every official requirement that
applies to a DUI (:func:`in_scope`, the definition of issue 11 applied to the ANS base as
transcribed in ``exigences.csv``), with the project's own short summary and a disposition:

* ``tested``: the project requirements named in ``requirements`` judge all of it;
* ``partly``: they judge part of it; ``note`` says what is not judged;
* ``not-covered``: observable by a bench, no project test yet (``note``: what would test it);
* ``demonstration``: a person must show it (video, screenshots);
* ``attestation``: a document proves it (PAS, PSSI, CNDA certificate, commitment);
* ``not-applicable``: not applicable to a DUI (``note``: why).

The official texts are never copied into the project: :func:`load_base` reads them from a
copy of the base the user gives (``--exigences PATH``), for display only.
:func:`official_verdicts` turns the verdicts of the project requirements of a run into one
verdict per official requirement.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import json
import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema

from harness.errors import ProfileError, UsageError

__all__ = [
    "ACCOUNT_NAME",
    "DISPOSITIONS",
    "ENV_VAR",
    "NATURE_LEVEL",
    "Account",
    "OfficialRequirement",
    "account_path",
    "check_catalog",
    "in_scope",
    "load_account",
    "load_base",
    "official_counts",
    "official_section",
    "official_verdicts",
    "summary_line",
    "write_official_csv",
]

ACCOUNT_NAME = "segur-dui"
ACCOUNT_VERSION = "2023.02"
ENV_VAR = "DUI_HARNESS_EXIGENCES"
TESTED, PARTLY, NOT_COVERED = "tested", "partly", "not-covered"
DEMONSTRATION, ATTESTATION, NOT_APPLICABLE = "demonstration", "attestation", "not-applicable"
DISPOSITIONS = (TESTED, PARTLY, NOT_COVERED, DEMONSTRATION, ATTESTATION, NOT_APPLICABLE)
#: official nature → level of the project's requirements (MUST = DOIT, SHOULD = PEUT/préconisé)
NATURE_LEVEL = {"Obligatoire": "MUST", "Préconisée": "SHOULD"}
#: vague 2 socle domains that apply to a DUI (issue 11)
VA2_DOMAINS = frozenset({"INS", "DMP", "MSS", "PSC", "CDA", "DOC", "ANN", "TBB", "PORT", "RGPD", "SSI"})


def in_scope(row: Mapping[str, str]) -> bool:
    """Whether a row of the ANS base (``exigences.csv``) applies to a DUI.

    In scope: the rows whose ``dui`` column is set; the vague 1 rows without a corridor
    suffix or with ``.MS1`` (médico-social); the vague 2 socle rows not ``OBSOLETE`` of the
    INS, DMP, MSS, PSC, CDA, DOC, ANN, TBB, PORT, RGPD and SSI domains.
    """
    if row.get("dui"):
        return True
    if row.get("vague") == "va1":
        return row.get("suffixe_va1", "") in ("", "MS1")
    return row.get("vague") == "va2" and row.get("statut") != "OBSOLETE" and row.get("domaine") in VA2_DOMAINS


@dataclass(frozen=True)
class OfficialRequirement:
    """One official requirement of the account, as the project accounts for it."""

    id: str
    vague: str
    domain: str
    nature: str
    scope: str
    disposition: str
    requirements: tuple[str, ...]
    scenarios: tuple[str, ...]
    summary_fr: str
    note: str

    @property
    def level(self) -> str:
        return NATURE_LEVEL[self.nature]

    @property
    def judged_by_tests(self) -> bool:
        return self.disposition in (TESTED, PARTLY)

    @property
    def numbering(self) -> str:
        """The Convergence numbering root: the id without ``SC.``/``RI.`` (``MSS/CONF.24``)."""
        return self.id.split(".", 1)[1] if self.id.startswith(("SC.", "RI.")) else self.id


@dataclass(frozen=True)
class Account:
    """Every official requirement in scope for a DUI, by id."""

    name: str
    version: str
    path: Path
    sha256: str
    entries: tuple[OfficialRequirement, ...]

    def __iter__(self) -> Iterator[OfficialRequirement]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    @functools.cached_property
    def _by_id(self) -> dict[str, OfficialRequirement]:
        return {e.id: e for e in self.entries}

    def __contains__(self, official_id: object) -> bool:
        return official_id in self._by_id

    def get(self, official_id: str) -> OfficialRequirement | None:
        return self._by_id.get(official_id)

    def counts(self) -> dict[str, int]:
        return {d: sum(1 for e in self.entries if e.disposition == d) for d in DISPOSITIONS}

    def project_requirements(self, vagues: set[str]) -> set[str]:
        """The project requirements of the tested and partly tested rows of ``vagues``.

        ``va1``: the vague 1 rows and the rows the base ties to the DUI (``dui`` column); ``va2``:
        the vague 2 rows.
        """
        return {
            r
            for e in self.entries
            if e.judged_by_tests and (e.vague in vagues or ("va1" in vagues and e.scope.startswith("dui:")))
            for r in e.requirements
        }

    def describe(self) -> dict[str, str]:
        return {"name": self.name, "version": self.version, "sha256": self.sha256}


def account_path(profiles_root: Path, version: str = ACCOUNT_VERSION) -> Path:
    return profiles_root / "official" / ACCOUNT_NAME / version / "account.csv"


def _split(value: str) -> tuple[str, ...]:
    return tuple(v for v in (p.strip() for p in value.split("|")) if v)


def load_account(profiles_root: Path, version: str = ACCOUNT_VERSION) -> Account:
    """Read and check the account; :class:`ProfileError` names file and line of any defect.

    Checked once per process and content of the account and its schema (a run reads it from the profile
    loader, the plan, the matrix and the bundle: each check of its 415 rows against the schema took ~0.1 s);
    a defect is raised again at each call. The account is immutable (frozen dataclasses, tuples)."""
    path = account_path(profiles_root, version)
    schema_path = profiles_root / "schema" / "official-account.schema.json"
    try:
        raw = path.read_bytes()
        schema_text = schema_path.read_text(encoding="utf-8")
    except (OSError, ValueError) as exc:
        raise ProfileError(
            f"{path}: relevé officiel ou son schéma illisible / cannot read the official account or its schema ({exc})"
        ) from exc
    return _checked_account(path, raw, schema_text, version)


@functools.lru_cache(maxsize=8)
def _checked_account(path: Path, raw: bytes, schema_text: str, version: str) -> Account:
    try:
        schema = json.loads(schema_text)
    except ValueError as exc:
        raise ProfileError(
            f"{path}: relevé officiel ou son schéma illisible / cannot read the official account or its schema ({exc})"
        ) from exc
    try:
        reader = csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline=""), strict=True)
        return _read_account(path, raw, reader, jsonschema.Draft202012Validator(schema), schema, version)
    except UnicodeDecodeError as exc:
        raise ProfileError(f"{path}: pas du texte UTF-8 / not UTF-8 text ({exc})") from exc
    except csv.Error as exc:
        raise ProfileError(f"{path}:{reader.reader.line_num}: CSV mal formé / malformed CSV ({exc})") from exc


def _read_account(
    path: Path, raw: bytes, reader: csv.DictReader[str], validator: Any, schema: dict[str, Any], version: str
) -> Account:
    if sorted(reader.fieldnames or []) != sorted(schema["required"]):
        raise ProfileError(
            f"{path}:1: l'en-tête doit contenir exactement les colonnes / header must hold exactly the "
            f"columns {', '.join(schema['required'])}"
        )
    entries: list[OfficialRequirement] = []
    seen: set[str] = set()
    for row in reader:
        line = reader.line_num
        if None in row or any(v is None for v in row.values()):
            raise ProfileError(
                f"{path}:{line}: nombre de colonnes incorrect / wrong number of columns", file=str(path), line=line
            )
        values = {k: (v or "").strip() for k, v in row.items()}
        errors = list(validator.iter_errors(values))
        if errors:
            where = ".".join(str(p) for p in errors[0].absolute_path) or "(row)"
            raise ProfileError(
                f"{path}:{line}: colonne / column {where!r}: {errors[0].message}", file=str(path), line=line
            )
        if values["id"] in seen:
            raise ProfileError(
                f"{path}:{line}: identifiant officiel listé deux fois / official id {values['id']!r} listed twice",
                file=str(path),
                line=line,
            )
        seen.add(values["id"])
        requirements = _split(values["requirements"])
        if (values["disposition"] in (TESTED, PARTLY)) != bool(requirements) and values["disposition"] not in (
            DEMONSTRATION,
            ATTESTATION,
        ):
            raise ProfileError(
                f"{path}:{line}: {values['id']}: une ligne testée ou partiellement testée cite ses "
                "exigences, les autres aucune (sauf attestations et démonstrations) / a tested or "
                "partly tested row names its project requirements, the others none (attestations and "
                "demonstrations may)"
            )
        if values["disposition"] != TESTED and not values["note"]:
            raise ProfileError(
                f"{path}:{line}: {values['id']}: la disposition {values['disposition']} demande une "
                "note (ce qui manque, quoi montrer ou attester, pourquoi non applicable) / needs a "
                "note (what is missing, what to show or attest, why not applicable)"
            )
        entries.append(
            OfficialRequirement(
                id=values["id"],
                vague=values["vague"],
                domain=values["domain"],
                nature=values["nature"],
                scope=values["scope"],
                disposition=values["disposition"],
                requirements=requirements,
                scenarios=_split(values["scenarios"]),
                summary_fr=values["summary_fr"],
                note=values["note"],
            )
        )
    return Account(ACCOUNT_NAME, version, path, hashlib.sha256(raw).hexdigest(), tuple(entries))


def load_base(path: Path | None) -> dict[str, dict[str, str]]:
    """The rows of a user-given copy of the ANS base (the folder or its ``exigences.csv``), by id.

    ``path`` None: ``$DUI_HARNESS_EXIGENCES``, else an empty mapping (no official text shown).
    """
    if path is None:
        env = os.environ.get(ENV_VAR)
        if not env:
            return {}
        path = Path(env)
    file = path / "exigences.csv" if path.is_dir() else path
    try:
        text = file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(
            f"{file}: base officielle des exigences illisible / cannot read the official requirement base ({exc})",
            tip="--exigences ../shared/reference/segur-exigences  # dossier de / folder of exigences.csv",
        ) from exc
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    if not rows or "id" not in rows[0] or "texte_brut" not in rows[0]:
        raise UsageError(
            f"{file}: pas la base ANS transcrite en CSV / not the ANS base transcribed to CSV (columns id, texte_brut…)"
        )
    return {r["id"]: r for r in rows}


def _verdict(entry: OfficialRequirement, verdicts: Mapping[str, str]) -> str:
    if not entry.judged_by_tests:
        return entry.disposition
    said = [verdicts.get(r, "not-judged") for r in entry.requirements]
    if "fail" in said:
        return "fail"
    if all(v == "pass" for v in said):
        return "pass" if entry.disposition == TESTED else "partial"
    return "not-judged"


def official_verdicts(
    account: Account, verdicts: Mapping[str, str], declared: Mapping[str, Mapping[str, Any]] | None = None
) -> list[dict[str, Any]]:
    """One verdict per official requirement of ``account``, from the project requirements' verdicts.

    ``pass`` only when every project requirement that tests it passed (``partial`` when the row is
    only partly tested); ``fail`` when any failed; ``not-judged`` when one was not run or not
    judged (skip, blocked, error, unreachable, outside the profile); demonstrations and
    attestations stay as declared (``declared``: the editor attached a statement and files).
    """
    declared = declared or {}
    out = []
    for entry in account:
        item: dict[str, Any] = {
            "id": entry.id,
            "disposition": entry.disposition,
            "requirements": list(entry.requirements),
            "verdict": _verdict(entry, verdicts),
            "nature": entry.nature,
        }
        if entry.id in declared:
            item["declared"] = {
                k: declared[entry.id][k] for k in ("kind", "statement", "files") if k in declared[entry.id]
            }
        out.append(item)
    return out


def official_counts(items: list[dict[str, Any]]) -> dict[str, dict[str, int]]:
    """Counts per disposition and per verdict of an ``official`` list."""
    by_disposition = {d: sum(1 for i in items if i["disposition"] == d) for d in DISPOSITIONS}
    by_verdict: dict[str, int] = {}
    for item in items:
        by_verdict[item["verdict"]] = by_verdict.get(item["verdict"], 0) + 1
    return {"disposition": by_disposition, "verdict": by_verdict}


def check_catalog(account: Account, requirements: Iterable[Any]) -> list[str]:
    """Every disagreement between the catalog's ``official_ids``/levels and the account (empty: none).

    Each official id a requirement names is a row of the account; the account's ``requirements``
    column is exactly the catalog's mapping read backwards; a requirement's level is MUST when one
    of its official ids is *Obligatoire*, SHOULD when all are *Préconisée*, unless its
    ``official_reason`` says why not.
    """
    problems: list[str] = []
    backwards: dict[str, set[str]] = {}
    for req in requirements:
        natures = []
        for official_id in req.official:
            entry = account.get(official_id)
            if entry is None:
                problems.append(f"{req.id}: official id {official_id} is not in the account {account.path}")
                continue
            backwards.setdefault(official_id, set()).add(req.id)
            natures.append(entry.nature)
        if natures and not req.official_reason:
            expected = "MUST" if "Obligatoire" in natures else "SHOULD"
            if req.level != expected:
                problems.append(
                    f"{req.id}: level {req.level}, but its official ids say {expected} "
                    f"({', '.join(req.official)}); fix the level or give an official_reason"
                )
    for entry in account:
        named = backwards.get(entry.id, set())
        if named != set(entry.requirements):
            problems.append(
                f"{entry.id}: the account names {sorted(entry.requirements)}, the catalog maps {sorted(named)} to it"
            )
    return problems


@functools.lru_cache(maxsize=4)
def _cached_account(profiles_root: Path, mtime_ns: int) -> Account:
    """The account of ``profiles_root``, read once per process and version of the file."""
    return load_account(profiles_root)


def official_section(
    verdicts: Mapping[str, str], profiles_root: Path, declared: Mapping[str, Mapping[str, Any]] | None = None
) -> dict[str, Any]:
    """The ``official`` part of a coverage matrix: the account used, counts, one item per official id.

    Empty when ``profiles_root`` has no account (a user's own profiles folder, for instance).
    """
    path = account_path(profiles_root)
    if not path.is_file():
        return {}
    account = _cached_account(profiles_root, path.stat().st_mtime_ns)
    items = official_verdicts(account, verdicts, declared)
    return {"official_account": account.describe(), "official_counts": official_counts(items), "official": items}


def summary_line(section: Mapping[str, Any]) -> str:
    """One line for the run summary: official coverage per disposition, then the official verdicts."""
    if not section.get("official"):
        return ""
    account = section["official_account"]
    counts = section["official_counts"]
    dispositions = ", ".join(f"{n} {d}" for d, n in counts["disposition"].items() if n)
    verdicts = ", ".join(f"{n} {v}" for v, n in sorted(counts["verdict"].items()))
    return (
        f"couverture officielle / official coverage ({account['name']} {account['version']}, "
        f"{len(section['official'])} exigences): {dispositions}; verdicts: {verdicts}"
    )


def write_official_csv(path: Path, section: Mapping[str, Any]) -> None:
    """``official-coverage.csv``: official id, disposition, verdict, project requirements."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["official_id", "nature", "disposition", "verdict", "requirements"])
        for item in section.get("official", []):
            writer.writerow(
                [item["id"], item["nature"], item["disposition"], item["verdict"], " ".join(item["requirements"])]
            )
