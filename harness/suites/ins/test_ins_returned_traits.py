"""## Requirements
INS-REG-11 (rule 11 of the INS implementation guide, SC.INS/va1.28, SC.INS.06A) and INS-REG-12
(rule 12, SC.INS/va1.31, SC.INS.06A): an INS returned by INSi with ``00`` as birth day or month,
or with an empty birth name, first names or sex, is never taken back (*rapatrié*).

## Dependencies
INSi simulator with the lifecycle persons and their TIQ overrides
(``fixtures/identities/lifecycle-persons.json``); the DUI's trigger API.

## Methodology
INSi answers CR 00 to the DUI's search, with a TIQ whose birth date is ``1961-00-00`` (LUNE)
or whose birth name is empty (VIDE). The DUI must keep the identity without INS and without
a status that INSi would give (RECUP, QUAL); the test reads the identity back.
"""

from __future__ import annotations

import pytest

from harness.core.findings import Finding
from harness.core.recorder import Recorder
from harness.errors import HarnessCheckError
from harness.plugin.evidence import Scenario
from harness.suites.ins.checks import expect, identity_location
from harness.suites.ins.lifecycle import block_on_refused_insi, data, lookup
from harness.suites.ins.lifecycle_persons import life_person
from harness.suites.ins.rule_messages import rule_finding, shown
from harness.sut.driver import SutDriver
from mocks.common.simulator import Simulator


@pytest.fixture(scope="module")
def lunar_date(sut: SutDriver, recorder: Recorder, lifecycle_insi: Simulator) -> Scenario:
    """LUNE-ESSAI MARCEL: INSi answers 00 with the birth date 1961-00-00 in TIQ."""
    return lookup(
        "INSi 00, date de naissance en 00 / birth date with 00", sut, recorder, life_person("life-lune").traits
    )


@pytest.fixture(scope="module")
def blank_name(sut: SutDriver, recorder: Recorder, lifecycle_insi: Simulator) -> Scenario:
    """VIDE-ESSAI CLAIRE: INSi answers 00 with an empty birth name in TIQ."""
    return lookup("INSi 00, nom de naissance vide / empty birth name", sut, recorder, life_person("life-vide").traits)


def _returned(scenario: Scenario) -> dict[str, object]:
    for exchange in reversed(scenario.exchanges):
        if exchange.summary.get("cr") == "00" and isinstance(exchange.summary.get("tiq"), dict):
            return {"tiq": exchange.summary["tiq"], "exchange": exchange.id, "ins": exchange.summary.get("ins")}
    raise HarnessCheckError(f"{scenario.name}: INSi never answered 00 with a TIQ to the prepared identity")


def _not_taken_back(scenario: Scenario, requirement: str, why: str) -> list[Finding]:
    block_on_refused_insi(scenario)
    returned = _returned(scenario)
    identity = data(scenario, "identity")
    if not identity.get("ins") and identity.get("status") not in ("RECUP", "QUAL"):
        return []
    return [
        rule_finding(
            "ins.rule.not_taken_back",
            requirement,
            f"INSi returned INS {returned['ins']} with {why} (exchange {returned['exchange']}); the DUI took it back",
            stored=shown(identity),
            expected="aucun INS, statut PROV ou VALI / no INS, status PROV or VALI",
            location=identity_location(scenario, "ins"),
            evidence=(f"exchange {returned['exchange']}",),
        )
    ]


@pytest.mark.requirement("INS-REG-11")
def test_ins_with_00_birth_day_or_month_is_not_taken_back(lunar_date: Scenario) -> None:
    """Rule 11: an INS returned with 00 as birth day or month is not stored; the identity stays without INS."""
    expect(
        "règle 11 / rule 11",
        _not_taken_back(lunar_date, "INS-REG-11", "the birth date 1961-00-00 (00 as day and month)"),
    )


@pytest.mark.requirement("INS-REG-12")
def test_ins_with_empty_birth_name_is_not_taken_back(blank_name: Scenario) -> None:
    """Rule 12: an INS returned with an empty birth name (or first names, or sex) is not stored."""
    expect("règle 12 / rule 12", _not_taken_back(blank_name, "INS-REG-12", "an empty birth name in TIQ"))


@pytest.fixture(scope="module")
def other_first_names(sut: SutDriver, recorder: Recorder, lifecycle_insi: Simulator) -> Scenario:
    """PRENOM-ESSAI JEANNE: INSi answers 00 with the birth first names MARIE LOUISE (JEANNE not among them)."""
    return lookup(
        "INSi 00, prénoms de naissance sans le prénom saisi / first name typed not returned",
        sut,
        recorder,
        life_person("life-prenom").traits,
    )


@pytest.mark.requirement("INS-REG-06")
def test_first_name_typed_must_be_among_the_returned_birth_first_names(other_first_names: Scenario) -> None:
    """Rule 6: the first name typed and the birth first names INSi returns must be consistent, else no INS."""
    expect(
        "règle 6 / rule 6",
        _not_taken_back(
            other_first_names, "INS-REG-06", "the birth first names MARIE LOUISE, not the first name JEANNE typed"
        ),
    )
