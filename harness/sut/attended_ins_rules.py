"""Attended mode for the INS guide's rules 5 and 16 and the PSC-backed INSi search: the operator fills the
creation form, reads the identity's audit trail and runs a PSC-backed search in the DUI's screens.

The mixin :class:`AttendedInsRules` is registered on :class:`~harness.sut.attended.AttendedDriver`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from harness.sut.attended_ins_lifecycle import TRAIT_LABELS, YES, _changes
from harness.sut.attended_operator import step
from harness.sut.parts.ins_rules import InsRulesDriver

if TYPE_CHECKING:
    from harness.core.recorder import Recorder
    from harness.sut.attended_operator import Operator

__all__ = ["AttendedInsRules"]

CR_OUTCOMES = {"00": "found", "01": "not_found", "02": "ambiguous"}


class AttendedInsRules(InsRulesDriver):
    """Mixin of :class:`~harness.sut.attended.AttendedDriver` for rules 5, 16 and PSC-backed INSi searches."""

    recorder: Recorder
    operator: Operator

    if TYPE_CHECKING:

        def identity(self, person_id: str) -> dict[str, Any]: ...  # the INS read-back step of AttendedDriver

    @step("submit_identity_creation")
    def submit_identity_creation(self, fields: dict[str, Any]) -> dict[str, Any]:
        left = ", ".join(TRAIT_LABELS[k] for k in TRAIT_LABELS if k not in fields)
        refused = (
            self.operator.ask(
                f"Créez une identité en remplissant SEULEMENT : {_changes(fields)} (laissez vides : {left}). "
                "La DUI a-t-elle refusé la création ? (o/n)",
                f"Create an identity filling ONLY: {_changes(fields)} (leave empty: {left}). Did the DUI refuse "
                "the creation? (y/n)",
            )
            .strip()
            .lower()
        )
        if refused in YES:
            missing = self.operator.ask(
                "Champs que la DUI signale manquants (noms séparés par des espaces) :",
                "Fields the DUI reports missing (names, space separated):",
            )
            return {
                "created": False,
                "error": "refusé par la DUI (déclaré par l'opérateur)",
                "missing": missing.split(),
            }
        person_id = self.operator.ask("Identifiant de l'usager créé :", "Id of the person created:").strip()
        return {"created": True, "identity": self.identity(person_id)}

    @step("identity_audit")
    def identity_audit(self, person_id: str) -> dict[str, Any]:
        entries: list[dict[str, Any]] = []
        for action, fr, en in (("access", "consultation", "access"), ("modification", "modification", "change")):
            line = self.operator.ask(
                f"Dans l'historique de l'identité {person_id}, la dernière trace de {fr} : saisissez "
                "« date-heure ISO ; professionnel ; description » (vide si aucune)",
                f"In the history of identity {person_id}, the last {en} trace: type 'ISO date-time ; professional ; "
                "description' (empty if none)",
            )
            parts = [p.strip() for p in line.split(";")]
            if len(parts) >= 2 and parts[0]:
                detail = parts[2] if len(parts) > 2 else ""
                entries.append({"at": parts[0], "action": action, "professional": parts[1], "detail": detail})
        return {"person_id": person_id, "entries": entries, "declared_by_operator": True}

    @step("lookup_ins_psc")
    def lookup_ins_psc(self, person_id: str) -> dict[str, Any]:
        since = self.recorder.mark()
        self.operator.ask(
            f"Connecté avec Pro Santé Connect, lancez la recherche de l'INS de l'usager {person_id} avec "
            "l'authentification PSC, puis appuyez sur Entrée.",
            f"Signed in with Pro Santé Connect, run the INS search of person {person_id} with PSC authentication, "
            "then press Enter.",
        )
        found = self.recorder.exchanges(service="INS", since=since)
        last = found[-1].summary.get("cr") if found else None
        shown = self.operator.ask(
            "Ouvrez le journal des appels INSi de la DUI : saisissez le mode d'authentification et l'idNat du "
            "professionnel du dernier appel, séparés par une espace (ex. « psc 899900000011 » ; vide si absent) :",
            "Open the DUI's INSi call journal: type the authentication mode and the professional's idNat of the "
            "last call, space separated (e.g. 'psc 899900000011'; empty if missing):",
        ).split()
        journal = {"authentication": shown[0], "professional": shown[1] if len(shown) > 1 else None} if shown else None
        return {
            "outcome": CR_OUTCOMES.get(str(last), "error"),
            "cr": last,
            "calls": len(found),
            "journal": {**journal, "declared_by_operator": True} if journal else None,
        }
