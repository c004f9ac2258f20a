"""The steps of the historical catch-up scenario (official scenarios DMP/HISTO.06.01 and .04), judged by
:mod:`harness.suites.dmp_consent.test_history_feeding`.

Three qualified persons each hold a historical PPA of 2019 kept unsent: ADRUN ZOE (eligible; she also has
a DLU already fed with success), CORSE ANTHONY (opposed to feeding), TCHITCHI CATARINA (recorded as
deceased). The DUI's catch-up is started and ADRUN's historical document awaited (run's exchange timeout,
woken by each exchange); the DMP is then watched for :data:`~harness.suites.dmp_consent.steps.QUIET`
seconds (a :class:`~harness.suites.dmp_consent.steps.Watch` on every ITI-41, which the consent
scenarios' consultations, sent meanwhile, never are) for a document that must not come.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from harness.core.recorder import Exchange, Recorder
from harness.plugin.evidence import Scenario
from harness.suites.dmp_consent.steps import Watch, qualified
from harness.suites.ins.persons import person
from harness.sut.driver import SutDriver
from harness.sut.http_trigger import TriggerApiError

__all__ = ["ACT_DATE", "NOT_OFFERED", "Backfill", "registered"]

#: answers meaning "no automatic historical feeding here"
NOT_OFFERED = (404, 405, 501)
ACT_DATE = "2019-05-14"
NAME = "Reprise d'historique / historical catch-up"


def registered(exchange: Exchange) -> set[str]:
    """The uniqueIds an ITI-41 registered."""
    return {str(r.get("unique_id")) for r in exchange.summary.get("registered") or []}


def _offered(call: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
    try:
        result: dict[str, Any] = call(*args, **kwargs)
    except TriggerApiError as exc:
        if exc.status in NOT_OFFERED:
            return {"not_offered": f"{exc}"}
        raise
    return result


@dataclass
class Backfill:
    """The catch-up scenario, begun (:meth:`begin`: up to the watch on what must not come) then ended
    (:meth:`end`, once the watch is over: the opposition withdrawn, the scenario read)."""

    ids: dict[str, tuple[str, str]] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)
    since: str | None = None
    watch: Watch | None = None
    early: Scenario | None = None

    @classmethod
    def begin(cls, sut: SutDriver, recorder: Recorder, timeout: float) -> Backfill:
        """Three persons with a historical PPA each (one eligible, one opposed, one deceased); the catch-up
        run and the eligible person's document awaited; the watch on any further ITI-41 opened."""
        ids = {
            key: qualified(sut, recorder, person(who))
            for key, who in (("eligible", "adrun-zoe"), ("opposed", "corse-anthony"), ("deceased", "tchitchi-catarina"))
        }
        fed = sut.dmp_publish(ids["eligible"][0], "DLU")  # a document already fed with success
        held: dict[str, dict[str, Any]] = {}
        for key, (person_id, _) in ids.items():
            held[key] = _offered(sut.record_historical_document, person_id, "PPA", ACT_DATE)
            if "not_offered" in held[key]:
                return cls(early=Scenario(NAME, None, [], {"not_offered": held[key]}))
        try:
            opposition: dict[str, Any] = sut.dmp_opposition(ids["opposed"][0], True)
        except TriggerApiError as exc:  # judged by DMP-OPP-01; the opposed person is then not judged here
            opposition = {"error": str(exc)}
        death = _offered(sut.set_person_deceased, ids["deceased"][0], True, date="2025-01-02")
        since = recorder.mark()
        started = {} if "not_offered" in death else _offered(sut.run_dmp_history_backfill)
        why = death.get("not_offered") or started.get("not_offered")
        watch = None
        if not why:
            wanted = str(held["eligible"].get("document_id") or "")
            recorder.wait_for(
                lambda found: any(not wanted or wanted in registered(e) for e in found),
                service="DMP",
                transaction="ITI-41",
                since=since,
                timeout=timeout,
                ins=ids["eligible"][1],
            )
            count = len(recorder.exchanges(service="DMP", transaction="ITI-41", since=since))
            watch = Watch.open(since, lambda found: len(found) > count, transaction="ITI-41")
        data = {
            "ins": {key: ins for key, (_, ins) in ids.items()},
            "fed": fed,
            "held": held,
            "death": death,
            "opposition": opposition,
            "started": started,
            "not_offered": {"not_offered": why} if why else None,
        }
        return cls(ids, data, since, watch)

    def end(self, sut: SutDriver, recorder: Recorder) -> Scenario:
        """Once the watch is over: the opposition withdrawn, the ITI-41 since the catch-up started."""
        if self.early is not None:
            return self.early
        if "error" not in self.data["opposition"]:
            sut.dmp_opposition(self.ids["opposed"][0], False)
        return Scenario(
            NAME,
            self.ids["eligible"][0],
            recorder.exchanges(service="DMP", transaction="ITI-41", since=self.since),
            self.data,
        )
