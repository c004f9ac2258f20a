"""Scenarios of the MSSanté suite: the DUI sends documents, receives them, acknowledges them.

* ``mss_people``: the synthetic persons of ``fixtures/mssante/persons.json`` are added to the
  INSi simulator, created in the DUI and (except one) qualified through its INSi search.
* ``sent``: one document sent by the DUI through the trigger API (or the operator) to a
  professional, an organisational mailbox, the patient…; its SMTP exchanges.
* ``received``: the harness, as a hospital's software, delivers to the DUI's mailbox one
  message per case (known person for five document kinds, homonym, unknown person, INS not
  matching, no INS, incomplete traits), then asks the DUI once to fetch its mail; each case
  gets its delivery, the DUI's IMAP fetch, the acknowledgement it sent and the documents the
  DUI now lists for the persons.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from harness.core.findings import Blocked, Severity
from harness.core.recorder import Exchange, Recorder
from harness.errors import HarnessCheckError
from harness.plugin.evidence import Scenario
from harness.plugin.session import RunContext
from harness.suites.identity import identity_blockers
from harness.suites.mss.documents import (
    STYLESHEET_NAME,
    MssPerson,
    cda_for,
    mss_person,
    mss_persons_for_insi,
    producer_stylesheet,
    with_stylesheet,
)
from harness.suites.mss.messages import document_message
from harness.sut.driver import IdentityDocument, SutDriver
from mocks.common.simulator import Simulator
from mocks.mssante import MssSimulator

SERVICE = "MSS"
CNI = IdentityDocument("CNI", verified=True)
QUALIFIED = ("mss-roux-helene", "mss-roux-odile", "mss-mercier-paul")
UNQUALIFIED = "mss-blanc-luc"


@dataclass(frozen=True)
class Case:
    """One message the harness delivers to the DUI, and what the DUI must do with it."""

    person: str
    kind: str
    acknowledgement: bool = True
    with_ins: bool = True
    drop: tuple[str, ...] = ()
    traits: tuple[tuple[str, Any], ...] = ()
    expected_code: str | None = None  # None: integrated for ``person``
    #: the CDA names its producer's stylesheet, shipped beside it in the archive (SC.CDA/INT.15)
    stylesheet: bool = False

    def patient(self) -> MssPerson:
        found = mss_person(self.person)
        return found.with_traits(**dict(self.traits)) if self.traits else found


RECEIVING = {
    "known-vsm": Case("mss-roux-helene", "vsm"),
    "known-fludr": Case("mss-roux-helene", "fludr"),
    "known-cr-bio": Case("mss-roux-helene", "cr-bio"),
    "known-ldl-ses": Case("mss-roux-helene", "ldl-ses", acknowledgement=False),
    "known-presc-med": Case("mss-roux-helene", "presc-med"),
    "known-with-stylesheet": Case("mss-roux-helene", "cr-bio", acknowledgement=False, stylesheet=True),
    "homonym": Case("mss-roux-odile", "vsm"),
    "unknown-person": Case("mss-garnier-sophie", "cr-bio", expected_code="902"),
    "no-ins": Case("mss-roux-helene", "fludr", with_ins=False, expected_code="903"),
    "ins-not-matching": Case(
        "mss-mercier-paul", "ldl-ses", traits=(("first_names", ("PIERRE", "HENRI")),), expected_code="904"
    ),
    "incomplete-traits": Case("mss-mercier-paul", "vsm", drop=("birth_place", "first_names"), expected_code="905"),
}
INTEGRATED = [name for name, case in RECEIVING.items() if case.expected_code is None]
REJECTED = [name for name, case in RECEIVING.items() if case.expected_code is not None]

#: sending case -> (person, recipient kind, directory role or address, acknowledgement, visible to patient)
SENDING: dict[str, tuple[str, str, str | None, bool, bool]] = {
    "professional": ("mss-roux-helene", "professional", "jean.medecin-essai@chu-essai.mssante.fr", False, True),
    "organisation-ack": ("mss-roux-helene", "organisation", "secretariat.geriatrie@chu-essai.mssante.fr", True, True),
    "patient": ("mss-roux-helene", "patient", None, False, True),
    "unqualified": (UNQUALIFIED, "professional", "claire.infirmiere-essai@ssiad-essai.mssante.fr", False, True),
    "patient-invisible": ("mss-roux-helene", "patient", None, False, False),
}
#: sending cases that must put a message on the wire
SENT = [name for name, case in SENDING.items() if case[4]]


@pytest.fixture(scope="session")
def operator(mss: Simulator) -> MssSimulator:
    if not isinstance(mss, MssSimulator):
        raise HarnessCheckError("the MSSanté simulator of the run is not an MssSimulator")
    return mss


#: person key -> (blocking INS requirements, why), for the persons the DUI could not qualify usably
BLOCKERS = pytest.StashKey[dict[str, tuple[tuple[str, ...], str]]]()


@pytest.fixture(scope="session")
def mss_people(request: pytest.FixtureRequest, sut: SutDriver, recorder: Recorder, insi: Simulator) -> dict[str, str]:
    """Person id in the DUI of each synthetic person (qualified ones through INSi and an ID card)."""
    insi.update_state({"add_persons": mss_persons_for_insi()})
    people: dict[str, str] = {}
    blockers: dict[str, tuple[tuple[str, ...], str]] = {}
    for key in (*QUALIFIED, UNQUALIFIED):
        qualified = key in QUALIFIED
        since = recorder.mark()
        created = sut.create_person(mss_person(key).traits, CNI if qualified else None)
        people[key] = str(created["person_id"])
        if qualified:
            sut.lookup_ins(people[key])
            blocking, why = identity_blockers(sut.identity(people[key]), recorder.exchanges(service="INS", since=since))
            if blocking:
                blockers[key] = (blocking, why)
    request.config.stash[BLOCKERS] = blockers
    return people


def _require_person(request: pytest.FixtureRequest, scenario: Scenario, key: str) -> Scenario:
    """The scenario, or *blocked* when its person could not be qualified usably (INS requirement at fault)."""
    blocked = request.config.stash.get(BLOCKERS, {}).get(key)
    if blocked:
        raise Blocked(f"{scenario.name}: {key}: {blocked[1]}", blocked[0])
    return scenario


def _count_other_than(count: int) -> Callable[[list[Exchange]], bool]:
    return lambda found: len(found) != count


def _settle(recorder: Recorder, since: str, limit: float, quiet: float = 1.0) -> None:
    """Wait until no MSSante exchange arrived for ``quiet`` seconds (at most ``limit`` seconds).

    The quiet window a "nothing (more) is sent" check needs: woken by each exchange the recorder records
    (no polling), the window starts again from that exchange, so it always ends ``quiet`` seconds after the
    last one, never sooner.
    """
    deadline = time.monotonic() + limit
    count = len(recorder.exchanges(service=SERVICE, since=since))
    while (left := deadline - time.monotonic()) > 0:
        found = recorder.wait_for(_count_other_than(count), service=SERVICE, since=since, timeout=min(quiet, left))
        if len(found) == count:
            return
        count = len(found)


def _refused(exchanges: list[Exchange]) -> list[str]:
    """Exchanges where the operator refused the DUI's connection or authentication (MSS-AUTH-01)."""
    return [
        e.id
        for e in exchanges
        if e.transaction in ("SMTP", "TLS")
        and any(f.requirement == "MSS-AUTH-01" and f.severity is Severity.ERROR for f in e.findings)
    ]


