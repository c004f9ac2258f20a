"""SQLite store of the reference DUI: persons, traits, INS and OID, INS history, status,
identity-document check and the last INSi outcome.

One connection shared by the server's threads (``check_same_thread=False``) behind a lock;
every write is one transaction.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reference_dui.identity import Traits

__all__ = ["PersonRecord", "Store", "StoredIns"]

_SCHEMA = """
PRAGMA foreign_keys = ON;
CREATE TABLE IF NOT EXISTS persons (
    person_id TEXT PRIMARY KEY,
    local_id TEXT,
    created_at TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('PROV', 'RECUP', 'VALI', 'QUAL')),
    document_type TEXT,
    document_verified INTEGER NOT NULL DEFAULT 0,
    last_insi TEXT
);
CREATE TABLE IF NOT EXISTS traits (
    person_id TEXT PRIMARY KEY REFERENCES persons(person_id) ON DELETE CASCADE,
    birth_name TEXT NOT NULL,
    first_names TEXT NOT NULL,
    sex TEXT NOT NULL,
    birth_date TEXT NOT NULL,
    birth_place TEXT,
    used_name TEXT,
    used_first_name TEXT
);
CREATE TABLE IF NOT EXISTS ins (
    person_id TEXT PRIMARY KEY REFERENCES persons(person_id) ON DELETE CASCADE,
    value TEXT NOT NULL,
    oid TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS ins_history (
    person_id TEXT NOT NULL REFERENCES persons(person_id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    value TEXT NOT NULL,
    oid TEXT NOT NULL,
    date_deb TEXT,
    date_fin TEXT,
    PRIMARY KEY (person_id, position)
);
"""


@dataclass(frozen=True)
class StoredIns:
    """An INS as stored: 15 characters (NIR + key) and the OID of its assigning authority."""

    value: str
    oid: str
    date_deb: str | None = None
    date_fin: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"value": self.value, "oid": self.oid}


@dataclass
class PersonRecord:
    person_id: str
    traits: Traits
    status: str
    local_id: str | None = None
    document_type: str | None = None
    document_verified: bool = False
    ins: StoredIns | None = None
    ins_history: list[StoredIns] = field(default_factory=list)
    last_insi: dict[str, Any] | None = None


class Store:
    """Persons of the reference DUI in SQLite (``path`` None: in memory)."""

    def __init__(self, path: Path | None = None) -> None:
        self._lock = threading.RLock()
        self._db = sqlite3.connect(str(path) if path else ":memory:", check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.executescript(_SCHEMA)
        self._closed = False

    def _write(self, statements: list[tuple[str, tuple[Any, ...]]]) -> None:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                for sql, params in statements:
                    self._db.execute(sql, params)
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def create(
        self,
        traits: Traits,
        status: str,
        *,
        local_id: str | None = None,
        document_type: str | None = None,
        document_verified: bool = False,
    ) -> PersonRecord:
        record = PersonRecord(str(uuid.uuid4()), traits, status, local_id, document_type, document_verified)
        created = dt.datetime.now(dt.UTC).isoformat()
        self._write(
            [
                (
                    "INSERT INTO persons (person_id, local_id, created_at, status, document_type, document_verified)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    (record.person_id, local_id, created, status, document_type, int(document_verified)),
                ),
                _traits_insert(record.person_id, traits),
            ]
        )
        return record

    def save(self, record: PersonRecord) -> None:
        """Write back every part of ``record`` (traits, INS, history, status, document, outcome)."""
        pid = record.person_id
        statements: list[tuple[str, tuple[Any, ...]]] = [
            (
                "UPDATE persons SET status = ?, document_type = ?, document_verified = ?, last_insi = ?"
                " WHERE person_id = ?",
                (
                    record.status,
                    record.document_type,
                    int(record.document_verified),
                    json.dumps(record.last_insi) if record.last_insi is not None else None,
                    pid,
                ),
            ),
            ("DELETE FROM traits WHERE person_id = ?", (pid,)),
            _traits_insert(pid, record.traits),
            ("DELETE FROM ins WHERE person_id = ?", (pid,)),
            ("DELETE FROM ins_history WHERE person_id = ?", (pid,)),
        ]
        if record.ins is not None:
            statements.append(
                ("INSERT INTO ins (person_id, value, oid) VALUES (?, ?, ?)", (pid, record.ins.value, record.ins.oid))
            )
        for position, old in enumerate(record.ins_history):
            statements.append(
                (
                    "INSERT INTO ins_history (person_id, position, value, oid, date_deb, date_fin)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    (pid, position, old.value, old.oid, old.date_deb, old.date_fin),
                )
            )
        self._write(statements)

    def get(self, person_id: str) -> PersonRecord | None:
        with self._lock:
            row = self._db.execute(
                "SELECT p.*, t.birth_name, t.first_names, t.sex, t.birth_date, t.birth_place, t.used_name,"
                " t.used_first_name, i.value AS ins_value, i.oid AS ins_oid FROM persons p"
                " JOIN traits t USING (person_id) LEFT JOIN ins i USING (person_id) WHERE person_id = ?",
                (person_id,),
            ).fetchone()
            if row is None:
                return None
            history = self._db.execute(
                "SELECT value, oid, date_deb, date_fin FROM ins_history WHERE person_id = ? ORDER BY position",
                (person_id,),
            ).fetchall()
        traits = Traits(
            row["birth_name"],
            tuple(json.loads(row["first_names"])),
            row["sex"],
            row["birth_date"],
            row["birth_place"],
            row["used_name"],
            row["used_first_name"],
        )
        return PersonRecord(
            person_id=row["person_id"],
            traits=traits,
            status=row["status"],
            local_id=row["local_id"],
            document_type=row["document_type"],
            document_verified=bool(row["document_verified"]),
            ins=StoredIns(row["ins_value"], row["ins_oid"]) if row["ins_value"] is not None else None,
            ins_history=[StoredIns(h["value"], h["oid"], h["date_deb"], h["date_fin"]) for h in history],
            last_insi=json.loads(row["last_insi"]) if row["last_insi"] else None,
        )

    def list(self) -> list[PersonRecord]:
        with self._lock:
            ids = [r[0] for r in self._db.execute("SELECT person_id FROM persons ORDER BY rowid")]
        return [record for pid in ids if (record := self.get(pid)) is not None]

    def delete(self, person_id: str) -> None:
        self._write([("DELETE FROM persons WHERE person_id = ?", (person_id,))])

    def reset(self) -> None:
        self._write([(f"DELETE FROM {table}", ()) for table in ("ins_history", "ins", "traits", "persons")])

    @property
    def connection(self) -> sqlite3.Connection:
        """The SQLite connection, for a feature's own tables (use it under :attr:`lock`)."""
        return self._db

    @property
    def lock(self) -> threading.RLock:
        return self._lock

    @property
    def closed(self) -> bool:
        return self._closed

    def close(self) -> None:
        with self._lock:
            if not self._closed:
                self._db.close()
                self._closed = True


def _traits_insert(person_id: str, traits: Traits) -> tuple[str, tuple[Any, ...]]:
    return (
        "INSERT INTO traits (person_id, birth_name, first_names, sex, birth_date, birth_place, used_name,"
        " used_first_name) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            person_id,
            traits.birth_name,
            json.dumps(list(traits.first_names), ensure_ascii=False),
            traits.sex,
            traits.birth_date,
            traits.birth_place,
            traits.used_name,
            traits.used_first_name,
        ),
    )
