"""Rules 5 and 16 of the *Guide d'implémentation de l'INS* in the reference DUI.

- rule 5 (``SC.INS/va1.21``, ``SC.INS/va1.22``, ``SC.INS.06A``): the identity creation form refuses a
  creation when a mandatory trait is missing (birth name, first birth first name, birth date, sex,
  birth place code — ``99999`` when unknown, RNIV 1) and makes no other field mandatory;
- rule 16 (``SC.INS/va1.27``, ``SC.INS.06A``): every access to an identity and every change made to
  it is traced with its date and time, the kind of change and the professional who made it, in the
  DUI's own SQLite table ``identity_audit``.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Any

from reference_dui.identity import InvalidInput

if TYPE_CHECKING:
    from reference_dui.service import DuiService

__all__ = ["MANDATORY", "CreationRefused", "IdentityAudit", "create_from_form"]

#: rule 5: the fields without which no identity is created (the first birth first name is ``first_names[0]``)
MANDATORY = ("birth_name", "first_names", "birth_date", "sex", "birth_place")
#: the local test account that acts when no professional is logged in with Pro Santé Connect
LOCAL_ACCOUNT = "compte-local:operateur-test"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS identity_audit (
    position INTEGER PRIMARY KEY AUTOINCREMENT,
    person_id TEXT NOT NULL,
    entry TEXT NOT NULL
);
"""


class CreationRefused(Exception):
    """Rule 5: the creation form lacks mandatory traits (answered 422 with the fields)."""

    def __init__(self, missing: list[str]) -> None:
        super().__init__(
            f"création refusée, champ(s) obligatoire(s) manquant(s) : {', '.join(missing)} (règle 5 du guide INS)"
        )
        self.missing = missing


def _filled(value: Any) -> bool:
    if isinstance(value, list):
        return bool(value) and isinstance(value[0], str) and bool(value[0].strip())
    return isinstance(value, str) and bool(value.strip())


def create_from_form(service: DuiService, data: Any) -> dict[str, Any]:
    """Rule 5: create the identity the form describes, or :class:`CreationRefused` naming the missing fields."""
    if not isinstance(data, dict) or not isinstance(data.get("fields"), dict):
        raise InvalidInput("the body must be a JSON object {fields: {trait: value}}")
    fields: dict[str, Any] = {k: v for k, v in data["fields"].items() if v is not None}
    cfg = service.config
    required = [k for k in MANDATORY if not (k == "birth_place" and cfg.has("creation_without_birth_place"))]
    if cfg.has("creation_requires_used_name"):
        required.append("used_name")  # defect: a form field that rule 5 forbids to make mandatory
    missing = [k for k in required if not _filled(fields.get(k))]
    if missing:
        raise CreationRefused(missing)
    return service.create_person({"traits": fields})


class IdentityAudit:
    """Rule 16: the trace of the accesses and changes of each identity (date and time, kind, professional)."""

    def __init__(self, service: DuiService) -> None:
        self.service = service
        with service.store.lock:
            service.store.connection.executescript(_SCHEMA)
        service.identity_events.append(self.record)

    def professional(self) -> str:
        """Who acts: the professional logged in with Pro Santé Connect, else the local test account."""
        for feature in self.service.features:
            current = getattr(feature, "current_professional", None)
            if callable(current):
                found = current()
                if isinstance(found, str) and found:
                    return found
        return LOCAL_ACCOUNT

    def record(self, person_id: str, action: str, detail: str) -> None:
        if action != "access" and self.service.config.has("identity_changes_untraced"):
            return  # defect: only the accesses are traced
        entry = {
            "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "action": action,
            "detail": detail,
            "professional": self.professional(),
        }
        store = self.service.store
        with store.lock:
            store.connection.execute(
                "INSERT INTO identity_audit (person_id, entry) VALUES (?, ?)", (person_id, json.dumps(entry))
            )

    def entries(self, person_id: str) -> dict[str, Any]:
        self.service.identity_record(person_id)  # 404 for an unknown person
        store = self.service.store
        with store.lock:
            rows = store.connection.execute(
                "SELECT entry FROM identity_audit WHERE person_id = ? ORDER BY position", (person_id,)
            ).fetchall()
        return {"person_id": person_id, "entries": [json.loads(r[0]) for r in rows]}

    def reset(self) -> None:
        store = self.service.store
        with store.lock:
            store.connection.execute("DELETE FROM identity_audit")
