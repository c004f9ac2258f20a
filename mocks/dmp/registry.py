"""The DMP simulator's registry and repository, persisted in SQLite.

One write is one transaction: an accepted submission is stored whole (submission set,
document entries with their metadata XML, associations, document bytes); a rejected one is
never written (checks run before :meth:`Registry.commit`), so it leaves no trace. A RPLC
replacement and an ITI-57 metadata update deprecate the previous version in the same
transaction. The patients table holds each INS's DMP status as TD0.2 reports it.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.validators.xds.ebrim import STATUS_APPROVED

__all__ = ["Registry", "StoredEntry", "StoredSet", "Write"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS patients (ins TEXT PRIMARY KEY, status TEXT NOT NULL, reason TEXT);
CREATE TABLE IF NOT EXISTS submission_sets (
    entry_uuid TEXT PRIMARY KEY, unique_id TEXT NOT NULL UNIQUE, patient_id TEXT NOT NULL,
    source_id TEXT, submission_time TEXT, status TEXT NOT NULL, xml TEXT NOT NULL, received TEXT);
CREATE TABLE IF NOT EXISTS document_entries (
    entry_uuid TEXT PRIMARY KEY, logical_id TEXT NOT NULL, version INTEGER NOT NULL,
    unique_id TEXT NOT NULL, patient_id TEXT NOT NULL, status TEXT NOT NULL,
    type_code TEXT, class_code TEXT, format_code TEXT, confidentiality TEXT NOT NULL DEFAULT '[]',
    creation_time TEXT, author_structures TEXT NOT NULL DEFAULT '[]', mime_type TEXT,
    hash TEXT, size INTEGER, submission_set TEXT, xml TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS de_patient ON document_entries (patient_id, status);
CREATE INDEX IF NOT EXISTS de_unique ON document_entries (unique_id);
CREATE TABLE IF NOT EXISTS associations (
    entry_uuid TEXT PRIMARY KEY, type TEXT NOT NULL, source TEXT NOT NULL, target TEXT NOT NULL,
    xml TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS assoc_source ON associations (source);
CREATE INDEX IF NOT EXISTS assoc_target ON associations (target);
CREATE TABLE IF NOT EXISTS documents (
    unique_id TEXT PRIMARY KEY, content BLOB NOT NULL, mime_type TEXT NOT NULL, hash TEXT NOT NULL);
"""


@dataclass
class StoredEntry:
    """One version of a DocumentEntry as registered."""

    entry_uuid: str
    logical_id: str
    version: int
    unique_id: str
    patient_id: str
    status: str
    type_code: str = ""
    class_code: str = ""
    format_code: str = ""
    confidentiality: list[str] = field(default_factory=list)
    creation_time: str = ""
    author_structures: list[str] = field(default_factory=list)
    mime_type: str = ""
    hash: str = ""
    size: int = 0
    submission_set: str = ""
    xml: str = ""


@dataclass
class StoredSet:
    entry_uuid: str
    unique_id: str
    patient_id: str
    source_id: str
    submission_time: str
    status: str
    xml: str


@dataclass
class Write:
    """Everything one accepted transaction stores, applied atomically by :meth:`Registry.commit`."""

    sets: list[StoredSet] = field(default_factory=list)
    entries: list[StoredEntry] = field(default_factory=list)
    associations: list[tuple[str, str, str, str, str]] = field(default_factory=list)
    documents: list[tuple[str, bytes, str, str]] = field(default_factory=list)
    status_changes: list[tuple[str, str]] = field(default_factory=list)


