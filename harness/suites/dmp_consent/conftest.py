"""Scenarios of the consent to consult the DMP: the person's choice recorded, then a consultation asked.

Each scenario qualifies a person (INSi, QUAL), records her choice about the consultation of her DMP
(trigger operation ``setDmpConsultationConsent``, or the operator), reads its trace
(``getDmpConsultationConsent``), then asks the DUI to retrieve her VSM (``retrieveDmpDocuments``), as a
professional opening her DMP would. What reaches the DMP simulator for her INS is then read from the
recorder: waited for (bounded by the run's exchange timeout, woken by each recorded exchange) when a
consultation is expected; watched for :data:`QUIET` seconds at most when none may come.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from harness.core.recorder import Exchange, Recorder
from harness.errors import HarnessCheckError
from harness.plugin.evidence import Scenario
from harness.plugin.session import RunContext
from harness.suites.dmp_consent.steps import QUIET, qualified
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


@pytest.fixture(scope="session")
def consent_recorded(sut: SutDriver, recorder: Recorder, dmp: Simulator, dui_run: RunContext) -> Scenario:
    """SANTONI-ESSAI PAUL objects to the consultation of his DMP, the DUI is asked to consult it; then his
    non-opposition is recorded and the DUI is asked again (official scenario DMP/CONF.06.01)."""
    _simulator(dmp)
    person_id, ins = qualified(sut, recorder, person("santoni-paul"))
    start = recorder.mark()
    opposition = _choose(sut, person_id, True)
    since = recorder.mark()
    under_opposition = _consult(sut, person_id)
    recorder.wait_for(consulted, service="DMP", since=since, timeout=QUIET, ins=ins)
    watched = recorder.exchanges(service="DMP", since=since, ins=ins)
    consent = _choose(sut, person_id, False)
    back = recorder.mark()
    after_consent = _consult(sut, person_id)
    wait = _bound(after_consent, dui_run.settings.exchange_timeout)
    recorder.wait_for(queried, service="DMP", since=back, timeout=wait, ins=ins)
    after = recorder.exchanges(service="DMP", since=back, ins=ins)
    return Scenario(
        "Opposition puis consentement à la consultation / opposition then consent to consultation",
        person_id,
        recorder.exchanges(service="DMP", since=start, ins=ins),
        {
            "opposition": opposition,
            "under_opposition": under_opposition,
            "opposed_exchanges": [e.id for e in watched],
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
def authorisation_under_opposition(sut: SutDriver, recorder: Recorder, dmp: Simulator) -> Scenario:
    """LEFEVRE-ESSAI JEANNE objects to the consultation of her DMP and no authorisation is positioned; the DUI
    is asked to consult it: it must not position one (nor consult)."""
    simulator = _simulator(dmp)
    person_id, ins = qualified(sut, recorder, person("lefevre-jeanne"))
    opposition = _choose(sut, person_id, True)
    since = recorder.mark()
    with no_authorisation(simulator, ins):
        consultation = _consult(sut, person_id)
        recorder.wait_for(consulted, service="DMP", since=since, timeout=QUIET, ins=ins)
        watched = recorder.exchanges(service="DMP", since=since, ins=ins)
    if "error" not in opposition:  # withdrawn: the person's later scenarios consult as usual
        sut.dmp_consultation_consent(person_id, False, author=AUTHOR)
    return Scenario(
        "Pas d'autorisation sous opposition / no authorisation under opposition",
        person_id,
        watched,
        {"opposition": opposition, "consultation": consultation, "opposed": True},
    )
