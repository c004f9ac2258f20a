"""The reference DUI's automatic feeding of historical documents (SC.DMP/HISTO.06): the catch-up over every person.

A document of an earlier episode is kept in the person's record, not sent (status ``historical``). The
catch-up (SC.DMP/HISTO.08 (iv): "une opération de rattrapage globale sur tous les patients", started here
by ``POST /dmp/history/backfill``) then sends, for every person meeting the cumulative criteria of
SC.DMP/HISTO.06 — not deceased as recorded in the DUI, qualified INS, no opposition to feeding — each
of her historical documents not yet fed with success, through the usual path (TD0.2, ITI-41). A
person who objects keeps her documents ``blocked`` (SC.DMP/CONF.09); a deceased or unqualified person's
stay ``historical``. Not modelled: the confrontation with deces.matchid.io, and the settings of
SC.DMP/HISTO.08 (types, anteriority, trigger event, maximum speed: one document at a time here).

Defect switches: ``dmp_histo_feed_deceased`` (the death recorded is not a criterion),
``dmp_histo_refeed`` (documents already fed with success are sent again).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from reference_dui.app import ApiError
from reference_dui.identity import InvalidInput
from reference_dui.service import UnknownPerson

if TYPE_CHECKING:
    import sqlite3

    from reference_dui.dmp.service import DmpService

__all__ = ["HELD", "backfill", "record_historical", "reset", "set_death"]

#: the status of a historical document kept in the record, not sent yet
HELD = "historical"
_SCHEMA = "CREATE TABLE IF NOT EXISTS dmp_person_deaths (person_id TEXT PRIMARY KEY, died_on TEXT)"


def _db(service: DmpService) -> sqlite3.Connection:
    store = service.dui.store
    with store.lock:
        store.connection.execute(_SCHEMA)
    return store.connection


def record_historical(service: DmpService, person_id: str, data: Any) -> dict[str, Any]:
    """Keep a document of an earlier episode (``{kind, act_date}``) in the person's record, unsent."""
    if not isinstance(data, dict) or not isinstance(data.get("act_date"), str):
        raise InvalidInput("the body must be {kind, act_date: YYYY-MM-DD, title?}")
    request = {"kind": data.get("kind"), "historical": {"act_date": data["act_date"]}}
    if isinstance(data.get("title"), str):
        request["title"] = data["title"]
    produced = service.publish(person_id, request, send=False)
    doc = service._documents().get(str(produced["document_id"]))
    if doc is None:  # pragma: no cover - publish saved it
        raise ApiError(500, "historical document lost")
    doc.status, doc.message = HELD, "document historique, versé par la reprise d'historique / fed by the catch-up"
    service._documents().save(doc)
    return doc.to_json()


def set_death(service: DmpService, person_id: str, data: Any) -> dict[str, Any]:
    """Record (``deceased`` true, ``date``) or withdraw the person's death."""
    if not isinstance(data, dict) or not isinstance(data.get("deceased"), bool):
        raise InvalidInput("the body must be {deceased: bool, date?: YYYY-MM-DD}")
    if service.dui.store.get(person_id) is None:
        raise UnknownPerson(f"unknown person {person_id!r}")
    date = data.get("date") or dt.date.today().isoformat()
    try:
        date = dt.date.fromisoformat(str(date)).isoformat()
    except ValueError:
        raise InvalidInput(f"date must be YYYY-MM-DD, not {date!r}") from None
    db = _db(service)
    with service.dui.store.lock:
        if data["deceased"]:
            db.execute("INSERT OR REPLACE INTO dmp_person_deaths VALUES (?, ?)", (person_id, date))
        else:
            db.execute("DELETE FROM dmp_person_deaths WHERE person_id = ?", (person_id,))
    return {"person_id": person_id, "deceased": data["deceased"], **({"date": date} if data["deceased"] else {})}


def _deceased(service: DmpService) -> set[str]:
    db = _db(service)
    with service.dui.store.lock:
        return {row[0] for row in db.execute("SELECT person_id FROM dmp_person_deaths")}


def backfill(service: DmpService) -> dict[str, Any]:
    """The catch-up over every person: each historical document of an eligible person is sent."""
    deceased = set() if "dmp_histo_feed_deceased" in service.defects else _deceased(service)
    wanted = {HELD, "published"} if "dmp_histo_refeed" in service.defects else {HELD}
    sent: list[dict[str, Any]] = []
    skipped: list[dict[str, Any]] = []
    for record in service.dui.store.list():
        pid = record.person_id
        held = [d for d in service._documents().of_person(pid) if d.direction == "produced" and d.status in wanted]
        if not held:
            continue
        if pid in deceased or record.status != "QUAL" or record.ins is None:
            why = "décédé / deceased" if pid in deceased else "identité non qualifiée / identity not qualified"
            skipped.extend({"document_id": d.document_id, "person_id": pid, "reason": why} for d in held)
            continue
        for doc in held:
            doc.status = "pending"
            service._documents().save(doc)
            status = service.send_pending(doc.document_id)
            sent.append({"document_id": doc.document_id, "person_id": pid, "status": status})
    return {"sent": sent, "skipped": skipped}


def reset(service: DmpService) -> None:
    db = _db(service)
    with service.dui.store.lock:
        db.execute("DELETE FROM dmp_person_deaths")
