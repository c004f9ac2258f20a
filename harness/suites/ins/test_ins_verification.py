"""## Requirements
INS-VERIF-01 (rule 52: automatic INSi verification of an INS received from another domain;
SC.INS.26.MS1, SC.INS.46, SC.INS.49), INS-VERIF-02 (rule 49: KO on an identity of the DUI;
SC.INS.43), INS-VERIF-03 (rules 51, 55: KO on a received identity; SC.INS.44, SC.INS.45,
SC.INS.48), INS-VERIF-04 (rules 48, 53: every verification traced; SC.INS.42, SC.INS.47) and
INS-REG-30 (rule 30: a qualified identity received is not kept qualified; SC.INS.39).

## Dependencies
INSi simulator with the lifecycle persons; the DUI's trigger API (``receiveIdentity``,
``verifyIns``, ``getInsiTrace``).

## Methodology
Assumption (stated in the trigger API contract): the public INSi contract DESIR_ICIR 1.5.0 has
no separate verification operation, so a verification is the traits search
(``rechercherInsAvecTraitsIdentite``) whose INS must equal the INS verified. The harness hands
the DUI identities "received" from the DMP: RECU with the INS INSi confirms (status QUAL),
TIERS (unknown) and CONNU (known) with an INS INSi does not confirm. VERIF is qualified, then
INSi holds another INS for her and the DUI is asked to verify. INSi's exchanges prove the
calls; the DUI's identities and its trace (``GET /insi/trace``) are read back.
"""

from __future__ import annotations

from typing import Any

import pytest

from harness.core.findings import Blocked, Finding
from harness.core.recorder import Recorder
from harness.plugin.evidence import Scenario
from harness.suites.ins.checks import expect, identity_location
from harness.suites.ins.lifecycle import block_on_refused_insi, data, qualified, require_established
from harness.suites.ins.lifecycle_persons import LifePerson, life_person
from harness.suites.ins.rule_messages import rule_finding, shown
from harness.sut.driver import SutDriver
from mocks.common.simulator import Simulator

DOCUMENT = {"kind": "CR", "title": "Compte rendu reçu / received report"}


def _about(person: LifePerson, recorder: Recorder, since: str) -> list[Any]:
    name = person.traits.birth_name.upper()
    return [
        e for e in recorder.exchanges(service="INS", since=since) if str(e.tags.get("birth_name", "")).upper() == name
    ]


def _receive(
    name: str, sut: SutDriver, recorder: Recorder, person: LifePerson, ins: dict[str, str], *, known: bool = False
) -> Scenario:
    before = None
    if known:
        before = sut.create_person(person.traits)
    since = recorder.mark()
    answer = sut.receive_identity("DMP", person.traits, ins, "QUAL", DOCUMENT)
    pid = str(answer.get("person_id") or "")
    return Scenario(
        name=name,
        person_id=pid,
        exchanges=_about(person, recorder, since),
        data={"received_ins": ins, "answer": answer, "before": before, "identity": sut.identity(pid) if pid else None},
    )


@pytest.fixture(scope="module")
def received_confirmed(sut: SutDriver, recorder: Recorder, lifecycle_insi: Simulator) -> Scenario:
    """RECU-ESSAI PAUL received from the DMP as QUAL with the INS INSi confirms."""
    person = life_person("life-recu")
    return _receive("Identité qualifiée reçue du DMP / qualified identity received", sut, recorder, person, person.ins)


@pytest.fixture(scope="module")
def received_unknown_ko(sut: SutDriver, recorder: Recorder, lifecycle_insi: Simulator) -> Scenario:
    """TIERS-ESSAI NINA, unknown to the DUI, received with an INS INSi does not confirm."""
    person = life_person("life-tiers")
    if person.other_ins is None:
        raise KeyError("life-tiers needs received_ins")
    return _receive(
        "INS reçu non confirmé, usager inconnu / unconfirmed INS, unknown person",
        sut,
        recorder,
        person,
        person.other_ins,
    )


@pytest.fixture(scope="module")
def received_known_ko(sut: SutDriver, recorder: Recorder, lifecycle_insi: Simulator) -> Scenario:
    """CONNU-ESSAI LEO, known to the DUI (PROV), received with an INS INSi does not confirm."""
    person = life_person("life-connu")
    if person.other_ins is None:
        raise KeyError("life-connu needs received_ins")
    return _receive(
        "INS reçu non confirmé, usager connu / unconfirmed INS, known person",
        sut,
        recorder,
        person,
        person.other_ins,
        known=True,
    )