def _run_send(name: str, sut: SutDriver, recorder: Recorder, people: dict[str, str], timeout: float) -> Scenario:
    person, kind, address, ack, visible = SENDING[name]
    since = recorder.mark()
    outcome = sut.mss_send(people[person], kind, address=address, acknowledgement=ack, visible_to_patient=visible)
    if visible:  # the trigger API answers once sent; a DUI that queues its mail gets ``timeout`` seconds
        # an accepted message, or a refusal the operator recorded with its reason: no use waiting longer
        recorder.wait_for(
            lambda found: any(e.summary.get("reply", "").startswith("250") or _refused([e]) for e in found),
            service=SERVICE,
            transaction="SMTP",
            since=since,
            timeout=timeout,
        )
    else:  # nothing must be sent: give a DUI that queues its mail a moment to do it wrongly
        _settle(recorder, since, limit=min(timeout, 2.0), quiet=0.3)
    exchanges = recorder.exchanges(service=SERVICE, since=since)
    return Scenario(
        name=f"MSSanté envoi / sending: {name}",
        person_id=people[person],
        exchanges=exchanges,
        data={
            "case": name,
            "recipient_kind": kind,
            "address": address,
            "acknowledgement": ack,
            "visible_to_patient": visible,
            "outcome": outcome,
        },
    )


