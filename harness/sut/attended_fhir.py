"""Attended mode for the FHIR services: the operator exports, scans and administers, the harness watches.

What reaches the simulators (the TDDUI bundle, the prescription search, the administrations)
is read from the recorder; what only the DUI's screen shows (did it accept, which lines it
integrated, which administrations it holds) is typed back by the operator.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from harness.sut.attended_operator import step
from harness.sut.parts.eparcours import EparcoursDriver
from harness.sut.parts.epresc import EprescDriver

if TYPE_CHECKING:
    from harness.core.recorder import Recorder
    from harness.sut.attended_operator import Operator

__all__ = ["AttendedFhir"]


def _record_text(record: dict[str, Any]) -> str:
    stay = record.get("stay") or {}
    parts = [f"séjour {stay.get('id')} depuis le {stay.get('start')}"]
    if record.get("event"):
        event = record["event"]
        parts.append(
            f"évènement {event.get('id')} « {event.get('label', '')} » du {event.get('start')} au {event.get('end')}"
        )
    if record.get("evaluation"):
        evaluation = record["evaluation"]
        answers = ", ".join(f"{i.get('question')}={i.get('answer')}" for i in evaluation.get("items", []))
        parts.append(f"évaluation {evaluation.get('title', '')} du {evaluation.get('date')} ({answers})")
    if record.get("project"):
        project = record["project"]
        parts.append(f"projet personnalisé « {project.get('title')} » dès le {project.get('start')}")
    return "; ".join(parts)


class AttendedFhir(EparcoursDriver, EprescDriver):
    """Mixin of :class:`~harness.sut.attended.AttendedDriver` for e-parcours and e-prescription."""

    recorder: Recorder
    operator: Operator
    exchange_timeout: float
    #: person id -> the ids given to the administrations recorded in this run, in order
    _administered: dict[str, list[str]]

    def _yes(self, french: str, english: str) -> bool:
        return self.operator.ask(f"{french} (o/n)", f"{english} (y/n)").strip().lower()[:1] in ("o", "y")

    @step("eparcours_export")
    def eparcours_export(self, person_id: str, record: dict[str, Any]) -> dict[str, Any]:
        since = self.recorder.mark()
        text = _record_text(record)
        self.operator.say(
            f"Saisissez pour l'usager {person_id} : {text}, puis exportez son dossier vers la "
            "plateforme e-parcours (transfert de données DUI).",
            f"Enter for person {person_id}: {text}, then export the record to the e-parcours "
            "platform (DUI data transfer).",
        )
        found = self.operator.watch(self.recorder, service="EPARCOURS", since=since, timeout=self.exchange_timeout)
        if not found:
            return {"outcome": "error", "message": "no flux 1 request reached the e-parcours simulator", "created": []}
        accepted = self._yes(
            "La DUI indique-t-elle que l'export a été accepté ?", "Does the DUI say the export was accepted?"
        )
        return {
            "outcome": "accepted" if accepted else "refused",
            "http_status": found[-1].summary.get("status"),
            "created": [],
            "message": "déclaré par l'opérateur / declared by the operator",
        }

    @step("eparcours_exports")
    def eparcours_exports(self, person_id: str) -> list[dict[str, Any]]:
        shown = (
            self.operator.ask(
                f"Quel statut la DUI affiche-t-elle pour le dernier export de {person_id} ? (accepted, refused, error)",
                f"Which status does the DUI show for the last export of {person_id}? (accepted, refused, error)",
            )
            .strip()
            .lower()
        )
        return [{"export_id": "attended", "status": shown or "error", "created": []}]

    @step("epresc_retrieve")
    def epresc_retrieve(self, person_id: str, prescription_id: str) -> dict[str, Any]:
        since = self.recorder.mark()
        self.operator.say(
            f"Pour l'usager {person_id}, lisez le QR code de l'ordonnance numérique {prescription_id} "
            "(ou saisissez cet identifiant) et intégrez-la.",
            f"For person {person_id}, scan the QR code of e-prescription {prescription_id} (or type "
            "that identifier) and integrate it.",
        )
        self.operator.watch(self.recorder, service="EPRESC", since=since, timeout=self.exchange_timeout)
        shown = self.operator.ask(
            "Qu'affiche la DUI ? (integrated, not_found, refused, unavailable, error)",
            "What does the DUI show? (integrated, not_found, refused, unavailable, error)",
        )
        outcome = shown.strip().lower() or "error"
        lines = self._lines(prescription_id) if outcome == "integrated" else []
        return {
            "prescription_id": prescription_id,
            "outcome": outcome,
            "lines": lines,
            "message": "déclaré par l'opérateur / declared by the operator",
        }

    @step("epresc_prescriptions")
    def epresc_prescriptions(self, person_id: str) -> list[dict[str, Any]]:
        shown = self.operator.ask(
            f"Identifiants des ordonnances intégrées pour {person_id}, séparés par des espaces (vide si aucune) :",
            f"Identifiers of the prescriptions integrated for {person_id}, space separated (empty if none):",
        )
        return [
            {"prescription_id": uid, "lines": self._lines(uid), "declared_by_operator": True} for uid in shown.split()
        ]

    def _lines(self, prescription_id: str) -> list[dict[str, Any]]:
        """The lines the operator reads for one prescription: ``ATC posologie; ATC posologie…``."""
        shown = self.operator.ask(
            f"Lignes intégrées de l'ordonnance {prescription_id} : code ATC puis posologie "
            "affichée, lignes séparées par « ; » (vide si aucune) :",
            f"Lines integrated from prescription {prescription_id}: ATC code then the dosage "
            "shown, lines separated by ';' (empty if none):",
        )
        lines = []
        for number, part in enumerate((p.strip() for p in shown.split(";") if p.strip()), start=1):
            code, _, dosage = part.partition(" ")
            lines.append(
                {
                    "line_id": str(number),
                    "medication": {"code": code},
                    "dosage": dosage.strip(),
                    "declared_by_operator": True,
                }
            )
        return lines

    @step("epresc_administer")
    def epresc_administer(
        self, person_id: str, prescription_id: str, line_id: str, administered_at: str
    ) -> dict[str, Any]:
        since = self.recorder.mark()
        self.operator.say(
            f"Enregistrez l'administration de la ligne {line_id} de l'ordonnance {prescription_id} "
            f"à l'usager {person_id} ({administered_at}).",
            f"Record the administration of line {line_id} of prescription {prescription_id} to "
            f"person {person_id} ({administered_at}).",
        )
        found = self.operator.watch(
            self.recorder, service="EPRESC", since=since, timeout=self.exchange_timeout, prescription=prescription_id
        )
        status = "transmitted" if found and found[-1].summary.get("status") == 201 else "pending"
        recorded = self._administered.setdefault(person_id, [])
        recorded.append(f"attended-{person_id}-{len(recorded) + 1}")
        return {
            "administration_id": recorded[-1],
            "prescription_id": prescription_id,
            "line_id": line_id,
            "administered_at": administered_at,
            "status": status,
            "message": "déduit des échanges / from the exchanges",
        }

    @step("epresc_administrations")
    def epresc_administrations(self, person_id: str) -> list[dict[str, Any]]:
        shown = self.operator.ask(
            f"Statut de chaque administration que la DUI conserve pour {person_id}, dans "
            "l'ordre de saisie, séparés par des espaces (transmitted, pending, failed) ; vide "
            "si aucune :",
            f"Status of each administration the DUI holds for {person_id}, in the order they "
            "were recorded, space separated (transmitted, pending, failed); empty if none:",
        )
        recorded = self._administered.get(person_id, [])
        return [
            {
                "administration_id": recorded[i] if i < len(recorded) else f"attended-{person_id}-extra-{i + 1}",
                "status": status.lower(),
                "declared_by_operator": True,
            }
            for i, status in enumerate(shown.split())
        ]
