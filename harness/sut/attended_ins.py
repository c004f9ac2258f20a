"""Attended mode for INS: the operator creates persons and qualifies their identity in the DUI's screens.

The INSi calls are awaited on the recorder; what only the screen shows (the person's id, the identity
status, the INS and the traits the DUI displays) is typed back by the operator.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from harness.core.ins import Traits
from harness.sut.attended_operator import step
from harness.sut.driver import IdentityDocument
from harness.sut.parts.ins import InsDriver

if TYPE_CHECKING:
    from harness.core.recorder import Exchange, Recorder
    from harness.sut.attended_operator import Operator

__all__ = ["AttendedIns"]


def _traits_shown(answer: str, given: Traits | None) -> dict[str, Any]:
    """The traits the operator read on the screen (``name; first names; sex; date; place``), else those given."""
    parts = [p.strip() for p in answer.split(";")]
    if len(parts) >= 4:
        return {
            "birth_name": parts[0],
            "first_names": parts[1].split(),
            "sex": parts[2],
            "birth_date": parts[3],
            "birth_place": (parts[4] if len(parts) > 4 else "") or None,
        }
    return {
        "birth_name": given.birth_name if given else "",
        "first_names": list(given.first_names) if given else [],
        "sex": given.sex if given else "",
        "birth_date": given.birth_date if given else "",
        "birth_place": given.birth_place if given else None,
    }


def _describe(traits: Traits) -> str:
    place = f", COG {traits.birth_place}" if traits.birth_place else ""
    return f"{traits.birth_name} {' '.join(traits.first_names)}, {traits.sex}, {traits.birth_date}{place}"


class AttendedIns(InsDriver):
    """The INS part (:class:`~harness.sut.parts.ins.InsDriver`) of :class:`~harness.sut.attended.AttendedDriver`."""

    recorder: Recorder
    operator: Operator
    exchange_timeout: float
    #: person id -> the traits and identity document given at creation (kept by the driver)
    _traits: dict[str, Traits]
    _documents: dict[str, IdentityDocument | None]

    @step("create_person")
    def create_person(self, traits: Traits, document: IdentityDocument | None = None) -> dict[str, Any]:
        doc_fr = " et enregistrez la vérification d'une pièce d'identité (CNI)" if document else ""
        doc_en = " and record the check of an identity document (ID card)" if document else ""
        answer = self.operator.ask(
            f"Créez l'usager {_describe(traits)}{doc_fr}, puis saisissez l'identifiant affiché par la DUI :",
            f"Create the person {_describe(traits)}{doc_en}, then type the id the DUI shows:",
        )
        person_id = answer or f"attended-{len(self._traits) + 1}"
        self._traits[person_id] = traits
        self._documents[person_id] = document
        return {"person_id": person_id, "traits": {}, "status": "PROV"}

    @step("lookup_ins")
    def lookup_ins(self, person_id: str) -> dict[str, Any]:
        traits = self._traits.get(person_id)
        since = self.recorder.mark()
        self.operator.say(
            f"Lancez la recherche de l'INS (téléservice INSi) pour l'usager {person_id}.",
            f"Run the INS search (INSi teleservice) for person {person_id}.",
        )
        name = traits.birth_name.upper() if traits else None

        def about(exchanges: list[Exchange]) -> list[Exchange]:  # the DUI may send the name in any case
            return [e for e in exchanges if name is None or e.tags.get("birth_name", "").upper() == name]

        found = about(
            self.operator.watch(
                self.recorder, lambda es: bool(about(es)), service="INS", since=since, timeout=self.exchange_timeout
            )
        )
        if found:
            # let the DUI finish its strategy (retries) before reading the result
            deadline = time.monotonic() + 5.0
            while time.monotonic() < deadline:
                count = len(found)
                time.sleep(1.0)
                found = about(self.recorder.exchanges(service="INS", since=since))
                if len(found) == count:
                    break
        last = found[-1].tags.get("cr") if found else None
        outcome = {"00": "found", "01": "not_found", "02": "ambiguous"}.get(last or "", "error")
        return {
            "outcome": outcome if found else "error",
            "cr": last,
            "calls": len(found),
            "message": None if found else "no INSi call received",
        }

    @step("check_identity_document")
    def check_identity_document(self, person_id: str, document: IdentityDocument) -> dict[str, Any]:
        self.operator.ask(
            f"Enregistrez pour l'usager {person_id} la vérification d'une pièce d'identité ({document.type}), "
            "puis appuyez sur Entrée.",
            f"Record for person {person_id} the check of an identity document ({document.type}), then press Enter.",
        )
        return self.identity(person_id)

    @step("identity")
    def identity(self, person_id: str) -> dict[str, Any]:
        status = self.operator.ask(
            f"Quel statut d'identité la DUI affiche-t-elle pour {person_id} ? (PROV, RECUP, VALI, QUAL)",
            f"Which identity status does the DUI show for {person_id}? (PROV, RECUP, VALI, QUAL)",
        ).upper()
        ins = self.operator.ask(
            "Saisissez l'INS affiché (15 caractères) et son OID séparés par un espace, ou laissez vide :",
            "Type the INS shown (15 characters) and its OID separated by a space, or leave empty:",
        )
        value, _, oid = ins.partition(" ")
        given = self._traits.get(person_id)
        shown = self.operator.ask(
            "Traits stricts affichés, séparés par « ; » : nom de naissance ; prénoms de naissance ; sexe ; date de "
            "naissance (AAAA-MM-JJ) ; code INSEE du lieu de naissance — Entrée seule : ceux saisis à la création",
            "Strict traits shown, separated by ';': birth name; birth first names; sex; birth date (YYYY-MM-DD); "
            "INSEE code of the birth place — Enter alone: those typed at creation",
        )
        return {
            "person_id": person_id,
            "status": status,
            "ins": {"value": value, "oid": oid.strip()} if value else None,
            "ins_history": [],
            "traits": _traits_shown(shown, given),
            "declared_by_operator": True,
        }

    @step("exchange_identity")
    def exchange_identity(self, person_id: str) -> dict[str, Any]:
        ins = self.operator.ask(
            f"Éditez un document de l'usager {person_id} : quel INS porte-t-il, et avec quel OID ? (séparés par un "
            "espace ; vide si aucun)",
            f"Produce a document for person {person_id}: which INS does it carry, with which OID? (space "
            "separated; empty if none)",
        )
        value, _, oid = ins.partition(" ")
        return {"ins": {"value": value, "oid": oid.strip()} if value else None, "declared_by_operator": True}
