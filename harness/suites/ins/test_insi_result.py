"""## Requirements
INS-RES-01 to INS-RES-05, INS-HIST-01, INS-KEY-01, INS-OID-01: what the DUI stores from INSi.

## Dependencies
INSi simulator and its identity base (qualification identities and synthetic people);
the DUI's trigger API to read the stored identity back.

## Methodology
For each INSi answer (00, 01, NIA, historical INS, Corsica, unavailable, SOAP fault) the
harness compares what the DUI stored with what INSi answered: the active INS with its key
and OID, the traits of TIQ, history kept apart, nothing lost when INSi fails.
"""

from __future__ import annotations

import pytest

from harness.core.findings import Finding
from harness.core.ins import OID_INS_NIA
from harness.errors import HarnessCheckError
from harness.plugin.evidence import Scenario
from harness.suites.ins.checks import (
    block_on_wrong_key,
    expect,
    identity_location,
    ins_findings,
    insi_answer,
    require_insi_accepted,
    require_insi_calls,
)
from harness.suites.ins.persons import person
from harness.suites.ins.rule_messages import rule_finding, shown


def _ins(scenario: Scenario) -> dict[str, str] | None:
    ins = (scenario.data.get("identity") or {}).get("ins")
    return ins if isinstance(ins, dict) and ins.get("value") else None


@pytest.mark.requirement("INS-RES-01")
def test_active_ins_and_oid_are_stored_as_returned(found_qualified: Scenario) -> None:
    """On 00 the DUI stores INSACTIF (NumIdentifiant + Cle) and its OID exactly as INSi returned them."""
    require_insi_calls(found_qualified, "INS-RES-01")
    require_insi_accepted(found_qualified)
    answer = insi_answer(found_qualified)
    stored = _ins(found_qualified)
    where = identity_location(found_qualified, "ins")
    if answer is None:
        expect(
            "INSi 00 expected",
            [
                Finding(
                    "ins.res.no_00",
                    "INS-RES-01",
                    "INSi never answered 00 in this scenario: the request was refused",
                    location="INSi responses",
                )
            ],
        )
    if answer is None:
        raise HarnessCheckError("the INSi simulator gave no answer for the prepared identity")
    block_on_wrong_key(found_qualified, stored, answer["ins"])
    findings = []
    if stored is None:
        findings.append(
            rule_finding(
                "ins.res.missing",
                "INS-RES-01",
                "INSi answered 00 but the DUI stored no INS",
                stored="aucun INS / no INS",
                expected=f"INS {answer['ins']} ({answer['oid']}), réponse INSi / INSi answer {answer['exchange']}",
                location=where,
            )
        )
    else:
        if stored["value"] != answer["ins"]:
            findings.append(
                rule_finding(
                    "ins.res.value",
                    "INS-RES-01",
                    "the INS stored is not the one INSi returned (INSACTIF)",
                    stored=f"INS {stored['value']}",
                    expected=f"INS {answer['ins']}",
                    location=f"{where}.value",
                )
            )
        if stored.get("oid") != answer["oid"]:
            findings.append(
                rule_finding(
                    "ins.res.oid",
                    "INS-RES-01",
                    "the OID stored is not the one INSi returned",
                    stored=f"OID {stored.get('oid')!r}",
                    expected=f"OID {answer['oid']}",
                    location=f"{where}.oid",
                )
            )
    expect("the active INS must be stored as INSi returned it", findings)


@pytest.mark.requirement("INS-RES-02")
def test_strict_traits_are_those_returned_by_insi(found_qualified: Scenario) -> None:
    """Typed as 'Adrun Zoé' without birth place, the identity ends with INSi's TIQ: ADRUN ZOE, COG 63220."""
    require_insi_accepted(found_qualified)
    expected = person("adrun-zoe").traits
    traits = (found_qualified.data.get("identity") or {}).get("traits") or {}
    where = identity_location(found_qualified, "traits")
    wanted = {
        "birth_name": expected.birth_name,
        "first_names": list(expected.first_names),
        "sex": expected.sex,
        "birth_date": expected.birth_date,
        "birth_place": expected.birth_place,
    }
    findings = [
        rule_finding(
            "ins.res.tiq",
            "INS-RES-02",
            f"the strict trait {key} is not the one INSi returned (TIQ)",
            stored=f"{key} = {traits.get(key)!r}",
            expected=f"{key} = {value!r}",
            location=f"{where}.{key}",
        )
        for key, value in wanted.items()
        if traits.get(key) != value
    ]
    expect("the strict traits must be replaced by those INSi returned", findings)


