"""Attended mode for the DMP's automatic feeding: the operator validates a document, nothing more.

The scenario then watches the DMP simulator for the DUI's own ITI-41 (the operator is told not to send
anything by hand). Whether the screen stayed usable while the document was sent (SC.DMP/ALI/PROG.05) is
not observed in this mode: the answer is marked ``declared_by_operator`` and that requirement is left
*not judged* (a demonstration).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from harness.sut.attended_operator import step
from harness.sut.parts.dmp_auto import DmpAutoDriver

if TYPE_CHECKING:
    from harness.core.recorder import Recorder
    from harness.sut.attended_operator import Operator

__all__ = ["AttendedDmpAuto"]

KIND_FR = {"DLU": "le document de liaison d'urgence (DLU)", "PPA": "le projet personnalisé", "N1": "un document PDF"}


class AttendedDmpAuto(DmpAutoDriver):
    """``validate_document`` of :class:`~harness.sut.attended.AttendedDriver`."""

    operator: Operator
    recorder: Recorder
    exchange_timeout: float

    @step("validate_document")
    def validate_document(self, person_id: str, kind: str) -> dict[str, Any]:
        self.operator.say(
            f"Dans le dossier de l'usager {person_id}, rédigez puis VALIDEZ {KIND_FR.get(kind, kind)}, comme un "
            "professionnel le ferait. Ne demandez PAS d'envoi au DMP : le banc observe ce que la DUI envoie "
            "d'elle-même.",
            f"In the record of person {person_id}, write then VALIDATE a {kind} document, as a professional would. "
            "Do NOT ask for a DMP submission: the bench watches what the DUI sends by itself.",
        )
        typed = self.operator.ask(
            "Identifiant du document validé (id du document CDA), ou vide si la DUI ne l'affiche pas :",
            "Id of the validated document (CDA document id), or empty if the DUI does not show it:",
        )
        return {"document_id": typed.strip(), "status": "pending", "kind": kind, "declared_by_operator": True}

    @step("dmp_web_access")
    def dmp_web_access(self, mode: str, person_id: str | None = None) -> dict[str, Any]:
        if mode == "patient":
            self.operator.say(
                f"Depuis le dossier de l'usager {person_id}, ouvrez son DMP dans le navigateur (bouton ou clic "
                "droit « Consulter le DMP », TD0.9). Le banc lit l'accès reçu par le DMP simulé.",
                f"From the record of person {person_id}, open the person's DMP in the browser (« Consulter le DMP » "
                "button or right click, TD0.9). The bench reads the access the simulated DMP receives.",
            )
        else:
            self.operator.say(
                "Ouvrez le tableau de bord du web PS DMP depuis la DUI (TD0.9). Le banc lit l'accès reçu.",
                "Open the DMP web PS dashboard from the DUI (TD0.9). The bench reads the access received.",
            )
        since = self.recorder.mark()
        self.operator.watch(
            self.recorder, service="DMP", transaction="TD0.9", since=since, timeout=self.exchange_timeout
        )
        return {"opened_by_operator": True}
