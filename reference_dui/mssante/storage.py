"""The reference DUI's MSSanté tables, in the store's SQLite database.

``mss_documents``: documents integrated in a person's record (``mss_stylesheets``: their producers'
stylesheets); ``mss_messages``: every message
handled (by Message-ID, so that none is integrated twice); ``mss_acknowledgements``: the MDNs
sent.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import sqlite3
from typing import Any

from reference_dui.store import Store

__all__ = ["MssStorage", "StoreTables"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS mss_documents (
    document_id TEXT NOT NULL,
    person_id TEXT NOT NULL REFERENCES persons(person_id) ON DELETE CASCADE,
    code TEXT NOT NULL,
    title TEXT NOT NULL,
    message_id TEXT,
    received_at TEXT NOT NULL,
    content BLOB NOT NULL,
    PRIMARY KEY (document_id, person_id)
);
CREATE TABLE IF NOT EXISTS mss_stylesheets (
    document_id TEXT NOT NULL,
    person_id TEXT NOT NULL REFERENCES persons(person_id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    content BLOB NOT NULL,
    PRIMARY KEY (document_id, person_id)
);
CREATE TABLE IF NOT EXISTS mss_messages (
    message_id TEXT PRIMARY KEY,
    outcome TEXT NOT NULL,
    person_id TEXT,
    error_code TEXT,
    acknowledgement_sent INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS mss_acknowledgements (
    position INTEGER PRIMARY KEY AUTOINCREMENT,
    original_message_id TEXT NOT NULL,
    message_id TEXT,
    recipient TEXT NOT NULL,
    disposition TEXT NOT NULL,
    error_code TEXT
);
"""


class StoreTables:
    """Tables of the MSSanté feature in the DUI's SQLite store: created from ``schema`` once, queried under the
    store's lock."""

    def __init__(self, store: Store, schema: str) -> None:
        self.store = store
        with store.lock:
            store.connection.executescript(schema)

    def _run(self, sql: str, params: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        with self.store.lock:
            return self.store.connection.execute(sql, params).fetchall()


class MssStorage(StoreTables):
    def __init__(self, store: Store) -> None:
        super().__init__(store, _SCHEMA)

    def seen(self, message_id: str) -> bool:
        return bool(self._run("SELECT 1 FROM mss_messages WHERE message_id = ?", (message_id,)))

    def handled(
        self, message_id: str, outcome: str, person_id: str | None, error_code: str | None, acknowledged: bool
    ) -> None:
        self._run(
            "INSERT OR REPLACE INTO mss_messages VALUES (?, ?, ?, ?, ?)",
            (message_id, outcome, person_id, error_code, int(acknowledged)),
        )

    def integrate(
        self, person_id: str, document_id: str, code: str, title: str, message_id: str, content: bytes
    ) -> None:
        received = dt.datetime.now(dt.UTC).isoformat()
        self._run(
            "INSERT OR REPLACE INTO mss_documents VALUES (?, ?, ?, ?, ?, ?, ?)",
            (document_id, person_id, code, title, message_id, received, content),
        )

    def keep_stylesheet(self, person_id: str, document_id: str, name: str, content: bytes) -> None:
        """The producer's stylesheet of an integrated document, kept with it (SC.CDA/INT.15)."""
        self._run("INSERT OR REPLACE INTO mss_stylesheets VALUES (?, ?, ?, ?)", (document_id, person_id, name, content))

    def documents(self, person_id: str) -> list[dict[str, Any]]:
        """The person's documents, with the SHA-256 of the CDA kept and of its producer's stylesheet (if any)."""
        rows = self._run(
            "SELECT d.document_id, d.code, d.title, d.message_id, d.received_at, d.content,"
            " s.name AS stylesheet_name, s.content AS stylesheet FROM mss_documents d"
            " LEFT JOIN mss_stylesheets s ON s.document_id = d.document_id AND s.person_id = d.person_id"
            " WHERE d.person_id = ? ORDER BY d.received_at, d.rowid",
            (person_id,),
        )
        found = []
        for row in rows:
            item = {k: row[k] for k in ("document_id", "code", "title", "message_id", "received_at")}
            item["content_sha256"] = hashlib.sha256(row["content"]).hexdigest()
            sheet = row["stylesheet"]
            item["stylesheet"] = (
                {"name": row["stylesheet_name"], "sha256": hashlib.sha256(sheet).hexdigest()} if sheet else None
            )
            found.append(item)
        return found

    def acknowledged(
        self, original: str, message_id: str, recipient: str, disposition: str, error_code: str | None
    ) -> None:
        self._run(
            "INSERT INTO mss_acknowledgements (original_message_id, message_id, recipient, disposition,"
            " error_code) VALUES (?, ?, ?, ?, ?)",
            (original, message_id, recipient, disposition, error_code),
        )

    def acknowledgements(self) -> list[dict[str, Any]]:
        rows = self._run(
            'SELECT original_message_id, message_id, recipient AS "to", disposition, error_code'
            " FROM mss_acknowledgements ORDER BY position"
        )
        return [dict(row) for row in rows]

    def reset(self) -> None:
        with self.store.lock:
            for table in ("mss_documents", "mss_stylesheets", "mss_messages", "mss_acknowledgements"):
                self.store.connection.execute(f"DELETE FROM {table}")