@pytest.mark.requirement("INS-RES-03", "EXI SI 07")
def test_no_identity_found_stores_no_ins(not_found: Scenario) -> None:
    """On 01 the DUI stores no INS and the identity stays provisional."""
    identity = not_found.data.get("identity") or {}
    findings = []
    if _ins(not_found):
        findings.append(
            rule_finding(
                "ins.res.01.ins",
                "INS-RES-03",
                "INSi found no identity (CR 01), yet the DUI stored an INS",
                stored=shown(identity),
                expected="aucun INS / no INS",
                location=identity_location(not_found, "ins"),
            )
        )
    if identity.get("status") != "PROV":
        findings.append(
            rule_finding(
                "ins.res.01.status",
                "EXI SI 07",
                "no INSi identity (CR 01) and no document checked: wrong status",
                stored=f"statut / status {identity.get('status')!r}",
                expected="statut / status PROV",
                location=identity_location(not_found, "status"),
            )
        )
    expect("INSi 01: no INS, provisional identity", findings)


@pytest.mark.requirement("INS-RES-04")
@pytest.mark.parametrize("scenario", ["unavailable", "soap_fault"], indirect=True)
def test_insi_failure_loses_nothing(scenario: Scenario) -> None:
    """INSi down (503) or faulting: the person and its traits are kept, no INS, no INSi status, error reported."""
    identity = scenario.data.get("identity") or {}
    created = scenario.data.get("created") or {}
    lookup = scenario.data.get("lookup") or {}
    findings = []
    if not identity or identity.get("person_id") != created.get("person_id"):
        findings.append(
            rule_finding(
                "ins.res.lost",
                "INS-RES-04",
                "the person record is gone after the INSi failure",
                stored="aucune identité / no identity (HTTP 404)",
                expected=f"l'identité créée / the identity created {created.get('person_id')}, traits intacts / kept",
                location=identity_location(scenario, "person_id"),
            )
        )
    else:
        if _ins(scenario):
            findings.append(
                rule_finding(
                    "ins.res.error.ins",
                    "INS-RES-04",
                    "INSi failed, yet the DUI stored an INS",
                    stored=shown(identity),
                    expected="aucun INS / no INS",
                    location=identity_location(scenario, "ins"),
                )
            )
        if identity.get("status") in ("RECUP", "QUAL"):
            findings.append(
                rule_finding(
                    "ins.res.error.status",
                    "INS-RES-04",
                    "INSi failed, yet the identity has a status only an INSi answer gives",
                    stored=f"statut / status {identity.get('status')}",
                    expected="PROV ou / or VALI",
                    location=identity_location(scenario, "status"),
                )
            )
        typed = (created.get("traits") or {}).get("birth_name")
        kept = (identity.get("traits") or {}).get("birth_name")
        if typed and kept != typed:
            findings.append(
                rule_finding(
                    "ins.res.error.traits",
                    "INS-RES-04",
                    "the traits changed after the INSi failure",
                    stored=f"nom de naissance / birth name {kept!r}",
                    expected=f"nom de naissance saisi / birth name typed {typed!r}",
                    location=identity_location(scenario, "traits.birth_name"),
                )
            )
    if lookup.get("outcome") not in ("error", None):
        findings.append(
            rule_finding(
                "ins.res.error.outcome",
                "INS-RES-04",
                "INSi failed but the DUI did not report an error to the user",
                stored=f"résultat / outcome {lookup.get('outcome')!r}",
                expected="résultat / outcome 'error'",
                location=f"trigger API POST /persons/{scenario.person_id}/insi-lookup → outcome",
            )
        )
    expect("INSi failure: nothing may be lost, nothing may be invented", findings)


