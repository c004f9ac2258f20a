"""Received documents updated or deleted by MSSanté: applied to the record, and traced.

SC.MSS.23.MS1 (a deletion received by MSSanté is handled, and shown), SC.MSS.24.MS1 (a trace of
the received documents modified or deleted), SC.MSS/UX.05 (the record tells of a new version or
of a deletion). How the sender says it:

* a new version ("annule et remplace") is a CDA whose ``relatedDocument typeCode="RPLC"`` names
  the replaced document's id in ``parentDocument/id`` (CI-SIS structuration minimale);
* a deletion is the document itself sent again with its XDM ``DocumentEntry`` marked
  ``status="urn:oasis:names:tc:ebxml-regrep:StatusType:Deprecated"`` in ``METADATA.XML`` (how an
  ITI-57 metadata update deletes in the DMP; the bench's model, the CI-SIS has no published MSSanté
  deletion message in the stored references).

The reference DUI applies both once the document's person is found (same INS rules as any
received document): the replaced document is marked ``replaced``, the deleted one ``deleted``
(kept, flagged), and each change is traced. Its own code, not the harness's.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from email.message import EmailMessage
from typing import Any

from lxml import etree

from reference_dui.mssante.storage import StoreTables
from reference_dui.store import Store

__all__ = ["DEPRECATED", "DocumentLifecycle", "deleted_ids", "replaced_id"]

DEPRECATED = "urn:oasis:names:tc:ebxml-regrep:StatusType:Deprecated"
RIM = "urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0"
SCHEME_UNIQUE_ID = "urn:uuid:2e82c1f6-a085-4c72-9da3-8640a32e42ab"
MAX_METADATA = 4 * 1024 * 1024

_SCHEMA = """
CREATE TABLE IF NOT EXISTS mss_document_status (
    document_id TEXT NOT NULL,
    person_id TEXT NOT NULL,
    status TEXT NOT NULL,
    PRIMARY KEY (document_id, person_id)
);
CREATE TABLE IF NOT EXISTS mss_document_trace (
    position INTEGER PRIMARY KEY AUTOINCREMENT,
    document_id TEXT NOT NULL,
    person_id TEXT NOT NULL,
    action TEXT NOT NULL,
    replaced_by TEXT,
    message_id TEXT,
    at TEXT NOT NULL
);
"""


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def replaced_id(document: bytes) -> str | None:
    """The id (root^extension) of the document this CDA replaces (``relatedDocument`` RPLC), or None."""
    try:
        root = etree.fromstring(document, _parser())
    except etree.XMLSyntaxError:
        return None
    found = root.xpath("c:relatedDocument[@typeCode='RPLC']/c:parentDocument/c:id", namespaces={"c": "urn:hl7-org:v3"})
    if not found:
        return None
    extension = found[0].get("extension")
    return str(found[0].get("root", "")) + (f"^{extension}" if extension else "")


def deleted_ids(message: EmailMessage) -> set[str]:
    """The unique ids of the documents whose XDM entry the message marks Deprecated (deletion)."""
    ids: set[str] = set()
    for part in message.walk():
        name = (part.get_filename() or "").upper()
        payload = part.get_payload(decode=True) if name.endswith(".ZIP") and "XDM" in name else None
        if not isinstance(payload, bytes):
            continue
        try:
            with zipfile.ZipFile(io.BytesIO(payload)) as archive:
                for info in archive.infolist()[:64]:
                    if not info.filename.upper().endswith("/METADATA.XML") or info.file_size > MAX_METADATA:
                        continue
                    root = etree.fromstring(archive.read(info), _parser())
                    for entry in root.iter(f"{{{RIM}}}ExtrinsicObject"):
                        if entry.get("status") != DEPRECATED:
                            continue
                        ids |= {
                            str(i.get("value"))
                            for i in entry.iter(f"{{{RIM}}}ExternalIdentifier")
                            if i.get("identificationScheme") == SCHEME_UNIQUE_ID and i.get("value")
                        }
        except (zipfile.BadZipFile, etree.XMLSyntaxError, OSError, ValueError, NotImplementedError):
            continue
    return ids


class DocumentLifecycle(StoreTables):
    """The status of received documents (``replaced``, ``deleted``) and the trace of their changes."""

    def __init__(self, store: Store) -> None:
        super().__init__(store, _SCHEMA)

    def change(
        self, document_id: str, person_id: str, action: str, message_id: str, *, by: str | None, traced: bool
    ) -> None:
        """Mark ``document_id`` of ``person_id`` ``replaced`` (by ``by``) or ``deleted``; trace it unless told not."""
        self._run(
            "INSERT OR REPLACE INTO mss_document_status VALUES (?, ?, ?)",
            (document_id, person_id, action),
        )
        if traced:
            self._run(
                "INSERT INTO mss_document_trace (document_id, person_id, action, replaced_by, message_id, at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (document_id, person_id, action, by, message_id, dt.datetime.now(dt.UTC).isoformat()),
            )

    def with_status(self, person_id: str, documents: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """``documents`` of the person, each with its ``status`` (``current`` unless changed)."""
        rows = self._run("SELECT document_id, status FROM mss_document_status WHERE person_id = ?", (person_id,))
        status = {str(row["document_id"]): str(row["status"]) for row in rows}
        return [{**d, "status": status.get(str(d["document_id"]), "current")} for d in documents]

    def trace(self) -> list[dict[str, Any]]:
        rows = self._run(
            "SELECT document_id, person_id, action, replaced_by, message_id, at FROM mss_document_trace"
            " ORDER BY position"
        )
        return [dict(row) for row in rows]

    def reset(self) -> None:
        with self.store.lock:
            for table in ("mss_document_status", "mss_document_trace"):
                self.store.connection.execute(f"DELETE FROM {table}")
