"""SQLite tables of the reference DUI's FHIR features: exports, prescriptions, administrations.

Kept in their own database file beside the persons' (``<db>-fhir.sqlite3``, or in memory),
with their own lock; every write is one transaction. An administration is written *before*
it is sent, so that an unavailable teleservice can never make it disappear.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import threading
from pathlib import Path
from typing import Any

__all__ = ["FhirStore"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS eparcours_exports (
    export_id TEXT PRIMARY KEY, person_id TEXT NOT NULL, at TEXT NOT NULL, status TEXT NOT NULL,
    http_status INTEGER, created TEXT NOT NULL, message TEXT);
CREATE TABLE IF NOT EXISTS prescriptions (
    person_id TEXT NOT NULL, prescription_id TEXT NOT NULL, retrieved_at TEXT NOT NULL,
    patient_ref TEXT, ins TEXT, lines TEXT NOT NULL, PRIMARY KEY (person_id, prescription_id));
CREATE TABLE IF NOT EXISTS administrations (
    administration_id TEXT PRIMARY KEY, person_id TEXT NOT NULL, prescription_id TEXT NOT NULL,
    line_id TEXT NOT NULL, administered_at TEXT NOT NULL, status TEXT NOT NULL, message TEXT,
    location TEXT, attempts INTEGER NOT NULL DEFAULT 0);
"""


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class FhirStore:
    """The FHIR features' records (``path`` None: in memory)."""

    def __init__(self, path: Path | None) -> None:
        self._lock = threading.RLock()
        self._db = sqlite3.connect(str(path) if path else ":memory:", check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.executescript(_SCHEMA)

    def _write(self, sql: str, args: tuple[Any, ...]) -> None:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.execute(sql, args)
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _rows(self, sql: str, args: tuple[Any, ...]) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(r) for r in self._db.execute(sql, args).fetchall()]

    # -- e-parcours exports -------------------------------------------------------------------
    def add_export(self, export: dict[str, Any]) -> None:
        self._write(
            "INSERT INTO eparcours_exports VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                export["export_id"],
                export["person_id"],
                export["at"],
                export["outcome"],
                export.get("http_status"),
                json.dumps(export.get("created") or []),
                export.get("message"),
            ),
        )

    def exports(self, person_id: str) -> list[dict[str, Any]]:
        rows = self._rows("SELECT * FROM eparcours_exports WHERE person_id = ? ORDER BY rowid", (person_id,))
        return [
            {
                "export_id": r["export_id"],
                "status": r["status"],
                "at": r["at"],
                "http_status": r["http_status"],
                "created": json.loads(r["created"]),
                "message": r["message"],
            }
            for r in rows
        ]

    # -- prescriptions ----------------------------------------------------------------------------
    def put_prescription(
        self,
        person_id: str,
        prescription_id: str,
        patient_ref: str | None,
        ins: str | None,
        lines: list[dict[str, Any]],
    ) -> None:
        self._write(
            "INSERT OR REPLACE INTO prescriptions VALUES (?, ?, ?, ?, ?, ?)",
            (person_id, prescription_id, now(), patient_ref, ins, json.dumps(lines, ensure_ascii=False)),
        )

    def prescriptions(self, person_id: str) -> list[dict[str, Any]]:
        rows = self._rows("SELECT * FROM prescriptions WHERE person_id = ? ORDER BY rowid", (person_id,))
        return [
            {
                "prescription_id": r["prescription_id"],
                "retrieved_at": r["retrieved_at"],
                "patient_ref": r["patient_ref"],
                "lines": json.loads(r["lines"]),
            }
            for r in rows
        ]

    # -- administrations --------------------------------------------------------------------------
    def add_administration(self, record: dict[str, Any]) -> None:
        self._write(
            "INSERT INTO administrations VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                record["administration_id"],
                record["person_id"],
                record["prescription_id"],
                record["line_id"],
                record["administered_at"],
                record["status"],
                record.get("message"),
                record.get("location"),
                record.get("attempts", 0),
            ),
        )

    def update_administration(
        self, administration_id: str, status: str, message: str | None, location: str | None
    ) -> None:
        self._write(
            "UPDATE administrations SET status = ?, message = ?, location = ?, attempts = attempts + 1 "
            "WHERE administration_id = ?",
            (status, message, location, administration_id),
        )

    def delete_administration(self, administration_id: str) -> None:
        self._write("DELETE FROM administrations WHERE administration_id = ?", (administration_id,))

    def administrations(self, person_id: str | None = None, status: str | None = None) -> list[dict[str, Any]]:
        sql, args = "SELECT * FROM administrations WHERE 1 = 1", list[str]()
        if person_id is not None:
            sql, args = sql + " AND person_id = ?", [*args, person_id]
        if status is not None:
            sql, args = sql + " AND status = ?", [*args, status]
        return self._rows(sql + " ORDER BY rowid", tuple(args))

    def reset(self) -> None:
        with self._lock:
            for table in ("eparcours_exports", "prescriptions", "administrations"):
                self._db.execute(f"DELETE FROM {table}")

    def close(self) -> None:
        with self._lock:
            self._db.close()
