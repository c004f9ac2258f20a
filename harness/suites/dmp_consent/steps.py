"""Steps shared by the consent and historical-feeding scenarios: a person qualified, the quiet bound, the
DMP watched for exchanges that must not come."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from harness.core.recorder import Exchange, Recorder
from harness.errors import HarnessCheckError
from harness.suites.identity import require_qualified
from harness.suites.ins.persons import TestPerson
from harness.sut.driver import IdentityDocument, SutDriver

__all__ = ["CNI", "PARTS", "QUIET", "Watch", "qualified", "selected_parts"]

CNI = IdentityDocument("CNI", verified=True)
#: seconds the DMP is watched for an exchange that must not come (woken by each exchange, no sleep)
QUIET = 2.0
#: the scenarios the consent suite's ``watched_together`` fixture plays, by the fixture that reads each
PARTS = {"history": "history_backfilled", "santoni": "consent_recorded", "lefevre": "authorisation_under_opposition"}


def selected_parts(request: pytest.FixtureRequest) -> set[str]:
    """The :data:`PARTS` a selected test needs (a run scoped to some requirements plays only theirs); all of
    them when no selected test names one (the fixture asked for directly)."""
    used = {name for item in request.session.items for name in getattr(item, "fixturenames", ())}
    return {part for part, fixture in PARTS.items() if fixture in used} or set(PARTS)


def qualified(sut: SutDriver, recorder: Recorder, who: TestPerson) -> tuple[str, str]:
    """The person created with an identity document checked and qualified (INSi); her id and INS.

    Blocked by the INS requirement at fault when the DUI could not qualify the person usably.
    """
    if who.ins is None:
        raise HarnessCheckError(f"fixture person {who.id} has no INS")
    since = recorder.mark()
    person_id = str(sut.create_person(who.traits, CNI)["person_id"])
    sut.lookup_ins(person_id)
    identity = sut.identity(person_id)
    require_qualified(recorder, since, identity, f"{who.traits.birth_name} {who.traits.first_names[0]}")
    return person_id, who.ins


@dataclass(frozen=True)
class Watch:
    """The DMP watched for exchanges that must not come: those since ``since`` (of ``ins``, of
    ``transaction`` when given), for :data:`QUIET` seconds from the moment the watch opens (the DUI's answer
    to the request that might cause them).

    Several watches may be open at once (:meth:`close_all`): the harness goes on with another person's
    steps while the first person's window runs, instead of sitting idle through it. Each window still lasts
    at least :data:`QUIET` seconds from its own opening (the first ones longer), so nothing a lone window
    would have caught escapes; only the idle time is shared.
    """

    since: str
    predicate: Callable[[list[Exchange]], bool]
    deadline: float
    ins: str | None = None
    transaction: str | None = None

    @classmethod
    def open(
        cls,
        since: str,
        predicate: Callable[[list[Exchange]], bool],
        *,
        ins: str | None = None,
        transaction: str | None = None,
    ) -> Watch:
        return cls(since, predicate, time.monotonic() + QUIET, ins, transaction)

    def wait(self, recorder: Recorder) -> None:
        """Wait (woken by each recorded exchange) until the window is over, or ``predicate`` already holds
        (the forbidden exchange came: waiting longer changes nothing)."""
        recorder.wait_for(
            self.predicate,
            service="DMP",
            transaction=self.transaction,
            since=self.since,
            timeout=max(0.0, self.deadline - time.monotonic()),
            **self._tags(),
        )

    def seen(self, recorder: Recorder) -> list[Exchange]:
        """The DMP exchanges watched, since the watch opened."""
        return recorder.exchanges(service="DMP", transaction=self.transaction, since=self.since, **self._tags())

    def _tags(self) -> dict[str, str]:
        return {"ins": self.ins} if self.ins is not None else {}

    @staticmethod
    def close_all(recorder: Recorder, *watches: Watch | None) -> list[list[Exchange]]:
        """Wait for each window in turn (together they last as long as the last one, not their sum), then
        what each saw, read once all are over (``[]`` for a watch never opened: ``None``)."""
        for watch in watches:
            if watch is not None:
                watch.wait(recorder)
        return [watch.seen(recorder) if watch is not None else [] for watch in watches]
