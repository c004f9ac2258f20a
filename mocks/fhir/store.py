"""SQLite persistence of a FHIR simulator: resources, versions, and the search indexes.

One connection per store (``check_same_thread=False``) behind a lock, ``isolation_level=None``
and explicit ``BEGIN IMMEDIATE``: a transaction Bundle is written by :meth:`ResourceStore.atomic`
in one SQLite transaction, so that an error in any entry rolls every entry back. Each write
keeps the version in ``history`` (deletions too) and refreshes the token (``identifier``, ``status``)
and reference indexes (:data:`REFERENCE_PARAMS`) the search, ``_include`` and ``_revinclude`` use.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

__all__ = ["ResourceStore", "StoredResource", "index_tokens"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS resources (
    type TEXT NOT NULL, id TEXT NOT NULL, version INTEGER NOT NULL, updated TEXT NOT NULL,
    json TEXT NOT NULL, deleted INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (type, id));
CREATE TABLE IF NOT EXISTS history (
    type TEXT NOT NULL, id TEXT NOT NULL, version INTEGER NOT NULL, updated TEXT NOT NULL,
    json TEXT NOT NULL, deleted INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (type, id, version));
CREATE TABLE IF NOT EXISTS tokens (type TEXT NOT NULL, id TEXT NOT NULL, param TEXT NOT NULL,
    system TEXT NOT NULL, value TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS tokens_lookup ON tokens (type, param, value);
CREATE INDEX IF NOT EXISTS tokens_owner ON tokens (type, id);
"""


#: search parameter -> the elements of a resource it reads (R4 names of the usual reference parameters)
REFERENCE_PARAMS: dict[str, tuple[str, ...]] = {
    "subject": ("subject",),
    "patient": ("subject", "patient", "beneficiary"),
    "encounter": ("encounter",),
    "service-provider": ("serviceProvider",),
    "part-of": ("partOf",),
    "request": ("request",),
    "organization": ("organization", "managingOrganization"),
    "practitioner": ("practitioner",),
    "owner": ("owner",),
    "based-on": ("basedOn",),
    "focus": ("focus",),
    "source": ("source",),
}


@dataclass(frozen=True)
class StoredResource:
    type: str
    id: str
    version: int
    updated: str
    resource: dict[str, Any]
    deleted: bool = False

    @property
    def location(self) -> str:
        return f"{self.type}/{self.id}/_history/{self.version}"

    @property
    def etag(self) -> str:
        return f'W/"{self.version}"'

    @property
    def key(self) -> str:
        return f"{self.type}/{self.id}"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _reference_key(reference: str) -> str:
    """``Patient/12`` from ``Patient/12``, ``http://host/base/Patient/12`` or ``…/_history/2``."""
    parts = reference.split("/_history/")[0].rstrip("/").split("/")
    return "/".join(parts[-2:]) if len(parts) >= 2 else reference


def index_tokens(resource: dict[str, Any]) -> list[tuple[str, str, str]]:
    """The ``(param, system, value)`` search keys of a resource.

    ``identifier`` (list or single Identifier), ``status``, and the reference parameters of
    :data:`REFERENCE_PARAMS` (references normalised to ``Type/id``; ``patient`` only when the
    target is a Patient).
    """
    keys: list[tuple[str, str, str]] = []
    identifiers = resource.get("identifier")
    for ident in identifiers if isinstance(identifiers, list) else [identifiers]:
        if isinstance(ident, dict) and isinstance(ident.get("value"), str):
            keys.append(("identifier", str(ident.get("system") or ""), ident["value"]))
    if isinstance(resource.get("status"), str):
        keys.append(("status", "", resource["status"]))
    for param, elements in REFERENCE_PARAMS.items():
        for element in elements:
            for ref in _references(resource.get(element)):
                target = _reference_key(ref)
                if param != "patient" or target.startswith("Patient/"):
                    keys.append((param, "", target))
    return keys


def _references(value: Any) -> list[str]:
    """The reference strings of a Reference or a list of them."""
    items = value if isinstance(value, list) else [value]
    return [i["reference"] for i in items if isinstance(i, dict) and isinstance(i.get("reference"), str)]


