"""Attended mode for the consent to consult the DMP: the operator records the person's choice and reads its trace.

Recording the choice has no DMP traffic of its own (SC.DMP/CONF.06: it is kept in the DUI), so the
operator is asked to record it and says so; the trace (date and author) is what the operator reads on
the DUI's screen and types in. The consultation that follows is watched on the DMP simulator.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from harness.sut.attended_operator import step
from harness.sut.parts.dmp_consent import DmpConsentDriver

if TYPE_CHECKING:
    from harness.sut.attended_operator import Operator

__all__ = ["AttendedDmpConsent"]


class AttendedDmpConsent(DmpConsentDriver):
    """``dmp_consultation_consent`` and ``dmp_consultation_trace`` of :class:`~harness.sut.attended.AttendedDriver`."""

    operator: Operator

    @step("dmp_consultation_consent")
    def dmp_consultation_consent(self, person_id: str, opposed: bool, *, author: str | None = None) -> dict[str, Any]:
        if opposed:
            self.operator.say(
                f"L'usager {person_id} s'oppose à la consultation de son DMP : enregistrez son opposition.",
                f"Person {person_id} objects to the consultation of the DMP: record the opposition.",
            )
        else:
            self.operator.say(
                f"L'usager {person_id} ne s'oppose pas à la consultation de son DMP : enregistrez sa non-opposition.",
                f"Person {person_id} does not object to the consultation of the DMP: record the non-opposition.",
            )
        return {"person_id": person_id, "opposed": opposed, "declared_by_operator": True}

    @step("dmp_consultation_trace")
    def dmp_consultation_trace(self, person_id: str) -> dict[str, Any]:
        self.operator.say(
            f"Affichez la trace du choix de l'usager {person_id} sur la consultation de son DMP.",
            f"Show the trace of person {person_id}'s choice about the consultation of the DMP.",
        )
        when = self.operator.ask(
            "Date et heure d'enregistrement affichées (vide si aucune) :",
            "Date and time of recording shown (empty if none):",
        ).strip()
        who = self.operator.ask(
            "Professionnel qui l'a enregistré, tel qu'affiché (vide si aucun) :",
            "Professional who recorded it, as shown (empty if none):",
        ).strip()
        trace: dict[str, Any] = {"person_id": person_id, "declared_by_operator": True}
        if when:
            trace["recorded_at"] = when
        if who:
            trace["recorded_by"] = who
        return trace
