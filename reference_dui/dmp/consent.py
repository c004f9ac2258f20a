"""The reference DUI's consent to consult the DMP: traced, enforced, and the access authorisation it allows.

* SC.DMP/CONF.06: the person's choice about the consultation of her DMP (opposed, or not opposed =
  consent) is recorded with its date and the professional who recorded it (``recorded_at``,
  ``recorded_by``); while the person objects, no consultation transaction (TD0.2, TD0.3, ITI-18,
  ITI-43) is sent for her. A person with no recorded choice is taken as not opposed (the
  requirement forbids consultation under an opposition; the stricter reading of its scenario —
  nothing until a non-opposition is recorded — is the DUI's setting, not modelled here).
* SC.DMP/UX.50: when the person did not object and TD0.2 says the professional has no
  authorisation positioned (NON_EXISTE) or no longer a valid one (EXPIRE), the DUI positions the
  professional's individual authorisation by itself (TD0.3, no user action), then consults if the
  DMP added it; never under an opposition; INTERDIT (the person barred the professional) is final.

Defect switches: ``dmp_consult_despite_opposition`` (the opposition is recorded, the consultation
goes on as if there were none), ``dmp_no_auto_authorisation`` (no TD0.3: the consultation stops at
the missing authorisation, as if the user had to set it by hand), ``dmp_consent_untraced`` (the
choice is kept without its date and author).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from reference_dui.app import ApiError
from reference_dui.dmp.xds import TD02, TD03, td02, td03
from reference_dui.identity import InvalidInput

if TYPE_CHECKING:
    import sqlite3

    from reference_dui.dmp.cda import Patient
    from reference_dui.dmp.service import DmpService

__all__ = ["access_refused", "choice", "opposed", "record_choice", "reset"]

#: TD0.2 statuses meaning "no authorisation positioned for this professional": TD0.3 may add it
ADDABLE = ("NON_EXISTE", "EXPIRE")
_SCHEMA = """CREATE TABLE IF NOT EXISTS dmp_consultation_choices (
    person_id TEXT PRIMARY KEY, opposed INTEGER NOT NULL, recorded_at TEXT, recorded_by TEXT)"""
_DEFAULT_AUTHOR = "utilisateur authentifié de la DUI de référence / reference DUI user"


def _db(service: DmpService) -> sqlite3.Connection:
    store = service.dui.store
    with store.lock:
        store.connection.execute(_SCHEMA)
    return store.connection


def record_choice(service: DmpService, person_id: str, data: Any) -> dict[str, Any]:
    """Record the person's choice about the consultation of her DMP (``opposed``), with its date and author."""
    if not isinstance(data, dict) or not isinstance(data.get("opposed"), bool):
        raise InvalidInput("the body must be {opposed: bool, author?: string}")
    author = data.get("author", _DEFAULT_AUTHOR)
    if not isinstance(author, str) or not author.strip() or len(author) > 200:
        raise InvalidInput("author must be a non-empty string of at most 200 characters")
    service._patient(person_id)  # a known person with a qualified identity
    untraced = "dmp_consent_untraced" in service.defects
    when = None if untraced else dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    who = None if untraced else author.strip()
    db = _db(service)
    with service.dui.store.lock:
        db.execute(
            "INSERT OR REPLACE INTO dmp_consultation_choices VALUES (?, ?, ?, ?)",
            (person_id, int(data["opposed"]), when, who),
        )
    return choice(service, person_id)


def choice(service: DmpService, person_id: str) -> dict[str, Any]:
    """The recorded choice (the trace: ``opposed``, ``recorded_at``, ``recorded_by``); 404 when none is."""
    if service.dui.store.get(person_id) is None:
        raise ApiError(404, f"unknown person {person_id!r}")
    db = _db(service)
    with service.dui.store.lock:
        row = db.execute(
            "SELECT opposed, recorded_at, recorded_by FROM dmp_consultation_choices WHERE person_id = ?",
            (person_id,),
        ).fetchone()
    if row is None:
        raise ApiError(404, f"aucun choix enregistré / no choice recorded for person {person_id!r}")
    trace: dict[str, Any] = {"person_id": person_id, "opposed": bool(row[0])}
    if row[1] is not None:
        trace["recorded_at"] = row[1]
    if row[2] is not None:
        trace["recorded_by"] = row[2]
    return trace


def opposed(service: DmpService, person_id: str) -> bool:
    """The person objects to the consultation of her DMP, as the DUI applies it (never with the
    ``dmp_consult_despite_opposition`` defect)."""
    if "dmp_consult_despite_opposition" in service.defects:
        return False
    db = _db(service)
    with service.dui.store.lock:
        row = db.execute("SELECT opposed FROM dmp_consultation_choices WHERE person_id = ?", (person_id,)).fetchone()
    return bool(row and row[0])


def access_refused(service: DmpService, person_id: str, patient: Patient) -> str | None:
    """Why the DUI must not consult the person's DMP now (None: it may). In order: the person's
    opposition (SC.DMP/CONF.06: nothing is sent), TD0.2 (SC.DMP/UX.08; skipped by the
    ``dmp_consult_without_td02`` defect), then the authorisation positioned by TD0.3 when none is
    (SC.DMP/UX.50)."""
    if opposed(service, person_id):
        return "opposition de l'usager à la consultation de son DMP : aucune consultation / the person objects"
    if "dmp_consult_without_td02" in service.defects:
        return None
    status = _answer(service, "TD0.2", patient, td02(service._cx(patient)), f"{{{TD02}}}autorisation")
    if status == "VALIDE":
        return None
    if status in ADDABLE and "dmp_no_auto_authorisation" not in service.defects:
        result = _answer(service, "TD0.3", patient, td03(service._cx(patient)), f"{{{TD03}}}resultat")
        if result == "AUTORISATION_AJOUTEE":
            return None
        return f"TD0.2 {status}, TD0.3 {result or 'sans réponse'}: pas de consultation / no consultation"
    return f"TD0.2 {status}: pas de consultation / no consultation"


def _answer(service: DmpService, transaction: str, patient: Patient, body: Any, path: str) -> str:
    reply = service._call(transaction, patient, body)
    if reply.unavailable or reply.fault:
        return f"indisponible / unavailable ({reply.unavailable or reply.fault})"
    return (reply.root.findtext(path) or "") if reply.root is not None else ""


def reset(service: DmpService) -> None:
    db = _db(service)
    with service.dui.store.lock:
        db.execute("DELETE FROM dmp_consultation_choices")