class Registry:
    """XDS registry + repository of the simulator (``path`` None: in memory)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self._lock = threading.RLock()
        self._db = sqlite3.connect(str(path) if path else ":memory:", check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode = WAL" if path else "PRAGMA journal_mode = MEMORY")
        self._db.execute("PRAGMA synchronous = NORMAL")  # WAL: committed data survives a crash of the process
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def reset(self) -> None:
        with self._lock:
            self._db.executescript(
                "DELETE FROM patients; DELETE FROM submission_sets; DELETE FROM document_entries;"
                " DELETE FROM associations; DELETE FROM documents;"
            )

    # -- patients (TD0.2) -----------------------------------------------------------------
    def set_patient(self, ins: str, status: str, reason: str | None = None) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO patients (ins, status, reason) VALUES (?, ?, ?)", (ins, status, reason)
            )

    def patient(self, ins: str) -> tuple[str, str | None] | None:
        with self._lock:
            row = self._db.execute("SELECT status, reason FROM patients WHERE ins = ?", (ins,)).fetchone()
        return (row["status"], row["reason"]) if row else None

    def patients(self) -> dict[str, str]:
        with self._lock:
            return {r["ins"]: r["status"] for r in self._db.execute("SELECT ins, status FROM patients")}

    # -- writes ---------------------------------------------------------------------------
    def commit(self, write: Write) -> None:
        """Store ``write`` in one transaction (all or nothing)."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                for s in write.sets:
                    self._db.execute(
                        "INSERT INTO submission_sets VALUES (?, ?, ?, ?, ?, ?, ?, datetime('now'))",
                        (s.entry_uuid, s.unique_id, s.patient_id, s.source_id, s.submission_time, s.status, s.xml),
                    )
                for e in write.entries:
                    self._db.execute(
                        "INSERT INTO document_entries VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (
                            e.entry_uuid,
                            e.logical_id,
                            e.version,
                            e.unique_id,
                            e.patient_id,
                            e.status,
                            e.type_code,
                            e.class_code,
                            e.format_code,
                            json.dumps(e.confidentiality),
                            e.creation_time,
                            json.dumps(e.author_structures),
                            e.mime_type,
                            e.hash,
                            e.size,
                            e.submission_set,
                            e.xml,
                        ),
                    )
                for assoc in write.associations:
                    self._db.execute("INSERT INTO associations VALUES (?, ?, ?, ?, ?)", assoc)
                for unique_id, content, mime, digest in write.documents:
                    self._db.execute("INSERT INTO documents VALUES (?, ?, ?, ?)", (unique_id, content, mime, digest))
                for entry_uuid, status in write.status_changes:
                    self._db.execute(
                        "UPDATE document_entries SET status = ? WHERE entry_uuid = ?", (status, entry_uuid)
                    )
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    # -- reads ----------------------------------------------------------------------------
    def _entries(self, where: str, params: tuple[Any, ...]) -> list[StoredEntry]:
        with self._lock:
            rows = self._db.execute(f"SELECT * FROM document_entries WHERE {where} ORDER BY rowid", params).fetchall()
        return [_entry(r) for r in rows]

    def entry(self, entry_uuid: str) -> StoredEntry | None:
        found = self._entries("entry_uuid = ?", (entry_uuid,))
        return found[0] if found else None

    def entries_by_unique_id(self, unique_id: str) -> list[StoredEntry]:
        return self._entries("unique_id = ?", (unique_id,))

    def latest(self, logical_id: str) -> StoredEntry | None:
        found = sorted(self._entries("logical_id = ?", (logical_id,)), key=lambda e: e.version)
        return found[-1] if found else None

    def entries_of_patient(self, patient_id: str | list[str], statuses: list[str]) -> list[StoredEntry]:
        """The entries of a patient (``patient_id``: one spelling, or several: with and without ``^NH``)."""
        keys = [patient_id] if isinstance(patient_id, str) else patient_id
        return self._entries(f"patient_id IN ({_marks(keys)}) AND status IN ({_marks(statuses)})", (*keys, *statuses))

    def sets_of_patient(self, patient_id: str | list[str], statuses: list[str]) -> list[StoredSet]:
        keys = [patient_id] if isinstance(patient_id, str) else patient_id
        return self._sets(f"patient_id IN ({_marks(keys)}) AND status IN ({_marks(statuses)})", (*keys, *statuses))

    def sets(self, uuids: Sequence[str] = (), unique_ids: Sequence[str] = ()) -> list[StoredSet]:
        """Submission sets by entryUUID or uniqueId."""
        found = self._sets(f"entry_uuid IN ({_marks(uuids)})", tuple(uuids)) if uuids else []
        return found + (self._sets(f"unique_id IN ({_marks(unique_ids)})", tuple(unique_ids)) if unique_ids else [])

    def _sets(self, where: str, params: tuple[Any, ...]) -> list[StoredSet]:
        with self._lock:
            rows = self._db.execute(f"SELECT * FROM submission_sets WHERE {where} ORDER BY rowid", params).fetchall()
        return [
            StoredSet(
                r["entry_uuid"],
                r["unique_id"],
                r["patient_id"],
                r["source_id"],
                r["submission_time"],
                r["status"],
                r["xml"],
            )
            for r in rows
        ]

    def set_unique_id_exists(self, unique_id: str) -> bool:
        with self._lock:
            return (
                self._db.execute("SELECT 1 FROM submission_sets WHERE unique_id = ?", (unique_id,)).fetchone()
                is not None
            )

    def associations(self, uuids: list[str]) -> list[tuple[str, str, str, str, str]]:
        marks = ",".join("?" * len(uuids)) or "''"
        with self._lock:
            rows = self._db.execute(
                f"SELECT * FROM associations WHERE source IN ({marks}) OR target IN ({marks}) ORDER BY rowid",
                (*uuids, *uuids),
            ).fetchall()
        return [(r["entry_uuid"], r["type"], r["source"], r["target"], r["xml"]) for r in rows]

    def document(self, unique_id: str) -> tuple[bytes, str] | None:
        with self._lock:
            row = self._db.execute(
                "SELECT content, mime_type FROM documents WHERE unique_id = ?", (unique_id,)
            ).fetchone()
        return (bytes(row["content"]), row["mime_type"]) if row else None

    def counts(self) -> dict[str, int]:
        with self._lock:
            return {
                table: self._db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
                for table in ("submission_sets", "document_entries", "associations", "documents", "patients")
            }

    def approved(self) -> list[StoredEntry]:
        return self._entries("status = ?", (STATUS_APPROVED,))


def _marks(values: Sequence[str]) -> str:
    return ",".join("?" * len(values)) or "''"


def _entry(row: sqlite3.Row) -> StoredEntry:
    return StoredEntry(
        entry_uuid=row["entry_uuid"],
        logical_id=row["logical_id"],
        version=row["version"],
        unique_id=row["unique_id"],
        patient_id=row["patient_id"],
        status=row["status"],
        type_code=row["type_code"] or "",
        class_code=row["class_code"] or "",
        format_code=row["format_code"] or "",
        confidentiality=json.loads(row["confidentiality"]),
        creation_time=row["creation_time"] or "",
        author_structures=json.loads(row["author_structures"]),
        mime_type=row["mime_type"] or "",
        hash=row["hash"] or "",
        size=row["size"] or 0,
        submission_set=row["submission_set"] or "",
        xml=row["xml"],
    )