class ResourceStore:
    """Resources of one simulator (``path`` None: in memory)."""

    def __init__(self, path: Path | None = None) -> None:
        self._lock = threading.RLock()
        self._db = sqlite3.connect(str(path) if path else ":memory:", check_same_thread=False, isolation_level=None)
        self._db.executescript(_SCHEMA)
        self._in_tx = False

    @contextmanager
    def atomic(self) -> Iterator[ResourceStore]:
        """All writes of the block in one SQLite transaction: committed together or not at all (re-entrant)."""
        with self._lock:
            if self._in_tx:  # nested (same thread: the lock is held): part of the enclosing transaction
                yield self
                return
            self._db.execute("BEGIN IMMEDIATE")
            self._in_tx = True
            try:
                yield self
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            else:
                self._db.execute("COMMIT")
            finally:
                self._in_tx = False

    def new_id(self) -> str:
        return uuid.uuid4().hex[:16]

    def write(self, rtype: str, rid: str, resource: dict[str, Any], *, deleted: bool = False) -> StoredResource:
        """Create or update (a new version); call inside :meth:`atomic` for several writes."""
        with self._lock:
            if not self._in_tx:
                with self.atomic():
                    return self.write(rtype, rid, resource, deleted=deleted)
            row = self._db.execute("SELECT version FROM resources WHERE type = ? AND id = ?", (rtype, rid)).fetchone()
            version = (row[0] + 1) if row else 1
            updated = _now()
            body = dict(resource, resourceType=rtype, id=rid)
            body["meta"] = dict(body.get("meta") or {}, versionId=str(version), lastUpdated=updated)
            text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
            self._db.execute(
                "INSERT OR REPLACE INTO resources VALUES (?, ?, ?, ?, ?, ?)",
                (rtype, rid, version, updated, text, int(deleted)),
            )
            self._db.execute(
                "INSERT INTO history VALUES (?, ?, ?, ?, ?, ?)", (rtype, rid, version, updated, text, int(deleted))
            )
            self._db.execute("DELETE FROM tokens WHERE type = ? AND id = ?", (rtype, rid))
            if not deleted:
                self._db.executemany(
                    "INSERT INTO tokens VALUES (?, ?, ?, ?, ?)",
                    [(rtype, rid, p, s, v) for p, s, v in index_tokens(body)],
                )
            return StoredResource(rtype, rid, version, updated, body, deleted)

    def read(self, rtype: str, rid: str, version: int | None = None) -> StoredResource | None:
        with self._lock:
            if version is None:
                row = self._db.execute(
                    "SELECT version, updated, json, deleted FROM resources WHERE type = ? AND id = ?", (rtype, rid)
                ).fetchone()
            else:
                row = self._db.execute(
                    "SELECT version, updated, json, deleted FROM history WHERE type = ? AND id = ? AND version = ?",
                    (rtype, rid, version),
                ).fetchone()
        if row is None:
            return None
        return StoredResource(rtype, rid, row[0], row[1], json.loads(row[2]), bool(row[3]))

    def search(self, rtype: str, criteria: list[tuple[str, str | None, str]]) -> list[StoredResource]:
        """Resources of ``rtype`` matching every ``(param, system or None, value)`` (AND)."""
        sql = "SELECT r.id, r.version, r.updated, r.json FROM resources r WHERE r.type = ? AND r.deleted = 0"
        args: list[Any] = [rtype]
        for param, system, value in criteria:
            if param == "_id":
                sql += " AND r.id = ?"
                args.append(value)
                continue
            sql += " AND EXISTS (SELECT 1 FROM tokens t WHERE t.type = r.type AND t.id = r.id AND t.param = ?"
            args.append(param)
            if value:
                sql += " AND t.value = ?"
                args.append(value)
            if system is not None:
                sql += " AND t.system = ?"
                args.append(system)
            sql += ")"
        with self._lock:
            rows = self._db.execute(sql + " ORDER BY r.rowid", args).fetchall()
        return [StoredResource(rtype, r[0], r[1], r[2], json.loads(r[3])) for r in rows]

    def history(self, rtype: str | None = None, rid: str | None = None) -> list[StoredResource]:
        """Every version (deletions included) of one resource, one type or the whole store, newest first."""
        sql, args = "SELECT type, id, version, updated, json, deleted FROM history", []
        if rtype is not None:
            sql += " WHERE type = ?"
            args.append(rtype)
            if rid is not None:
                sql += " AND id = ?"
                args.append(rid)
        with self._lock:
            rows = self._db.execute(sql + " ORDER BY updated DESC, rowid DESC", args).fetchall()
        return [StoredResource(r[0], r[1], r[2], r[3], json.loads(r[4]), bool(r[5])) for r in rows]

    def count(self, rtype: str | None = None) -> int:
        with self._lock:
            if rtype is None:
                return int(self._db.execute("SELECT COUNT(*) FROM resources WHERE deleted = 0").fetchone()[0])
            return int(
                self._db.execute("SELECT COUNT(*) FROM resources WHERE type = ? AND deleted = 0", (rtype,)).fetchone()[
                    0
                ]
            )

    def counts(self) -> dict[str, int]:
        with self._lock:
            rows = self._db.execute("SELECT type, COUNT(*) FROM resources WHERE deleted = 0 GROUP BY type").fetchall()
        return {str(t): int(n) for t, n in rows}

    def clear(self) -> None:
        with self.atomic():
            for table in ("resources", "history", "tokens"):
                self._db.execute(f"DELETE FROM {table}")

    def close(self) -> None:
        with self._lock:
            self._db.close()