@pytest.fixture(scope="module")
def existing_ko(sut: SutDriver, recorder: Recorder, lifecycle_insi: Simulator) -> Scenario:
    """VERIF-ESSAI ROSE qualified; INSi then holds another INS for her; the DUI verifies hers."""
    person = life_person("life-verif")
    scenario = qualified(
        "Vérification KO d'une identité du DUI / KO on an identity of the DUI", sut, recorder, person.traits
    )
    scenario.data["identity_before"] = scenario.data["identity"]
    scenario.data["qualifying_exchanges"] = list(scenario.exchanges)
    if scenario.person_id is None or not (scenario.data["identity"] or {}).get("ins") or person.other_ins is None:
        return scenario
    later = dict(
        person.raw,
        id="life-verif-later",
        ins={
            "nir": person.other_ins["value"][:13],
            "key": person.other_ins["value"][13:],
            "oid": person.other_ins["oid"],
        },
    )
    lifecycle_insi.update_state({"remove_persons": ["life-verif"], "add_persons": [later]})
    since = recorder.mark()
    scenario.data["verification"] = sut.verify_ins(scenario.person_id)
    scenario.data["identity"] = sut.identity(scenario.person_id)
    scenario.data["verification_exchanges"] = [e.id for e in _about(person, recorder, since)]
    scenario.exchanges = scenario.exchanges + _about(person, recorder, since)
    return scenario


def _require_verification_call(scenario: Scenario) -> None:
    """Block a KO-handling check when the DUI made no verification call at all (INS-VERIF-01's failure)."""
    if not scenario.exchanges:
        raise Blocked(
            f"{scenario.name}: the DUI did not call INSi to verify the received INS, so how it handles "
            "a KO verification cannot be observed",
            ("INS-VERIF-01",),
        )


@pytest.mark.requirement("INS-VERIF-01")
def test_received_ins_is_verified_with_insi(received_confirmed: Scenario) -> None:
    """Rule 52: an INS received from another domain is verified with INSi automatically (traits search)."""
    findings: list[Finding] = []
    if not received_confirmed.exchanges:
        identity = data(received_confirmed, "identity")
        findings.append(
            rule_finding(
                "ins.verif.no_call",
                "INS-VERIF-01",
                f"the DUI received INS {received_confirmed.data['received_ins']['value']} from the DMP and made no "
                "INSi "
                "call to verify it",
                stored=f"{shown(identity)}, 0 appel INSi / 0 INSi call",
                expected="un appel INSi de vérification (recherche par traits) / an INSi verification call (traits "
                "search)",
                location="INSi simulator POST /lps",
            )
        )
    expect("règle 52 : vérification automatique / rule 52: automatic verification", findings)


@pytest.mark.requirement("INS-REG-30")
def test_received_qualified_identity_is_not_kept_qualified(received_confirmed: Scenario) -> None:
    """Rule 30: a QUAL identity received from another domain is at most RECUP until the DUI's own procedure."""
    identity = data(received_confirmed, "identity")
    findings: list[Finding] = []
    if identity.get("status") == "QUAL":
        findings.append(
            rule_finding(
                "ins.rule30.kept_qualified",
                "INS-REG-30",
                "an identity received as QUAL from the DMP (another identification domain) is kept QUAL without the "
                "DUI's own identity check",
                stored=shown(identity),
                expected="statut RECUP au plus (requalification) / status RECUP at most",
                location=identity_location(received_confirmed, "status"),
            )
        )
    expect("règle 30 / rule 30", findings)


def _ko_findings(scenario: Scenario, known: bool) -> list[Finding]:
    _require_verification_call(scenario)
    answer, identity = data(scenario, "answer"), data(scenario, "identity")
    received = scenario.data["received_ins"]["value"]
    stored_ins = (identity.get("ins") or {}).get("value")
    findings: list[Finding] = []
    who = "a person the DUI knows" if known else "a person unknown to the DUI"
    if stored_ins:
        findings.append(
            rule_finding(
                "ins.rule51.ins_kept",
                "INS-VERIF-03",
                f"INSi did not confirm INS {received} received for {who}; the DUI stored an INS",
                stored=shown(identity),
                expected=("identité inchangée / identity unchanged: " + shown(data(scenario, "before")))
                if known
                else "identité créée sans INS / identity created without INS",
                location=identity_location(scenario, "ins"),
            )
        )
    if answer.get("data_integrated") or not answer.get("alert"):
        findings.append(
            rule_finding(
                "ins.rule55.integrated",
                "INS-VERIF-03",
                f"INSi did not confirm INS {received}; the data received with it were "
                f"{'integrated' if answer.get('data_integrated') else 'not integrated, but without an alert'}",
                stored=f"data_integrated={answer.get('data_integrated')}, alert={answer.get('alert')!r}",
                expected="donnée non intégrée, en liste de travail avec une alerte / data not integrated, work list "
                "and alert",
                location="trigger API POST /received-identities → data_integrated, alert",
            )
        )
    return findings


