"""Scenarios of the outgoing-documents suite: the DUI produces a document with the user's choices.

Each scenario qualifies a person first (as the DMP suite does), then asks the DUI, through the
trigger API or the operator, for one document: the FLUDT of a resident sent to the emergency
service, addressed to the emergency physician and the SAMU regulator; an unstructured document
masked and hidden at its creation. What reached the DMP simulator is the evidence.
"""

from __future__ import annotations

from typing import Any

import pytest

from harness.core.recorder import Recorder
from harness.errors import HarnessCheckError
from harness.plugin.evidence import Scenario
from harness.suites.dmp.conftest import dmp_exchanges, qualify
from harness.suites.ins.persons import person
from harness.sut.driver import SutDriver
from harness.sut.http_trigger import TriggerApiError
from harness.sut.parts.doc import Historical, Recipient, Visibility
from mocks.common.simulator import Simulator

#: the recipients of the FLUDT (synthetic RPPS numbers of the 8997… test range, never real)
EMERGENCY = (
    Recipient("899700000111", "URGENTISTE-ESSAI", "Claire", "1999000111", "CH DE TEST DUI-HARNESS - URGENCES"),
    Recipient("899700000112", "REGULATEUR-ESSAI", "Marc", "1999000112", "SAMU DE TEST DUI-HARNESS"),
)
#: every visibility restriction the DMPi guide lists (JDV_J08)
HIDDEN = Visibility(masked_from_professionals=True, invisible_to_patient=True, invisible_to_legal_representatives=True)
#: a consultation of 2019 whose author has since left the RPPS
PAST_ACT = Historical("2019-03-14", author_left_rpps=True)


def _produce(sut: SutDriver, person_id: str, kind: str, **choices: Any) -> dict[str, Any]:
    """The DUI's answer; a refusal (HTTP status) is what the DUI did, kept for the judgement."""
    try:
        return sut.doc_publish(person_id, kind, **choices)
    except TriggerApiError as exc:
        if exc.status is None:  # an answer against the contract: the harness cannot drive the DUI
            raise
        return {"refused_by_dui": str(exc), "http_status": exc.status}


@pytest.fixture(scope="session")
def fludt_published(sut: SutDriver, recorder: Recorder, dmp: Simulator) -> Scenario:
    """SANTONI-ESSAI PAUL is sent to the emergency service: the DUI produces his FLUDT, addressed to the
    emergency physician and the SAMU regulator, and feeds it to the DMP."""
    who = person("santoni-paul")
    person_id, identity = qualify(sut, recorder, who)
    since = recorder.mark()
    publication = _produce(sut, person_id, "FLUDT", recipients=EMERGENCY)
    return Scenario(
        "FLUDT d'un résident transféré aux urgences / FLUDT of a resident sent to the emergency service",
        person_id,
        dmp_exchanges(recorder, since),
        {"identity": identity, "publication": publication, "recipients": [r.payload() for r in EMERGENCY]},
    )


@pytest.fixture(scope="session")
def hidden_at_submission(sut: SutDriver, recorder: Recorder, dmp: Simulator) -> Scenario:
    """LEFEVRE-ESSAI JEANNE: a document created masked from professionals and invisible to her and to her legal
    representatives; the DUI feeds it to the DMP with those choices."""
    who = person("lefevre-jeanne")
    person_id, identity = qualify(sut, recorder, who)
    since = recorder.mark()
    publication = _produce(sut, person_id, "N1", visibility=HIDDEN)
    return Scenario(
        "Masquage et visibilité dès le premier versement / masking and visibility at the first submission",
        person_id,
        dmp_exchanges(recorder, since),
        {"identity": identity, "publication": publication, "visibility": HIDDEN.payload()},
    )


@pytest.fixture(scope="session")
def historical_published(sut: SutDriver, recorder: Recorder, dmp: Simulator) -> Scenario:
    """BERNARD-ESSAI ANDRE: the ESMS, logged in as the legal entity, feeds the DMP with the report of a
    consultation of 14 March 2019 (historical document) whose author has since left the RPPS."""
    who = person("bernard-andre")
    person_id, identity = qualify(sut, recorder, who)
    since = recorder.mark()
    publication = _produce(sut, person_id, "N1", historical=PAST_ACT)
    return Scenario(
        "Document historique / historical document",
        person_id,
        dmp_exchanges(recorder, since),
        {"identity": identity, "publication": publication, "historical": PAST_ACT.payload()},
    )


def _self_presenting(sut: SutDriver, person_id: str, publication: dict[str, Any]) -> dict[str, Any]:
    """The self-presenting file of a produced document, or the DUI's refusal (HTTP status) as evidence."""
    document_id = str(publication.get("document_id") or "")
    if publication.get("refused_by_dui") or not document_id:
        return {"not_produced": publication.get("refused_by_dui") or "no document id"}
    try:
        return sut.doc_self_presenting(person_id, document_id)
    except TriggerApiError as exc:
        if exc.status is None:
            raise
        return {"refused_by_dui": str(exc), "http_status": exc.status, "document_id": document_id}


@pytest.fixture(scope="session")
def self_presented(sut: SutDriver, recorder: Recorder, dmp: Simulator, fludt_published: Scenario) -> Scenario:
    """SANTONI-ESSAI PAUL's FLUDT (scenario ``fludt_published``) and his DLU, produced now: the DUI hands out
    each in its self-presenting form."""
    person_id = fludt_published.person_id
    if person_id is None:
        raise HarnessCheckError("the FLUDT scenario created no person (fixture precondition)")
    since = recorder.mark()
    dlu = _produce(sut, person_id, "DLU")
    fludt = fludt_published.data["publication"]
    return Scenario(
        "DLU et FLUDT auto-présentables / self-presenting DLU and FLUDT",
        person_id,
        dmp_exchanges(recorder, since),
        {
            "produced": {"DLU": dlu, "FLUDT": fludt},
            "files": {"DLU": _self_presenting(sut, person_id, dlu), "FLUDT": _self_presenting(sut, person_id, fludt)},
        },
    )


@pytest.fixture
def scenario(request: pytest.FixtureRequest) -> Scenario:
    """The scenario named by indirect parametrization."""
    value: Scenario = request.getfixturevalue(request.param)
    return value
