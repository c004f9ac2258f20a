"""## Requirements
EPARCOURS-PAT-01 (INS identifier slices of FR Core PatientINS), EPARCOURS-PAT-02 (the strict
traits that accompany the INS) and EPARCOURS-PAT-03 (identity status; INS only for a
qualified identity).

## Dependencies
e-parcours and INSi simulators; the DUI's trigger API (identity read-back and export).

## Methodology
A qualified person (INSi 00 and ID card) and a provisional one (no INSi answer, no
document) are exported. The Patient the DUI sent is judged by the FR Core rules on the
simulator, then compared with the identity the DUI says it holds (status, INS, traits).
"""

from __future__ import annotations

from typing import Any

import pytest

from harness.core.findings import Finding
from harness.plugin.evidence import Scenario
from harness.suites.fhir_checks import body_of, expect, require_calls
from harness.validators.fhir.patient import patient_facts

SERVICE = "EPARCOURS"


def _patient(scenario: Scenario, requirement: str) -> dict[str, Any]:
    exchange = require_calls(scenario, SERVICE, requirement, "flux 1 request")[-1]
    body = body_of(exchange) or {}
    patients: list[dict[str, Any]] = [
        e["resource"]
        for e in body.get("entry") or []
        if isinstance(e, dict)
        and isinstance(e.get("resource"), dict)
        and e["resource"].get("resourceType") == "Patient"
    ]
    if not patients:
        expect(
            "no Patient exported",
            [
                Finding(
                    "tddui.patient.missing",
                    requirement,
                    "the bundle carries no Patient",
                    location=f"exchange {exchange.id} Bundle.entry",
                )
            ],
        )
    return patients[0]


@pytest.mark.requirement("EPARCOURS-PAT-01")
def test_qualified_identity_is_sent_with_its_ins_in_the_right_slice(export_qualified: Scenario) -> None:
    """The INS goes in its FR Core slice: system urn:oid:<OID>, type fr-core-v2-0203, use, key."""
    export_qualified.assert_no_findings("EPARCOURS-PAT-01", "Patient.identifier INS slices")
    facts = patient_facts(_patient(export_qualified, "EPARCOURS-PAT-01"))
    held = (export_qualified.data.get("identity") or {}).get("ins") or {}
    if held and facts.ins != held.get("value"):
        expect(
            "INS of the exported Patient",
            [
                Finding(
                    "tddui.patient.ins.value",
                    "EPARCOURS-PAT-01",
                    f"the DUI holds INS {held.get('value')} (QUAL) but exported {facts.ins!r}",
                    location="Bundle.entry[Patient].identifier",
                )
            ],
        )


@pytest.mark.requirement("EPARCOURS-PAT-02")
def test_strict_traits_accompany_the_ins(export_qualified: Scenario) -> None:
    """gender, birthDate, birthPlace (COG), official name, first given name and birth-list given names."""
    export_qualified.assert_no_findings("EPARCOURS-PAT-02", "Patient strict traits")
    facts = patient_facts(_patient(export_qualified, "EPARCOURS-PAT-02"))
    traits = (export_qualified.data.get("identity") or {}).get("traits") or {}
    wanted = {
        "birth name": (facts.birth_name, traits.get("birth_name")),
        "birth date": (facts.birth_date, traits.get("birth_date")),
        "birth place": (facts.birth_place, traits.get("birth_place")),
        "birth first names": (facts.birth_first_names, " ".join(traits.get("first_names") or [])),
    }
    findings = [
        Finding(
            "tddui.patient.traits",
            "EPARCOURS-PAT-02",
            f"{label}: exported {sent!r}, the DUI holds {held!r}",
            location="Bundle.entry[Patient]",
        )
        for label, (sent, held) in wanted.items()
        if held and str(sent).upper() != str(held).upper()
    ]
    expect("exported traits are the stored ones", findings)


@pytest.mark.requirement("EPARCOURS-PAT-03")
@pytest.mark.parametrize("scenario", ["export_qualified", "export_provisional"], indirect=True)
def test_identity_status_is_sent_and_the_ins_only_when_qualified(scenario: Scenario) -> None:
    """identityReliability carries the DUI's status; a PROV identity is exported without INS."""
    scenario.assert_no_findings("EPARCOURS-PAT-03", "identity status of the exported Patient")
    facts = patient_facts(_patient(scenario, "EPARCOURS-PAT-03"))
    held = (scenario.data.get("identity") or {}).get("status")
    findings = []
    if facts.status != held:
        findings.append(
            Finding(
                "tddui.patient.status",
                "EPARCOURS-PAT-03",
                f"exported identityStatus {facts.status!r}, the DUI holds {held!r}",
                location="Bundle.entry[Patient].extension[identityReliability]",
            )
        )
    if held != "QUAL" and facts.ins_identifiers:
        findings.append(
            Finding(
                "tddui.patient.ins_unqualified",
                "EPARCOURS-PAT-03",
                f"identity {held}: the INS {facts.ins} must not be exported (RNIV EXI SI 08)",
                location="Bundle.entry[Patient].identifier",
            )
        )
    expect("identity status and INS", findings)
