"""Identity lifecycle of the reference DUI: traits edits, attributes, and their own SQLite table.

Rules of the *Guide d'implémentation de l'INS* (``SC.INS.15B``, ``SC.INS/va1.18/20/44/48/60``):

- rule 26: once *récupérée* or *qualifiée*, the INS, its OID and the strict traits are locked for
  an ordinary user; complementary traits (used name, used first name) stay editable;
- rule 27: when an identity manager (the "super utilisateur" of rule 26) changes a strict trait
  of such an identity, the INS and its OID are removed and the status goes one level down
  (RECUP → PROV, QUAL → VALI);
- rules 21 and 25: a *douteuse* or *fictive* identity is provisional; the INSi call is blocked
  and it can be neither validated nor qualified.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from reference_dui.identity import InvalidInput, Traits

if TYPE_CHECKING:
    from reference_dui.service import DuiService
    from reference_dui.store import PersonRecord

__all__ = ["COMPLEMENTARY", "STRICT", "Lifecycle", "TraitsLocked"]

STRICT = ("birth_name", "first_names", "sex", "birth_date", "birth_place")
COMPLEMENTARY = ("used_name", "used_first_name")
#: rule 27: the status after a strict trait changed
DOWNGRADE = {"RECUP": "PROV", "QUAL": "VALI"}

_SCHEMA = """
CREATE TABLE IF NOT EXISTS identity_attributes (
    person_id TEXT PRIMARY KEY REFERENCES persons(person_id) ON DELETE CASCADE,
    doubtful INTEGER NOT NULL DEFAULT 0,
    fictitious INTEGER NOT NULL DEFAULT 0
);
"""


class TraitsLocked(Exception):
    """The change touches a locked field (answered 409)."""


class Lifecycle:
    """Traits edits and identity attributes of the persons of ``service``."""

    def __init__(self, service: DuiService) -> None:
        self.service = service
        with service.store.lock:
            service.store.connection.executescript(_SCHEMA)
        service.restrictions.append(self.restriction)

    # -- attributes (rules 21, 25) ------------------------------------------------------------
    def attributes(self, person_id: str) -> dict[str, bool]:
        with self.service.store.lock:
            row = self.service.store.connection.execute(
                "SELECT doubtful, fictitious FROM identity_attributes WHERE person_id = ?", (person_id,)
            ).fetchone()
        return {"doubtful": bool(row[0]) if row else False, "fictitious": bool(row[1]) if row else False}

    def restriction(self, record: PersonRecord) -> str | None:
        if self.service.config.has("qualify_doubtful"):
            return None  # defect: the attributes are stored but never read
        flags = self.attributes(record.person_id)
        named = [label for key, label in (("doubtful", "douteuse"), ("fictitious", "fictive")) if flags[key]]
        if not named:
            return None
        return f"identité {' et '.join(named)}: appel INSi bloqué, identité provisoire (règle 25 du guide INS)"

    def set_attributes(self, person_id: str, data: Any) -> dict[str, Any]:
        if not isinstance(data, dict) or set(data) - {"doubtful", "fictitious"}:
            raise InvalidInput("the body must be a JSON object {doubtful?: boolean, fictitious?: boolean}")
        if not all(isinstance(v, bool) for v in data.values()):
            raise InvalidInput("doubtful and fictitious must be booleans")
        record = self.service.identity_record(person_id)
        flags = {**self.attributes(person_id), **data}
        store = self.service.store
        with store.lock:
            store.connection.execute(
                "INSERT INTO identity_attributes (person_id, doubtful, fictitious) VALUES (?, ?, ?) "
                "ON CONFLICT(person_id) DO UPDATE SET doubtful = excluded.doubtful, fictitious = excluded.fictitious",
                (person_id, int(flags["doubtful"]), int(flags["fictitious"])),
            )
        if self.restriction(record) is not None:
            record.status = "PROV"  # rule 25: downgraded to provisional, its INS invalidated (rule 27)
            record.ins = None
            self.service.store.save(record)
        return self.identity(person_id)

    def identity(self, person_id: str) -> dict[str, Any]:
        answer = self.service.identity(person_id)
        answer["attributes"] = self.attributes(person_id)
        return answer

    # -- traits edits (rules 26, 27) ----------------------------------------------------------
    def update_traits(self, person_id: str, data: Any) -> dict[str, Any]:
        if not isinstance(data, dict) or not isinstance(data.get("changes"), dict) or not data["changes"]:
            raise InvalidInput("the body must be a JSON object {changes: {trait: value}, identity_manager?: boolean}")
        changes: dict[str, Any] = data["changes"]
        unknown = set(changes) - set(STRICT) - set(COMPLEMENTARY)
        if unknown:
            raise InvalidInput(f"changes: unknown trait(s) {', '.join(sorted(unknown))}")
        manager = data.get("identity_manager", False)
        if not isinstance(manager, bool):
            raise InvalidInput("identity_manager must be a boolean")
        record = self.service.identity_record(person_id)
        merged = Traits.from_json({**record.traits.to_json(), **changes})
        strict = [k for k in STRICT if getattr(merged, k) != getattr(record.traits, k)]
        cfg = self.service.config
        established = record.status in DOWNGRADE
        if established and not manager and cfg.has("complementary_traits_locked"):
            raise TraitsLocked("identité récupérée ou qualifiée: aucun trait modifiable")
        if established and strict and not manager and not cfg.has("strict_traits_editable"):
            raise TraitsLocked(
                f"identité {record.status}: trait(s) strict(s) {', '.join(strict)} non modifiable(s) "
                "sans habilitation (règle 26 du guide INS)"
            )
        record.traits = merged
        if established and strict and manager and not cfg.has("keep_ins_after_strict_change"):
            record.ins = None  # rule 27: INS and OID invalidated, status one level down
            record.ins_history = []
            record.status = DOWNGRADE[record.status]
        self.service.store.save(record)
        changed = ", ".join(sorted(changes))
        self.service.identity_event(person_id, "modification", f"traits modifiés : {changed}, statut {record.status}")
        return self.identity(person_id)