@pytest.mark.requirement("INS-VERIF-03")
def test_ko_on_an_unknown_person_creates_it_without_ins(received_unknown_ko: Scenario) -> None:
    """Rules 51, 55: KO for an unknown person: identity created without INS, data on a work list with an alert."""
    expect("règles 51, 55 : usager inconnu / rules 51, 55: unknown person", _ko_findings(received_unknown_ko, False))


@pytest.mark.requirement("INS-VERIF-03")
def test_ko_on_a_known_person_does_not_update_it(received_known_ko: Scenario) -> None:
    """Rules 51, 55: KO for a known person: the identity is not updated, the data are not integrated."""
    expect("règles 51, 55 : usager connu / rules 51, 55: known person", _ko_findings(received_known_ko, True))


@pytest.mark.requirement("INS-VERIF-02")
def test_ko_on_an_identity_of_the_dui_downgrades_and_removes_the_ins(existing_ko: Scenario) -> None:
    """Rule 49: KO on an identity of the DUI: status one level down (QUAL → VALI, RECUP → PROV), INS and OID gone."""
    require_established(existing_ko)
    if not existing_ko.data.get("verification_exchanges"):
        block_on_refused_insi(existing_ko)
    before, after = data(existing_ko, "identity_before"), data(existing_ko, "identity")
    expected_status = {"QUAL": "VALI", "RECUP": "PROV"}.get(str(before.get("status")), "?")
    findings: list[Finding] = []
    if after.get("ins") or after.get("status") != expected_status:
        verification = data(existing_ko, "verification").get("verification") or {}
        findings.append(
            rule_finding(
                "ins.rule49.not_downgraded",
                "INS-VERIF-02",
                f"INSi now returns another INS for this {before.get('status')} identity; the DUI's verification said "
                f"{verification.get('result')!r} ({verification.get('message')})",
                stored=shown(after),
                expected=f"sans INS ni OID / no INS nor OID, statut / status {expected_status}",
                location=identity_location(existing_ko, "ins"),
            )
        )
    expect("règle 49 / rule 49", findings)


@pytest.mark.requirement("INS-VERIF-04")
def test_every_verification_is_traced(
    sut: SutDriver,
    received_confirmed: Scenario,
    received_unknown_ko: Scenario,
    received_known_ko: Scenario,
    existing_ko: Scenario,
) -> None:
    """Rules 48, 53: each INSi verification the DUI made, and its answer, is in its trace."""
    verified = [
        (s, s.data["received_ins"]["value"])
        for s in (received_confirmed, received_unknown_ko, received_known_ko)
        if s.exchanges
    ]
    if existing_ko.data.get("verification_exchanges"):
        verified.append((existing_ko, str((data(existing_ko, "identity_before").get("ins") or {}).get("value"))))
    if not verified:
        raise Blocked(
            "the DUI made no INSi verification call in these scenarios: nothing to find in its trace", ("INS-VERIF-01",)
        )
    calls = sut.insi_trace().get("calls") or []
    findings: list[Finding] = []
    for scenario, value in verified:
        traced = [c for c in calls if isinstance(c, dict) and (c.get("ins") or {}).get("value") == value]
        if not traced or not any(c.get("result") or c.get("cr") for c in traced):
            findings.append(
                rule_finding(
                    "ins.rule48.untraced",
                    "INS-VERIF-04",
                    f"{scenario.name}: the DUI called INSi to verify INS {value} ({len(scenario.exchanges)} "
                    "exchange(s)) "
                    "and its trace has no entry with the answer",
                    stored=f"{len(traced)} entrée(s) de trace pour cet INS / trace entries for this INS",
                    expected="l'appel de vérification et son retour tracés / the verification call and its answer "
                    "traced",
                    location="trigger API GET /insi/trace → calls[]",
                    evidence=tuple(f"exchange {e.id}" for e in scenario.exchanges),
                )
            )
    expect("règles 48, 53 : traçabilité / rules 48, 53: trace", findings)
