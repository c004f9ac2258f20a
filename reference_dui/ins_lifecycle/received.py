"""INS verification in the reference DUI: identities received from another domain, stored INS checked.

Rules 48 to 55 of the *Guide d'implémentation de l'INS* (``SC.INS.26.MS1``, ``SC.INS.42–49``)
and rule 30 (``SC.INS.39``, ``SC.INS/va1.13``):

- an INS received from another identification domain (DMP, MSSanté, HL7 v2, TDDUI) is verified
  with INSi automatically (rule 52), unless the same INS is already held as *récupérée* or
  *qualifiée*;
- **assumption**: the public contract (DESIR_ICIR_EXP_1.5.0.wsdl) has no separate verification
  operation, so a verification is a traits search (``rechercherInsAvecTraitsIdentite``, the
  DUI's whole strategy) whose CR 00 INS and OID must equal the INS verified: anything else is
  KO, an INSi failure is an error (no conclusion, nothing changed);
- KO on an identity of the DUI: status one level down, INS and OID removed (rule 49);
- KO on a received identity: a known person is not updated, an unknown one is created without
  INS, the data are not integrated but put on a work list with an alert (rules 51, 55);
- a *qualifiée* identity received is not kept as qualified: the DUI has no trust contract with
  the sender, so the identity is at most *récupérée* until its own document check (rule 30);
- every verification and its answer is traced (rules 48, 53), read with ``GET /insi/trace``.
"""

from __future__ import annotations

import datetime as dt
import json
import unicodedata
from typing import TYPE_CHECKING, Any

from reference_dui.identity import InvalidInput, Traits, status_for

if TYPE_CHECKING:
    from reference_dui.service import DuiService
    from reference_dui.store import PersonRecord

__all__ = ["DOMAINS", "Verifier"]

DOMAINS = ("DMP", "MSS", "HL7V2", "TDDUI", "OTHER")
DOWNGRADE = {"RECUP": "PROV", "QUAL": "VALI", "PROV": "PROV", "VALI": "VALI"}
_SCHEMA = """
CREATE TABLE IF NOT EXISTS insi_trace (
    position INTEGER PRIMARY KEY AUTOINCREMENT,
    entry TEXT NOT NULL
);
"""


def _fold(value: str) -> str:
    plain = "".join(c for c in unicodedata.normalize("NFKD", value) if not unicodedata.combining(c))
    return " ".join(plain.upper().split())


def _same_person(a: Traits, b: Traits) -> bool:
    return (
        _fold(a.birth_name) == _fold(b.birth_name)
        and _fold(a.first_names[0]) == _fold(b.first_names[0])
        and a.sex == b.sex
        and a.birth_date == b.birth_date
    )


def _ins(data: Any) -> tuple[str, str] | None:
    if data is None:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("value"), str) or not isinstance(data.get("oid"), str):
        raise InvalidInput("ins must be null or an object {value, oid}")
    return data["value"], data["oid"]


