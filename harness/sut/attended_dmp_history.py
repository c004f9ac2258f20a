"""Attended mode for the automatic feeding of historical documents: the operator prepares the records and
starts the catch-up; the harness watches the DMP.

Keeping a historical document and recording a death have no DMP traffic: the operator is asked to do
it and says so. The catch-up is the DUI's planned operation (SC.DMP/HISTO.08 (iv)) started by hand.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from harness.sut.attended_operator import step
from harness.sut.parts.dmp_history import DmpHistoryDriver

if TYPE_CHECKING:
    from harness.sut.attended_operator import Operator

__all__ = ["AttendedDmpHistory"]


class AttendedDmpHistory(DmpHistoryDriver):
    """The historical-feeding steps of :class:`~harness.sut.attended.AttendedDriver`."""

    operator: Operator

    @step("record_historical_document")
    def record_historical_document(self, person_id: str, kind: str, act_date: str) -> dict[str, Any]:
        self.operator.say(
            f"Dans le dossier de l'usager {person_id}, enregistrez un document {kind} d'un épisode antérieur, daté "
            f"du {act_date}, SANS l'envoyer au DMP (document historique).",
            f"In the record of person {person_id}, file a {kind} document of an earlier episode dated {act_date}, "
            "WITHOUT sending it to the DMP (historical document).",
        )
        typed = self.operator.ask(
            "Identifiant du document (id du document CDA), ou vide si la DUI ne l'affiche pas :",
            "Id of the document (CDA document id), or empty if the DUI does not show it:",
        )
        return {"document_id": typed.strip(), "status": "historical", "kind": kind, "declared_by_operator": True}

    @step("set_person_deceased")
    def set_person_deceased(self, person_id: str, deceased: bool, *, date: str | None = None) -> dict[str, Any]:
        if deceased:
            self.operator.say(
                f"Enregistrez le décès de l'usager {person_id}" + (f" (le {date})." if date else "."),
                f"Record the death of person {person_id}" + (f" (on {date})." if date else "."),
            )
        else:
            self.operator.say(
                f"Retirez le décès enregistré pour l'usager {person_id}.",
                f"Withdraw the death recorded for person {person_id}.",
            )
        return {"person_id": person_id, "deceased": deceased, "declared_by_operator": True}

    @step("run_dmp_history_backfill")
    def run_dmp_history_backfill(self) -> dict[str, Any]:
        self.operator.say(
            "Lancez maintenant l'opération de rattrapage de la reprise d'historique sur tous les usagers (DMP). "
            "Le banc observe ce que la DUI envoie.",
            "Start the historical catch-up over every person now (DMP). The bench watches what the DUI sends.",
        )
        return {"started_by_operator": True}
