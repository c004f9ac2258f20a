"""Scenarios of the consent to consult the DMP: the person's choice recorded, then a consultation asked.

Each scenario qualifies a person (INSi, QUAL), records her choice about the consultation of her DMP
(trigger operation ``setDmpConsultationConsent``, or the operator), reads its trace
(``getDmpConsultationConsent``), then asks the DUI to retrieve her VSM (``retrieveDmpDocuments``), as a
professional opening her DMP would. What reaches the DMP simulator for her INS is then read from the
recorder: waited for (bounded by the run's exchange timeout, woken by each recorded exchange) when a
consultation is expected; watched for :data:`QUIET` seconds when none may come — those watches, and the
historical catch-up's, run at the same time (:func:`watched_together`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

import pytest

from harness.core.recorder import Exchange, Recorder
from harness.errors import HarnessCheckError
from harness.plugin.evidence import Scenario
from harness.plugin.session import RunContext
from harness.suites.dmp_consent.history import Backfill
from harness.suites.dmp_consent.steps import QUIET, Watch, qualified, selected_parts
from harness.suites.ins.persons import person
from harness.sut.driver import SutDriver
from harness.sut.http_trigger import TriggerApiError
from mocks.common.simulator import Simulator
from mocks.dmp import DmpSimulator

#: the professional named as the author of the recorded choice
AUTHOR = "899900000011 URGENTISTE-ESSAI Camille"
#: the transactions of a consultation of the DMP (the access checks included)
CONSULTATION = ("TD0.2", "TD0.3", "ITI-18", "ITI-43")


def _simulator(dmp: Simulator) -> DmpSimulator:
    if not isinstance(dmp, DmpSimulator):
        raise HarnessCheckError("the DMP simulator of the run is not a DmpSimulator")
    return dmp


def _choose(sut: SutDriver, person_id: str, opposed: bool) -> dict[str, Any]:
    """The choice recorded and its trace read; ``{"error": …}`` when the DUI cannot do it."""
    try:
        recorded = sut.dmp_consultation_consent(person_id, opposed, author=AUTHOR)
    except TriggerApiError as exc:
        return {"error": f"setDmpConsultationConsent: {exc}"}
    try:
        trace = sut.dmp_consultation_trace(person_id)
    except TriggerApiError as exc:
        trace = {"error": f"getDmpConsultationConsent: {exc}"}
    return {"recorded": recorded, "trace": trace}


def _consult(sut: SutDriver, person_id: str) -> dict[str, Any]:
    try:
        return sut.dmp_retrieve(person_id, "VSM")
    except TriggerApiError as exc:  # a DUI may refuse the request itself
        return {"refused_by_dui": str(exc)}


def _bound(answer: dict[str, Any], timeout: float) -> float:
    """How long to await an ITI-18: :data:`QUIET` when the DUI already said it would not consult (blocked,
    error, refused), else ``timeout`` (a DUI may consult after answering)."""
    declined = "refused_by_dui" in answer or answer.get("outcome") in ("blocked", "error")
    return min(QUIET, timeout) if declined else timeout


def consulted(found: list[Exchange]) -> bool:
    """Predicate: a consultation transaction (access checks, ITI-18, ITI-43) reached the DMP."""
    return any(e.transaction in CONSULTATION for e in found)


def queried(found: list[Exchange]) -> bool:
    """Predicate: an ITI-18 query reached the DMP."""
    return any(e.transaction == "ITI-18" for e in found)


@contextmanager
def no_authorisation(dmp: DmpSimulator, ins: str) -> Iterator[None]:
    """Inside the block TD0.2 says no authorisation is positioned for ``ins`` (NON_EXISTE) and a TD0.3 adds
    it (:mod:`mocks.dmp.td03`); after it, the DMP answers VALIDE again."""
    dmp.update_state({"patients": {ins: "NON_EXISTE"}, "td03_grants": [ins]})
    try:
        yield
    finally:
        dmp.update_state({"patients": {ins: "VALIDE"}, "td03_grants": []})


def _opposed(sut: SutDriver, recorder: Recorder, who: str) -> dict[str, Any]:
    """``who`` qualified and her opposition to the consultation recorded (its trace read)."""
    person_id, ins = qualified(sut, recorder, person(who))
    start = recorder.mark()
    return {"person_id": person_id, "ins": ins, "start": start, "opposition": _choose(sut, person_id, True)}


def _consultation_watched(sut: SutDriver, recorder: Recorder, opposed: dict[str, Any]) -> Watch:
    """The DUI asked to consult the opposed person's DMP; the watch on her INS opened at its answer."""
    since = recorder.mark()
    opposed["consultation"] = _consult(sut, opposed["person_id"])
    return Watch.open(since, consulted, ins=opposed["ins"])