@pytest.fixture(scope="session")
def sent_all(
    sut: SutDriver, recorder: Recorder, operator: MssSimulator, mss_people: dict[str, str], dui_run: RunContext
) -> dict[str, Scenario]:
    timeout = dui_run.settings.exchange_timeout
    return {name: _run_send(name, sut, recorder, mss_people, timeout) for name in SENDING}


@pytest.fixture
def sent(request: pytest.FixtureRequest, sent_all: dict[str, Scenario]) -> Scenario:
    """The sending case named by indirect parametrization."""
    scenario = sent_all[request.param]
    return _require_person(request, scenario, SENDING[request.param][0])


def _acknowledgements(recorder: Recorder, since: str) -> dict[str, list[Exchange]]:
    found: dict[str, list[Exchange]] = {}
    for exchange in recorder.exchanges(service=SERVICE, transaction="SMTP", since=since):
        original = exchange.tags.get("original_message_id")
        if original:
            found.setdefault(original, []).append(exchange)
    return found


@pytest.fixture(scope="session")
def received_all(
    sut: SutDriver, recorder: Recorder, operator: MssSimulator, mss_people: dict[str, str], dui_run: RunContext
) -> dict[str, Scenario]:
    harness = operator.directory.with_role("harness").address
    dui = operator.directory.with_role("dui").address
    since = recorder.mark()
    messages = {}
    for name, case in RECEIVING.items():
        document = cda_for(case.kind, case.patient(), with_ins=case.with_ins, drop=case.drop)
        files = []
        if case.stylesheet:
            document = with_stylesheet(document)
            files.append((STYLESHEET_NAME, producer_stylesheet()))
        built = document_message(harness, dui, [document], acknowledgement=case.acknowledgement, files=files)
        operator.deliver(built.raw, sender=harness, recipient=dui)
        messages[name] = (built, document)
    outcome = sut.mss_fetch()
    wanted = sum(1 for case in RECEIVING.values() if case.acknowledgement)
    # the trigger API answers once the mail is handled; acknowledgements a DUI queues get a short grace
    recorder.wait_for(
        lambda found: len({e.tags.get("original_message_id") for e in found} - {None}) >= wanted,
        service=SERVICE,
        transaction="SMTP",
        since=since,
        timeout=1.0,
    )
    _settle(recorder, since, limit=dui_run.settings.exchange_timeout, quiet=0.3)
    acks = _acknowledgements(recorder, since)
    declared = sut.mss_acknowledgements()
    documents = {key: sut.mss_documents(pid) for key, pid in mss_people.items()}
    scenarios = {}
    for name, (built, document) in messages.items():
        case = RECEIVING[name]
        own = [
            e for e in recorder.exchanges(service=SERVICE, since=since) if e.tags.get("message_id") == built.message_id
        ]
        mdns = acks.get(built.message_id, [])
        scenarios[name] = Scenario(
            name=f"MSSanté réception / receiving: {name}",
            person_id=mss_people.get(case.person),
            exchanges=[*own, *mdns],
            data={
                "case": name,
                "message_id": built.message_id,
                "document_kind": case.kind,
                "expected": case.expected_code or f"integrated for {case.person}",
                "fetch": outcome,
                "acknowledgements_declared": [a for a in declared if a.get("original_message_id") == built.message_id],
                "documents": documents,
                "document": document.decode("utf-8", "replace"),
                "document_sha256": hashlib.sha256(document).hexdigest(),
                "stylesheet": (
                    {"name": STYLESHEET_NAME, "sha256": hashlib.sha256(producer_stylesheet()).hexdigest()}
                    if case.stylesheet
                    else None
                ),
                "submissions_refused": _refused(recorder.exchanges(service=SERVICE, since=since)),
                "people": mss_people,
            },
        )
    return scenarios


@pytest.fixture
def received(request: pytest.FixtureRequest, received_all: dict[str, Scenario]) -> Scenario:
    """The receiving case named by indirect parametrization."""
    scenario = received_all[request.param]
    return _require_person(request, scenario, RECEIVING[request.param].person)