class Verifier:
    """INS verifications of ``service`` and the trace of every one."""

    def __init__(self, service: DuiService) -> None:
        self.service = service
        with service.store.lock:
            service.store.connection.executescript(_SCHEMA)
        service.insi_events.append(self.journal)

    # -- trace (rules 48, 53) -----------------------------------------------------------------
    def _trace(self, entry: dict[str, Any]) -> None:
        if self.service.config.has("untraced_verification"):
            return
        self.journal(entry)

    def journal(self, entry: dict[str, Any]) -> None:
        """Keep one INSi call of the DUI's journal (verifications, PSC-backed searches: SC.INS/PSC.01)."""
        entry = {"at": dt.datetime.now(dt.UTC).isoformat(), **entry}
        store = self.service.store
        with store.lock:
            store.connection.execute("INSERT INTO insi_trace (entry) VALUES (?)", (json.dumps(entry),))

    def trace(self) -> dict[str, Any]:
        store = self.service.store
        with store.lock:
            rows = store.connection.execute("SELECT entry FROM insi_trace ORDER BY position").fetchall()
        return {"calls": [json.loads(r[0]) for r in rows]}

    def reset(self) -> None:
        store = self.service.store
        with store.lock:
            store.connection.execute("DELETE FROM insi_trace")

    # -- one verification -----------------------------------------------------------------------
    def _verify(self, traits: Traits, ins: tuple[str, str], person_id: str | None, reason: str) -> dict[str, Any]:
        """Traits search compared with ``ins``: ``{"result": OK|KO|error, "cr", "message", "returned"}``."""
        search = self.service.search_traits(traits)
        answer = search.answer
        returned = answer.active if answer is not None else None
        if search.outcome == "error" and answer is None:
            result, message = "error", f"vérification impossible: {search.message}"
        elif returned is not None and (returned.value, returned.oid) == ins:
            result, message = "OK", f"INS {ins[0]} confirmé par INSi"
        else:
            got = f"INS {returned.value} ({returned.oid})" if returned is not None else f"CR {search.cr}"
            result, message = "KO", f"INSi renvoie {got} pour ces traits, pas l'INS {ins[0]} ({ins[1]})"
        outcome = {
            "result": result,
            "cr": search.cr,
            "message": message,
            "calls": search.calls,
            "returned": {"value": returned.value, "oid": returned.oid} if returned is not None else None,
        }
        self._trace(
            {
                "operation": "verification",
                "reason": reason,
                "person_id": person_id,
                "ins": {"value": ins[0], "oid": ins[1]},
                **outcome,
            }
        )
        return outcome

    def verify_person(self, person_id: str) -> dict[str, Any]:
        """Verify the stored INS of an identity of the DUI (rule 49: KO downgrades and removes the INS)."""
        record = self.service.identity_record(person_id)
        if record.ins is None:
            raise InvalidInput("this identity has no INS to verify")
        outcome = self._verify(record.traits, (record.ins.value, record.ins.oid), person_id, "identité du DUI")
        if outcome["result"] == "KO" and not self.service.config.has("keep_ins_after_failed_verification"):
            record.ins = None
            record.ins_history = []
            record.status = DOWNGRADE[record.status]
            self.service.store.save(record)
        return {"verification": outcome, "identity": self.service.identity(person_id)}

    # -- identities received from another domain ------------------------------------------------
    def _known(self, traits: Traits, ins: tuple[str, str] | None) -> PersonRecord | None:
        for record in self.service.store.list():
            if ins is not None and record.ins is not None and record.ins.value == ins[0]:
                return record
            if _same_person(record.traits, traits):
                return record
        return None

    def receive(self, data: Any) -> dict[str, Any]:
        if not isinstance(data, dict):
            raise InvalidInput("the body must be a JSON object {domain, traits, ins?, status?, data?}")
        domain = data.get("domain")
        if domain not in DOMAINS:
            raise InvalidInput(f"domain must be one of {', '.join(DOMAINS)}")
        traits = Traits.from_json(data.get("traits"))
        ins = _ins(data.get("ins"))
        status = data.get("status", "PROV")
        if status not in ("PROV", "RECUP", "VALI", "QUAL"):
            raise InvalidInput("status must be one of PROV, RECUP, VALI, QUAL")
        cfg = self.service.config
        known = self._known(traits, ins)
        held = (
            known is not None
            and ins is not None
            and known.ins is not None
            and known.ins.value == ins[0]
            and known.status in ("RECUP", "QUAL")
        )
        if ins is None or held:
            verification: dict[str, Any] = {
                "result": "not_needed",
                "cr": None,
                "calls": 0,
                "returned": None,
                "message": "INS déjà connu (récupéré ou qualifié)" if held else "sans INS",
            }
        elif cfg.has("no_received_ins_verification"):
            verification = {
                "result": "OK",
                "cr": None,
                "calls": 0,
                "returned": None,
                "message": "INS reçu intégré sans vérification",
            }
        else:
            verification = self._verify(traits, ins, known.person_id if known else None, f"reçue du domaine {domain}")
        accepted = verification["result"] in ("OK", "not_needed") or cfg.has("integrate_after_failed_verification")
        record = known
        if record is None:
            record = self.service.store.create(traits, "PROV")
            outcome = "created"
        else:
            outcome = "unchanged"
        if accepted and ins is not None and not held:
            record.ins = self.service.stored_ins(*ins)
            # rule 30: INSi confirmed the INS, but no document was checked here: at most RECUP
            record.status = status_for(insi_confirmed=True, document_verified=record.document_verified)
            if status == "QUAL" and cfg.has("trust_received_qualified"):
                record.status = "QUAL"
            self.service.store.save(record)
            outcome = "updated" if known is not None else outcome
        alert = (
            None
            if accepted
            else (
                f"{verification['message']}: donnée reçue du domaine {domain} placée en liste "
                "de travail, à rattacher manuellement (règle 55 du guide INS)"
            )
        )
        return {
            "person_id": record.person_id,
            "outcome": outcome,
            "verification": verification,
            "data_integrated": accepted and data.get("data") is not None,
            "alert": alert,
            "identity": self.service.identity(record.person_id),
        }
