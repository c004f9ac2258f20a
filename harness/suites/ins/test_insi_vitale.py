"""## Requirements
INS-INSI-08 (SC.INS.28A, SC.INS/va1.34): the DUI, identity referential of the ESSMS, can call the INSi
search by traits *and* by Vitale card (``rechercherInsAvecCarteVitale``, INSi_RECVITALE_INS.xsd).

## Dependencies
INSi simulator (its identity base answers a Vitale search by matricule, key, birth name and birth date);
the DUI's trigger API (``lookupIns`` with ``{"card": {...}}``: what a card reader gives from the test card).

## Methodology
The harness plays the card reader: it registers CORSE ANTHONY, then hands the DUI his test Vitale card
(matricule and key of the identity base, birth name, birth date, birth rank 1). Every INSi request of that
search must be a ``rechercherInsAvecCarteVitale`` whose ``MatriculeIndividu`` carries the card's
matricule (INSi answers it: CR 00), and the DUI must then hold the INS INSi returned. The formats of the
RECVITALE body are judged by INS-INSI-05 on the same exchanges.
"""

from __future__ import annotations

import pytest

from harness.core.findings import Finding
from harness.core.recorder import Recorder
from harness.plugin.evidence import Scenario
from harness.suites.ins.checks import expect
from harness.suites.ins.persons import person
from harness.sut.driver import SutDriver
from harness.validators.insi_rules import OP_VITALE
from mocks.common.simulator import Simulator

REQUIREMENT = "INS-INSI-08"
HOLDER = "corse-anthony"


def card_of(person_id: str) -> dict[str, str]:
    """The test Vitale card of a person of the identity base (the card holder is the insured person)."""
    who = person(person_id)
    assert who.ins is not None
    return {
        "nir": who.ins[:13],
        "key": who.ins[13:],
        "birth_name": who.traits.birth_name,
        "birth_date": who.traits.birth_date,
        "birth_rank": "1",
    }


@pytest.fixture(scope="module")
def vitale_lookup(sut: SutDriver, recorder: Recorder, insi: Simulator) -> Scenario:
    pid = str(sut.create_person(person(HOLDER).traits)["person_id"])
    card = card_of(HOLDER)
    since = recorder.mark()
    outcome = sut.lookup_ins_vitale(pid, card)
    return Scenario(
        name="Recherche INSi par carte Vitale / INSi search by Vitale card",
        person_id=pid,
        exchanges=recorder.exchanges(service="INS", since=since),
        data={"lookup": outcome, "card": card, "identity": sut.identity(pid)},
    )


@pytest.mark.requirement(REQUIREMENT)
def test_the_ins_is_searched_with_the_vitale_card(vitale_lookup: Scenario) -> None:
    """Given the person's Vitale card, the DUI calls rechercherInsAvecCarteVitale with its matricule and keeps
    the INS INSi returned."""
    card = vitale_lookup.data["card"]
    calls = vitale_lookup.exchanges
    evidence = tuple(f"exchange {e.id}" for e in calls)
    findings: list[Finding] = []
    if not calls:
        findings.append(
            Finding(
                "ins.vitale.no_call",
                REQUIREMENT,
                "given the person's Vitale card, the DUI made no INSi call",
                location="INSi simulator POST /lps",
            )
        )
    for exchange in calls:
        summary = exchange.summary
        where = f"exchange {exchange.id}"
        if summary.get("operation") != OP_VITALE:
            findings.append(
                Finding(
                    "ins.vitale.operation",
                    REQUIREMENT,
                    f"given the person's Vitale card, the DUI called {summary.get('operation')} — attendu / "
                    f"expected: {OP_VITALE} with the card's matricule",
                    location="/soap:Envelope/soap:Body",
                    evidence=(where,),
                )
            )
        elif (summary.get("matricule") or {}).get("nir") != card["nir"]:
            findings.append(
                Finding(
                    "ins.vitale.matricule",
                    REQUIREMENT,
                    f"MatriculeIndividu/NumIdentifiant is {(summary.get('matricule') or {}).get('nir')!r} — "
                    f"attendu / expected: {card['nir']!r}, the matricule read on the card",
                    location="/soap:Envelope/soap:Body/recvit:RECVITALE/recvit:MatriculeIndividu",
                    evidence=(where,),
                )
            )
    answered = [e for e in calls if e.summary.get("operation") == OP_VITALE and e.summary.get("cr") == "00"]
    held = (vitale_lookup.data["identity"].get("ins") or {}).get("value")
    if answered and held != answered[-1].summary.get("ins"):
        findings.append(
            Finding(
                "ins.vitale.stored",
                REQUIREMENT,
                f"INSi answered the Vitale search with INS {answered[-1].summary.get('ins')}; the DUI holds {held!r}",
                location="trigger API GET /persons/{id}/identity",
                evidence=evidence,
            )
        )
    expect("recherche par carte Vitale / search by Vitale card", findings)
