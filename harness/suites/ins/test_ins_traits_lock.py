"""## Requirements
INS-REG-26 (rule 26 of the INS implementation guide, SC.INS/va1.18, SC.INS/va1.48, SC.INS.15B):
INS, OID and strict traits of a RECUP/QUAL identity are locked for an ordinary user, the
complementary traits stay editable. INS-REG-27 (rule 27, SC.INS/va1.60, SC.INS.15B): a strict
trait changed by an identity manager invalidates the INS and its OID and downgrades the status.

## Dependencies
INSi simulator with the lifecycle persons; the DUI's trigger API (``updateTraits``).

## Methodology
VERROU-ESSAI HUGO LOUIS is qualified twice (ID card, INSi 00): two records. On the first, an
ordinary user changes the used name (accepted, INS and status kept), then the birth name
(refused, nothing changed). On the second, an identity manager changes the birth first
names: the INS and OID must be gone and the status QUAL must become VALI.
"""

from __future__ import annotations

import pytest

from harness.core.findings import Finding
from harness.core.recorder import Recorder
from harness.plugin.evidence import Scenario
from harness.suites.ins.checks import expect, identity_location
from harness.suites.ins.lifecycle import data, qualified, require_established
from harness.suites.ins.lifecycle_persons import life_person
from harness.suites.ins.rule_messages import rule_finding, shown
from harness.sut.driver import SutDriver
from mocks.common.simulator import Simulator

DOWNGRADED = {"RECUP": "PROV", "QUAL": "VALI"}


@pytest.fixture(scope="module")
def ordinary_edits(sut: SutDriver, recorder: Recorder, lifecycle_insi: Simulator) -> Scenario:
    """A qualified identity: an ordinary user edits the used name, then the birth name."""
    scenario = qualified(
        "Traits modifiés par un utilisateur / traits edited by a user", sut, recorder, life_person("life-verrou").traits
    )
    scenario.data["identity_before"] = scenario.data["identity"]
    if scenario.person_id is not None and (scenario.data["identity"] or {}).get("ins"):
        pid = scenario.person_id
        scenario.data["used_name"] = sut.update_traits(pid, {"used_name": "MARTIN"})
        scenario.data["after_used_name"] = sut.identity(pid)
        scenario.data["birth_name"] = sut.update_traits(pid, {"birth_name": "VERROU-AUTRE"})
        scenario.data["after_birth_name"] = sut.identity(pid)
    return scenario


@pytest.fixture(scope="module")
def manager_edit(sut: SutDriver, recorder: Recorder, lifecycle_insi: Simulator) -> Scenario:
    """A qualified identity: an identity manager changes the birth first names."""
    scenario = qualified(
        "Trait strict modifié par un gestionnaire / strict trait changed by a manager",
        sut,
        recorder,
        life_person("life-verrou").traits,
    )
    scenario.data["identity_before"] = scenario.data["identity"]
    if scenario.person_id is not None and (scenario.data["identity"] or {}).get("ins"):
        pid = scenario.person_id
        scenario.data["change"] = sut.update_traits(pid, {"first_names": ["HUGO"]}, identity_manager=True)
        scenario.data["after"] = sut.identity(pid)
    return scenario


@pytest.mark.requirement("INS-REG-26")
def test_complementary_traits_stay_editable(ordinary_edits: Scenario) -> None:
    """Rule 26: on a RECUP/QUAL identity the used name is editable, the INS and status are kept."""
    require_established(ordinary_edits)
    before, answer = data(ordinary_edits, "identity_before"), data(ordinary_edits, "used_name")
    after = data(ordinary_edits, "after_used_name")
    findings: list[Finding] = []
    if answer.get("refused") or (answer.get("traits") or {}).get("used_name") != "MARTIN":
        findings.append(
            rule_finding(
                "ins.rule26.complementary",
                "INS-REG-26",
                f"an ordinary user changed the used name of a {before.get('status')} identity: "
                f"{answer.get('error') or 'the change was not kept'}",
                stored=f"nom utilisé / used name {(answer.get('traits') or {}).get('used_name')!r}",
                expected="nom utilisé / used name 'MARTIN' (traits complémentaires modifiables / complementary "
                "traits editable)",
                location=identity_location(ordinary_edits, "traits.used_name"),
            )
        )
    elif after.get("ins") != before.get("ins") or after.get("status") != before.get("status"):
        findings.append(
            rule_finding(
                "ins.rule26.complementary_side_effect",
                "INS-REG-26",
                "changing the used name (a complementary trait) changed the INS or the status",
                stored=shown(after),
                expected=shown(before),
                location=identity_location(ordinary_edits, "ins"),
            )
        )
    expect("règle 26 : traits complémentaires / rule 26: complementary traits", findings)


@pytest.mark.requirement("INS-REG-26")
def test_strict_traits_are_locked_for_an_ordinary_user(ordinary_edits: Scenario) -> None:
    """Rule 26: the DUI refuses an ordinary user's change of the birth name of a RECUP/QUAL identity."""
    require_established(ordinary_edits)
    before, answer = data(ordinary_edits, "after_used_name"), data(ordinary_edits, "birth_name")
    after = data(ordinary_edits, "after_birth_name")
    name_after = (after.get("traits") or {}).get("birth_name")
    name_before = (before.get("traits") or {}).get("birth_name")
    findings: list[Finding] = []
    if not answer.get("refused") or name_after != name_before or after.get("ins") != before.get("ins"):
        findings.append(
            rule_finding(
                "ins.rule26.strict_locked",
                "INS-REG-26",
                f"an ordinary user asked to change the birth name of a {before.get('status')} identity to "
                f"VERROU-AUTRE and the DUI {'refused' if answer.get('refused') else 'accepted'} it",
                stored=f"nom de naissance / birth name {name_after!r}, {shown(after)}",
                expected=f"refus, nom de naissance / refusal, birth name {name_before!r}, {shown(before)}",
                location=identity_location(ordinary_edits, "traits.birth_name"),
            )
        )
    expect("règle 26 : traits stricts verrouillés / rule 26: strict traits locked", findings)


@pytest.mark.requirement("INS-REG-27")
def test_strict_trait_change_invalidates_the_ins_and_downgrades(manager_edit: Scenario) -> None:
    """Rule 27: an identity manager's change of a strict trait removes INS and OID, QUAL → VALI, RECUP → PROV."""
    require_established(manager_edit)
    before, answer, after = (
        data(manager_edit, "identity_before"),
        data(manager_edit, "change"),
        data(manager_edit, "after"),
    )
    expected_status = DOWNGRADED.get(str(before.get("status")), "?")
    findings: list[Finding] = []
    if answer.get("refused"):
        findings.append(
            rule_finding(
                "ins.rule27.refused",
                "INS-REG-27",
                f"the DUI refused an identity manager's change of the birth first names ({answer.get('error')})",
                stored=shown(after),
                expected=f"modification acceptée / change accepted, sans INS / no INS, {expected_status}",
                location=identity_location(manager_edit, "traits.first_names"),
            )
        )
    elif after.get("ins") or after.get("status") != expected_status:
        findings.append(
            rule_finding(
                "ins.rule27.not_invalidated",
                "INS-REG-27",
                f"the birth first names of a {before.get('status')} identity changed from "
                f"{(before.get('traits') or {}).get('first_names')} to "
                f"{(after.get('traits') or {}).get('first_names')}",
                stored=shown(after),
                expected=f"sans INS ni OID / no INS nor OID, statut / status {expected_status}",
                location=identity_location(manager_edit, "ins"),
            )
        )
    expect("règle 27 / rule 27", findings)
