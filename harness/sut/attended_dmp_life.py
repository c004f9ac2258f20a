"""Attended mode for the DMP lifecycle: the operator deletes a document or records an opposition.

The deletion is read from the recorder (the ITI-57 that reaches the DMP simulator); the opposition
has no DMP traffic of its own (SC.DMP/CONF.09: it is recorded in the DUI), so the operator is asked to
record it and says so; the scenario then checks that nothing is fed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from harness.sut.attended_operator import step

if TYPE_CHECKING:
    from harness.core.recorder import Exchange, Recorder
    from harness.sut.attended_operator import Operator

__all__ = ["AttendedDmpLifecycle"]


class AttendedDmpLifecycle:
    """``dmp_delete`` and ``dmp_opposition`` of :class:`~harness.sut.attended_dmp.AttendedDmp`."""

    recorder: Recorder
    operator: Operator
    exchange_timeout: float

    def _await_update(self, since: str) -> list[Exchange]:
        return self.operator.watch(
            self.recorder, service="DMP", transaction="ITI-57", since=since, timeout=self.exchange_timeout
        )

    @step("dmp_delete")
    def dmp_delete(self, person_id: str, document_id: str) -> dict[str, Any]:
        since = self.recorder.mark()
        self.operator.say(
            f"Le document {document_id} de l'usager {person_id} a été versé par erreur : supprimez-le du DMP.",
            f"Document {document_id} of person {person_id} was fed by mistake: delete it from the DMP.",
        )
        found = self._await_update(since)
        ok = bool(found) and found[-1].summary.get("status") == "Success"
        return {
            "document_id": document_id,
            "status": "deleted" if ok else "published",
            "outcome": "deleted" if ok else "error",
            "declared_by_operator": True,
        }

    @step("dmp_opposition")
    def dmp_opposition(self, person_id: str, opposed: bool) -> dict[str, Any]:
        if opposed:
            self.operator.say(
                f"L'usager {person_id} s'oppose à l'alimentation de son DMP : enregistrez son opposition.",
                f"Person {person_id} opposes feeding the DMP: record the opposition.",
            )
        else:
            self.operator.say(
                f"L'usager {person_id} retire son opposition à l'alimentation de son DMP : enregistrez-le.",
                f"Person {person_id} withdraws the opposition to feeding the DMP: record it.",
            )
        return {"person_id": person_id, "opposed": opposed, "declared_by_operator": True}