@pytest.fixture(scope="session")
def watched_together(
    request: pytest.FixtureRequest, sut: SutDriver, recorder: Recorder, dmp: Simulator, dui_run: RunContext
) -> dict[str, Any]:
    """The three scenarios whose DMP is watched for exchanges that must not come, played so that their
    watches (:class:`~harness.suites.dmp_consent.steps.Watch`, :data:`QUIET` seconds each) run at the same
    time: the run waits about one window instead of three.

    1. ``history``: the historical catch-up (:class:`~harness.suites.dmp_consent.history.Backfill`); once
       the eligible person's document arrived, every further ITI-41 is watched (none may come for the
       opposed or the deceased person).
    2. ``santoni``: SANTONI-ESSAI PAUL objects and the DUI is asked to consult his DMP (official scenario
       DMP/CONF.06.01, first half): his INS is watched for a consultation.
    3. ``lefevre``: LEFEVRE-ESSAI JEANNE objects, TD0.2 says no authorisation is positioned for her, and the
       DUI is asked to consult her DMP: her INS is watched for a consultation or a TD0.3.

    Each window lasts at least QUIET seconds from the DUI's answer that opened it (the earlier ones longer,
    the later persons' steps running inside them); the watches do not overlap in what they look at (ITI-41
    of any person; consultations of SANTONI's INS; of LEFEVRE's). Then the catch-up's scenario is read and
    CORSE's opposition withdrawn, and LEFEVRE's opposition withdrawn (her later scenarios consult as usual);
    SANTONI's non-opposition is the second half of :func:`consent_recorded`. Only the parts a selected test
    needs are played (:func:`~harness.suites.dmp_consent.steps.selected_parts`).
    """
    simulator, parts = _simulator(dmp), selected_parts(request)
    backfill = Backfill.begin(sut, recorder, dui_run.settings.exchange_timeout) if "history" in parts else None
    santoni = _opposed(sut, recorder, "santoni-paul") if "santoni" in parts else None
    santoni_watch = _consultation_watched(sut, recorder, santoni) if santoni is not None else None
    lefevre = _opposed(sut, recorder, "lefevre-jeanne") if "lefevre" in parts else None
    with ExitStack() as stack:
        lefevre_watch = None
        if lefevre is not None:
            stack.enter_context(no_authorisation(simulator, lefevre["ins"]))
            lefevre_watch = _consultation_watched(sut, recorder, lefevre)
        watch = backfill.watch if backfill is not None else None
        _, santoni_seen, lefevre_seen = Watch.close_all(recorder, watch, santoni_watch, lefevre_watch)
        history = backfill.end(sut, recorder) if backfill is not None else None
    played: dict[str, Any] = {"history": history, "santoni": santoni, "lefevre": None}
    if santoni is not None:
        santoni["watched"] = santoni_seen
    if lefevre is not None:
        if "error" not in lefevre["opposition"]:  # withdrawn: the person's later scenarios consult as usual
            sut.dmp_consultation_consent(lefevre["person_id"], False, author=AUTHOR)
        played["lefevre"] = Scenario(
            "Pas d'autorisation sous opposition / no authorisation under opposition",
            lefevre["person_id"],
            lefevre_seen,
            {"opposition": lefevre["opposition"], "consultation": lefevre["consultation"], "opposed": True},
        )
    return played


def _played(watched_together: dict[str, Any], part: str) -> Any:
    found = watched_together.get(part)
    if found is None:  # pragma: no cover - selected_parts names every part a selected test's fixture reads
        raise HarnessCheckError(f"the {part} scenario was not played by watched_together")
    return found


@pytest.fixture(scope="session")
def consent_recorded(
    sut: SutDriver, recorder: Recorder, watched_together: dict[str, Any], dui_run: RunContext
) -> Scenario:
    """SANTONI-ESSAI PAUL objects to the consultation of his DMP, the DUI is asked to consult it (watched in
    :func:`watched_together`); then his non-opposition is recorded and the DUI is asked again (official
    scenario DMP/CONF.06.01)."""
    santoni = _played(watched_together, "santoni")
    person_id, ins = santoni["person_id"], santoni["ins"]
    consent = _choose(sut, person_id, False)
    back = recorder.mark()
    after_consent = _consult(sut, person_id)
    wait = _bound(after_consent, dui_run.settings.exchange_timeout)
    recorder.wait_for(queried, service="DMP", since=back, timeout=wait, ins=ins)
    after = recorder.exchanges(service="DMP", since=back, ins=ins)
    return Scenario(
        "Opposition puis consentement à la consultation / opposition then consent to consultation",
        person_id,
        recorder.exchanges(service="DMP", since=santoni["start"], ins=ins),
        {
            "opposition": santoni["opposition"],
            "under_opposition": santoni["consultation"],
            "opposed_exchanges": [e.id for e in santoni["watched"]],
            "consent": consent,
            "after_consent": after_consent,
            "consent_exchanges": [e.id for e in after],
        },
    )


@pytest.fixture(scope="session")
def authorisation_positioned(sut: SutDriver, recorder: Recorder, dmp: Simulator, dui_run: RunContext) -> Scenario:
    """BERNARD-ESSAI ANDRE does not object; TD0.2 says no authorisation is positioned for the professional;
    the DUI is asked to consult his DMP (official scenario DMP/UX.50.01)."""
    simulator = _simulator(dmp)
    person_id, ins = qualified(sut, recorder, person("bernard-andre"))
    consent = _choose(sut, person_id, False)
    since = recorder.mark()
    with no_authorisation(simulator, ins):
        consultation = _consult(sut, person_id)
        wait = _bound(consultation, dui_run.settings.exchange_timeout)
        recorder.wait_for(queried, service="DMP", since=since, timeout=wait, ins=ins)
    return Scenario(
        "Autorisation positionnée sans opposition / authorisation set, no opposition",
        person_id,
        recorder.exchanges(service="DMP", since=since, ins=ins),
        {"consent": consent, "consultation": consultation, "opposed": False},
    )


@pytest.fixture(scope="session")
def authorisation_under_opposition(watched_together: dict[str, Any]) -> Scenario:
    """LEFEVRE-ESSAI JEANNE objects to the consultation of her DMP and no authorisation is positioned; the DUI
    is asked to consult it: it must not position one (nor consult). Played and watched in
    :func:`watched_together`."""
    scenario: Scenario = _played(watched_together, "lefevre")
    return scenario