@pytest.mark.requirement("INS-RES-05", "INS-OID-01")
def test_nia_is_stored_with_the_nia_oid(nia: Scenario) -> None:
    """An INS-NIA returned by INSi is stored under OID 1.2.250.1.213.1.4.9, never as an INS-NIR."""
    require_insi_calls(nia, "INS-RES-05")
    require_insi_accepted(nia)
    stored = _ins(nia)
    expected = person("provisoire-matricule")
    block_on_wrong_key(nia, stored, expected.ins)
    findings = []
    if stored is None:
        findings.append(
            rule_finding(
                "ins.nia.missing",
                "INS-RES-05",
                "INSi returned an INS-NIA, the DUI stored no INS",
                stored="aucun INS / no INS",
                expected=f"INS-NIA {expected.ins} ({OID_INS_NIA})",
                location=identity_location(nia, "ins"),
            )
        )
    elif stored.get("oid") != OID_INS_NIA or stored["value"] != expected.ins:
        findings.append(
            rule_finding(
                "ins.nia.oid",
                "INS-RES-05",
                "an INS-NIA is not stored as INSi returned it, under the NIA OID",
                stored=f"INS {stored['value']} ({stored.get('oid')})",
                expected=f"INS-NIA {expected.ins} ({OID_INS_NIA})",
                location=identity_location(nia, "ins.oid"),
            )
        )
    expect("an INS-NIA must keep its OID", findings)


@pytest.mark.requirement("INS-HIST-01")
def test_historical_ins_never_replace_the_active_one(historical: Scenario) -> None:
    """ECETINSI has two INSHISTO: the DUI keeps INSACTIF 109076322083489 as the active INS."""
    require_insi_accepted(historical)
    stored = _ins(historical)
    expected = person("ecetinsi-pierre-alain")
    block_on_wrong_key(historical, stored, expected.ins)
    findings = []
    if stored is None or stored["value"] != expected.ins:
        value = stored["value"] if stored else None
        hint = " (a historical INS)" if value in expected.history else ""
        findings.append(
            rule_finding(
                "ins.hist.active",
                "INS-HIST-01",
                f"the active INS is not INSACTIF{hint}",
                stored=f"INS {value!r}",
                expected=f"INS {expected.ins} (INSACTIF ; INSHISTO {', '.join(expected.history)} "
                "gardés en historique / kept as history)",
                location=identity_location(historical, "ins.value"),
            )
        )
    expect("INSHISTO must stay history", findings)


@pytest.mark.requirement("INS-KEY-01", "INS-OID-01")
@pytest.mark.parametrize("scenario", ["found_qualified", "historical", "ambiguous", "found_unverified"], indirect=True)
def test_stored_ins_has_a_valid_key_and_an_oid(scenario: Scenario) -> None:
    """Every INS the DUI stores or would exchange has a valid key (97 − NIR mod 97) and a known OID."""
    require_insi_accepted(scenario)
    findings = ins_findings(scenario, _ins(scenario), identity_location(scenario, "ins"), "INS-KEY-01", "INS-OID-01")
    shared = (scenario.data.get("exchange_identity") or {}).get("ins")
    findings += ins_findings(
        scenario, shared, identity_location(scenario, "ins", "exchange-identity"), "INS-KEY-01", "INS-OID-01"
    )
    expect("INS key and OID", findings)


@pytest.mark.requirement("INS-KEY-01")
def test_corsican_ins_keeps_its_key(corsica: Scenario) -> None:
    """Born in Corsica (2A/2B): the DUI stores the INS whose key uses 19 / 18, as INSi returned it."""
    require_insi_accepted(corsica)
    answer = insi_answer(corsica)
    findings = ins_findings(corsica, _ins(corsica), identity_location(corsica, "ins"), "INS-KEY-01", "INS-OID-01")
    stored = _ins(corsica)
    if answer and (stored is None or stored["value"] != answer["ins"]):
        findings.append(
            rule_finding(
                "ins.key.corsica",
                "INS-KEY-01",
                "the Corsican INS (2A/2B read as 19/18 for the key) is not stored as INSi returned it",
                stored=f"INS {stored['value'] if stored else None!r}",
                expected=f"INS {answer['ins']}",
                location=identity_location(corsica, "ins.value"),
            )
        )
    expect("Corsican INS", [f for f in findings if f.requirement == "INS-KEY-01"])
