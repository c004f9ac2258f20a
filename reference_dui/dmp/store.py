"""The reference DUI's DMP documents, in its SQLite store: produced (sent or waiting) and integrated.

A produced document is written here *before* the DMP is called, with status ``pending``: a
DMP that does not answer never loses it (it is sent again by ``POST /dmp/retry``). Statuses:
``pending`` (not sent yet), ``published``, ``refused`` (the DMP answered errors), ``blocked``
(TD0.2 said the DMP cannot be fed), ``replaced`` (a newer version was published).
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from reference_dui.store import Store

__all__ = ["DmpDocument", "DmpStore"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS dmp_documents (
    document_id TEXT PRIMARY KEY, person_id TEXT NOT NULL, direction TEXT NOT NULL, kind TEXT NOT NULL,
    status TEXT NOT NULL, entry_uuid TEXT, logical_id TEXT, meta_version INTEGER NOT NULL DEFAULT 1,
    request TEXT NOT NULL DEFAULT '{}', extra_codes TEXT NOT NULL DEFAULT '[]', attempts INTEGER NOT NULL DEFAULT 0,
    dmp_status TEXT, message TEXT, errors TEXT NOT NULL DEFAULT '[]', ins TEXT, cda BLOB NOT NULL,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS dmp_documents_person ON dmp_documents (person_id);
CREATE TABLE IF NOT EXISTS dmp_oppositions (person_id TEXT PRIMARY KEY, opposed INTEGER NOT NULL, recorded_at TEXT);
"""
_COLUMNS = (
    "document_id",
    "person_id",
    "direction",
    "kind",
    "status",
    "entry_uuid",
    "logical_id",
    "meta_version",
    "request",
    "extra_codes",
    "attempts",
    "dmp_status",
    "message",
    "errors",
    "ins",
    "cda",
    "created_at",
    "updated_at",
)


@dataclass
class DmpDocument:
    document_id: str
    person_id: str
    direction: str
    kind: str
    status: str
    cda: bytes
    entry_uuid: str | None = None
    logical_id: str | None = None
    meta_version: int = 1
    request: dict[str, Any] = field(default_factory=dict)
    extra_codes: list[str] = field(default_factory=list)
    attempts: int = 0
    dmp_status: str | None = None
    message: str | None = None
    errors: list[dict[str, str]] = field(default_factory=list)
    ins: str | None = None
    created_at: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "document_id": self.document_id,
            "person_id": self.person_id,
            "direction": self.direction,
            "kind": self.kind,
            "status": self.status,
            "entry_uuid": self.entry_uuid,
            "version": self.request.get("version", 1),
            "set_id": self.request.get("set_id"),
            "masked_from_professionals": "MASQUE_PS" in self.extra_codes,
            "invisible_to_patient": "INVISIBLE_PATIENT" in self.extra_codes,
            "dmp_status": self.dmp_status,
            "message": self.message,
            "attempts": self.attempts,
            "errors": self.errors,
            "ins": self.ins,
            "size": len(self.cda),
            "created_at": self.created_at,
        }


class DmpStore:
    """The ``dmp_documents`` table, in the reference DUI's own database (its connection and lock)."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._ready: int | None = None

    def _db(self) -> sqlite3.Connection:
        connection = self._store.connection
        if self._ready != id(connection):
            with self._store.lock:
                connection.executescript(_SCHEMA)
            self._ready = id(connection)
        return connection

    def bind(self, store: Store) -> None:
        """Use another store (the DUI restarted with a new connection)."""
        self._store = store

    def save(self, doc: DmpDocument) -> None:
        now = dt.datetime.now(dt.UTC).isoformat()
        doc.created_at = doc.created_at or now
        values = (
            doc.document_id,
            doc.person_id,
            doc.direction,
            doc.kind,
            doc.status,
            doc.entry_uuid,
            doc.logical_id,
            doc.meta_version,
            json.dumps(doc.request),
            json.dumps(doc.extra_codes),
            doc.attempts,
            doc.dmp_status,
            doc.message,
            json.dumps(doc.errors),
            doc.ins,
            doc.cda,
            doc.created_at,
            now,
        )
        db = self._db()
        with self._store.lock:
            db.execute(
                f"INSERT OR REPLACE INTO dmp_documents ({', '.join(_COLUMNS)}) VALUES "
                f"({', '.join('?' * len(_COLUMNS))})",
                values,
            )

    def delete(self, document_id: str) -> None:
        db = self._db()
        with self._store.lock:
            db.execute("DELETE FROM dmp_documents WHERE document_id = ?", (document_id,))

    def _select(self, where: str, params: tuple[Any, ...]) -> list[DmpDocument]:
        db = self._db()
        with self._store.lock:
            rows = db.execute(
                f"SELECT {', '.join(_COLUMNS)} FROM dmp_documents WHERE {where} ORDER BY rowid", params
            ).fetchall()
        return [_document(row) for row in rows]

    def get(self, document_id: str) -> DmpDocument | None:
        found = self._select("document_id = ?", (document_id,))
        return found[0] if found else None

    def of_person(self, person_id: str) -> list[DmpDocument]:
        return self._select("person_id = ?", (person_id,))

    def pending(self) -> list[DmpDocument]:
        return self._select("status = 'pending' AND direction = 'produced'", ())

    def integrated_unique_ids(self) -> set[str]:
        return {d.document_id for d in self._select("direction = 'integrated'", ())}

    def set_opposition(self, person_id: str, opposed: bool) -> None:
        """Record the person's opposition to feeding the DMP (SC.DMP/CONF.09), or its withdrawal."""
        db = self._db()
        with self._store.lock:
            db.execute(
                "INSERT OR REPLACE INTO dmp_oppositions VALUES (?, ?, datetime('now'))", (person_id, int(opposed))
            )

    def opposed(self, person_id: str) -> bool:
        db = self._db()
        with self._store.lock:
            row = db.execute("SELECT opposed FROM dmp_oppositions WHERE person_id = ?", (person_id,)).fetchone()
        return bool(row and row[0])

    def reset(self) -> None:
        db = self._db()
        with self._store.lock:
            db.execute("DELETE FROM dmp_documents")
            db.execute("DELETE FROM dmp_oppositions")


def _document(row: Any) -> DmpDocument:
    data = dict(zip(_COLUMNS, tuple(row), strict=True))
    return DmpDocument(
        document_id=data["document_id"],
        person_id=data["person_id"],
        direction=data["direction"],
        kind=data["kind"],
        status=data["status"],
        cda=bytes(data["cda"]),
        entry_uuid=data["entry_uuid"],
        logical_id=data["logical_id"],
        meta_version=int(data["meta_version"]),
        request=json.loads(data["request"]),
        extra_codes=json.loads(data["extra_codes"]),
        attempts=int(data["attempts"]),
        dmp_status=data["dmp_status"],
        message=data["message"],
        errors=json.loads(data["errors"]),
        ins=data["ins"],
        created_at=data["created_at"],
    )
