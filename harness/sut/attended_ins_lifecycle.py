"""Attended mode for the INS identity lifecycle: the operator edits traits, sets attributes, runs
verifications in the DUI's screens; the harness watches INSi and reads back what the screen shows.

The mixin :class:`AttendedInsLifecycle` holds only the lifecycle operations (rules 25 to 55 of the
INS implementation guide); the INSi search and identity read-back live with the other INS steps.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from harness.sut.attended_operator import step
from harness.sut.parts.ins import InsLifecycleDriver

if TYPE_CHECKING:
    from harness.core.ins import Traits
    from harness.core.recorder import Recorder
    from harness.sut.attended_operator import Operator

__all__ = ["AttendedInsLifecycle"]

YES = ("o", "oui", "y", "yes")
TRAIT_LABELS = {
    "birth_name": "nom de naissance / birth name",
    "first_names": "prénoms de naissance / birth first names",
    "sex": "sexe / sex",
    "birth_date": "date de naissance / birth date",
    "birth_place": "lieu de naissance (COG) / birth place",
    "used_name": "nom utilisé / used name",
    "used_first_name": "prénom utilisé / used first name",
}


def _changes(changes: dict[str, Any]) -> str:
    return "; ".join(
        f"{TRAIT_LABELS.get(k, k)} = {' '.join(v) if isinstance(v, list) else v}" for k, v in changes.items()
    )


class AttendedInsLifecycle(InsLifecycleDriver):
    """Mixin of :class:`~harness.sut.attended.AttendedDriver` for the INS lifecycle operations."""

    recorder: Recorder
    operator: Operator

    if TYPE_CHECKING:

        def identity(self, person_id: str) -> dict[str, Any]: ...  # the INS read-back step of AttendedDriver

    @step("update_traits")
    def update_traits(
        self, person_id: str, changes: dict[str, Any], *, identity_manager: bool = False
    ) -> dict[str, Any]:
        who_fr = "avec un compte habilité (gestion des identités)" if identity_manager else "avec un compte ordinaire"
        who_en = "with an identity-manager account" if identity_manager else "with an ordinary account"
        refused = (
            self.operator.ask(
                f"Modifiez l'identité {person_id} {who_fr} : {_changes(changes)}. La DUI a-t-elle refusé la "
                "modification ? (o/n)",
                f"Edit identity {person_id} {who_en}: {_changes(changes)}. Did the DUI refuse the change? (y/n)",
            )
            .strip()
            .lower()
        )
        if refused in YES:
            return {"refused": True, "error": "refusé par la DUI (déclaré par l'opérateur) / refused by the DUI"}
        answer = self.identity(person_id)
        for key in (k for k in changes if k in ("used_name", "used_first_name")):
            answer["traits"][key] = self.operator.ask(f"{TRAIT_LABELS[key]} affiché ?", f"{TRAIT_LABELS[key]} shown?")
        return answer

    @step("set_identity_attributes")
    def set_identity_attributes(
        self, person_id: str, *, doubtful: bool | None = None, fictitious: bool | None = None
    ) -> dict[str, Any]:
        chosen = [fr for flag, fr in ((doubtful, "douteuse / doubtful"), (fictitious, "fictive / fictitious")) if flag]
        self.operator.ask(
            f"Attribuez à l'identité {person_id} l'attribut : {', '.join(chosen)}, puis appuyez sur Entrée.",
            f"Give identity {person_id} the attribute: {', '.join(chosen)}, then press Enter.",
        )
        answer = self.identity(person_id)
        answer["attributes"] = {"doubtful": bool(doubtful), "fictitious": bool(fictitious)}
        return answer

    @step("verify_ins")
    def verify_ins(self, person_id: str) -> dict[str, Any]:
        since = self.recorder.mark()
        result = (
            self.operator.ask(
                f"Lancez la vérification de l'INS de l'identité {person_id} (téléservice INSi). Résultat affiché ? "
                "(OK, KO, erreur)",
                f"Run the INS verification of identity {person_id} (INSi teleservice). Result shown? (OK, KO, error)",
            )
            .strip()
            .upper()
        )
        calls = len(self.recorder.exchanges(service="INS", since=since))
        verdict = {"OK": "OK", "KO": "KO"}.get(result, "error")
        return {
            "verification": {"result": verdict, "calls": calls, "message": "déclaré par l'opérateur"},
            "identity": self.identity(person_id),
        }

    @step("receive_identity")
    def receive_identity(
        self, domain: str, traits: Traits, ins: dict[str, str] | None, status: str, data: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        since = self.recorder.mark()
        ins_text = f"INS {ins['value']} (OID {ins['oid']})" if ins else "sans INS / no INS"
        who = f"{traits.birth_name} {' '.join(traits.first_names)}, {traits.sex}, {traits.birth_date}"
        person_id = self.operator.ask(
            f"Faites recevoir par la DUI, depuis le domaine {domain}, l'identité {who}, {ins_text}, statut {status}, "
            "avec une donnée de santé ; saisissez l'identifiant de l'usager auquel la DUI l'a rattachée :",
            f"Have the DUI receive from domain {domain} the identity {who}, {ins_text}, status {status}, with "
            "health data; type the id of the person the DUI attached it to:",
        ).strip()
        alert = (
            self.operator.ask(
                "La DUI a-t-elle placé la donnée en liste de travail avec une alerte ? (o/n)",
                "Did the DUI put the data on a work list with an alert? (y/n)",
            )
            .strip()
            .lower()
        )
        calls = len(self.recorder.exchanges(service="INS", since=since))
        integrated = alert not in YES
        return {
            "person_id": person_id,
            "outcome": "unchanged",
            "verification": {"result": "declared", "calls": calls},
            "data_integrated": integrated,
            "alert": None if integrated else "déclarée par l'opérateur",
            "identity": self.identity(person_id),
        }

    @step("search_identities")
    def search_identities(self, birth_date: str, name: str | None = None) -> list[dict[str, Any]]:
        typed = f" et « {name} »" if name else ""
        typed_en = f" and '{name}'" if name else ""
        answer = self.operator.ask(
            f"Faites une recherche d'antériorité avec la date {birth_date}{typed} ; saisissez les identifiants des "
            "usagers listés, séparés par des espaces (vide si aucun) :",
            f"Run an anteriority search with the date {birth_date}{typed_en}; type the ids of the persons listed, "
            "space separated (empty if none):",
        )
        return [{"person_id": pid, "declared_by_operator": True} for pid in answer.split()]

    @step("lookup_ins_cpx")
    def lookup_ins_cpx(self, person_id: str, professional: str) -> dict[str, Any]:
        since = self.recorder.mark()
        self.operator.ask(
            f"Connecté avec la carte CPx du professionnel {professional}, lancez la recherche de l'INS de l'usager "
            f"{person_id} en mode individuel (CPx), puis appuyez sur Entrée.",
            f"Signed in with the CPx card of professional {professional}, run the INS search of person {person_id} "
            "in individual (CPx) mode, then press Enter.",
        )
        return self._lookup_outcome(since)

    @step("lookup_ins_vitale")
    def lookup_ins_vitale(self, person_id: str, card: dict[str, str]) -> dict[str, Any]:
        since = self.recorder.mark()
        self.operator.ask(
            f"Avec la carte Vitale de test de l'usager {person_id} (NIR {card.get('nir')} clé {card.get('key')}, "
            f"{card.get('birth_name')}, né(e) le {card.get('birth_date')}, rang {card.get('birth_rank')}), lancez la "
            "recherche de son INS par carte Vitale, puis appuyez sur Entrée.",
            f"With the test Vitale card of person {person_id} (NIR {card.get('nir')} key {card.get('key')}, "
            f"{card.get('birth_name')}, born {card.get('birth_date')}, rank {card.get('birth_rank')}), run the search "
            "of their INS by Vitale card, then press Enter.",
        )
        return self._lookup_outcome(since)

    def _lookup_outcome(self, since: str) -> dict[str, Any]:
        """A LookupOutcome from the INSi exchanges the operator's search made (the last answer's CR)."""
        found = self.recorder.exchanges(service="INS", since=since)
        last = found[-1].summary.get("cr") if found else None
        return {
            "outcome": {"00": "found", "01": "not_found", "02": "ambiguous"}.get(str(last), "error"),
            "cr": last,
            "calls": len(found),
        }

    @step("insi_trace")
    def insi_trace(self) -> dict[str, Any]:
        shown = self.operator.ask(
            "Ouvrez la trace des vérifications INSi de la DUI : saisissez l'INS de chaque appel tracé avec son retour, "
            "séparés par des espaces (vide si aucun) :",
            "Open the DUI's trace of INSi verifications: type the INS of each call traced with its answer, space "
            "separated (empty if none):",
        )
        return {
            "calls": [
                {"operation": "verification", "ins": {"value": v}, "result": "declared", "declared_by_operator": True}
                for v in shown.split()
            ]
        }

    @step("document_nature")
    def document_nature(self, person_id: str) -> str | None:
        shown = (
            self.operator.ask(
                f"Quelle nature de justificatif d'identité la DUI affiche-t-elle pour {person_id} ? (CNI, PASSEPORT, "
                "TITRE_SEJOUR, LIVRET_FAMILLE, EXTRAIT_NAISSANCE ; vide si aucune)",
                f"Which identity document nature does the DUI show for {person_id}? (CNI, PASSEPORT, TITRE_SEJOUR, "
                "LIVRET_FAMILLE, EXTRAIT_NAISSANCE; empty if none)",
            )
            .strip()
            .upper()
        )
        return shown or None
