"""## Requirements
EPRESC-RET-01 (retrieval by the unique identifier read from the QR code), EPRESC-INT-01 (every
line integrated for the resident), EPRESC-INT-02 (another person's prescription is refused),
EPRESC-INT-03 (an unknown identifier is reported, nothing integrated).

ASSUMPTION: the teleservice payload is modelled on FHIR R4 by dui-harness
(``mocks/fhir/epresc_shape.py``); the real one is not public.

## Dependencies
e-prescription and INSi simulators; the DUI's trigger API (retrieve, list prescriptions).

## Methodology
Residents with a qualified identity retrieve a known prescription, an unknown identifier and
a prescription written for someone else. The simulator records the identifier asked and
judges the query; the tests compare what the DUI integrated with the prescription base.
"""

from __future__ import annotations

from typing import Any

import pytest

from harness.core.findings import Finding
from harness.plugin.evidence import Scenario
from harness.suites.epresc.checks import require_retrieval_conformant
from harness.suites.fhir_checks import expect, require_calls
from mocks.fhir.epresc_shape import load_prescriptions

SERVICE = "EPRESC"


def _held(scenario: Scenario, uid: str) -> list[dict[str, Any]]:
    return [p for p in scenario.data.get("prescriptions") or [] if p.get("prescription_id") == uid]


@pytest.mark.requirement("EPRESC-RET-01")
@pytest.mark.parametrize("scenario", ["presc_known", "presc_unknown", "presc_wrong_person"], indirect=True)
def test_prescription_is_retrieved_by_its_unique_identifier(scenario: Scenario) -> None:
    """One search for the identifier of the QR code, in the form the teleservice expects."""
    searches = require_calls(scenario, SERVICE, "EPRESC-RET-01", "prescription retrieval", "search-type")
    asked = scenario.data["asked"]
    findings = []
    if not any(e.tags.get("prescription") == asked for e in searches):
        findings.append(
            Finding(
                "epresc.ret.id",
                "EPRESC-RET-01",
                f"no retrieval asked for {asked!r}; asked: "
                f"{sorted({e.tags.get('prescription', '?') for e in searches})}",
                location="e-prescription simulator search",
            )
        )
    expect("retrieval by unique identifier", findings)
    scenario.assert_no_findings("EPRESC-RET-01", "retrieval query")


@pytest.mark.requirement("EPRESC-INT-01")
def test_every_line_is_integrated_for_the_resident(presc_known: Scenario) -> None:
    """All lines of EP-TEST-0001 (medication and dosage) are integrated and read back."""
    require_retrieval_conformant(presc_known)
    expected = next(p for p in load_prescriptions() if p.uid == presc_known.data["asked"])
    findings = []
    if (presc_known.data.get("retrieval") or {}).get("outcome") != "integrated":
        findings.append(
            Finding(
                "epresc.int.outcome",
                "EPRESC-INT-01",
                f"the DUI did not integrate {expected.uid}: {presc_known.data.get('retrieval')}",
                location="trigger API outcome",
            )
        )
    held = _held(presc_known, expected.uid)
    lines = held[0].get("lines", []) if held else []
    codes = {str((line.get("medication") or {}).get("code")) for line in lines}
    dosages = " | ".join(str(line.get("dosage")) for line in lines)
    for line in expected.lines:
        if line["atc"] not in codes:
            findings.append(
                Finding(
                    "epresc.int.line",
                    "EPRESC-INT-01",
                    f"line {line['line']} ({line['display']}, ATC {line['atc']}) is not integrated",
                    location="trigger API prescriptions",
                )
            )
        elif line["dosage"] not in dosages:
            findings.append(
                Finding(
                    "epresc.int.dosage",
                    "EPRESC-INT-01",
                    f"the dosage of line {line['line']} ({line['dosage']!r}) is lost",
                    location="trigger API prescriptions",
                )
            )
    expect("prescription integrated", findings)


@pytest.mark.requirement("EPRESC-INT-02")
def test_another_persons_prescription_is_refused(presc_wrong_person: Scenario) -> None:
    """EP-TEST-0002 belongs to SANTONI-ESSAI PAUL: LEFEVRE-ESSAI JEANNE's record must not receive it."""
    outcome = (presc_wrong_person.data.get("retrieval") or {}).get("outcome")
    findings = []
    if outcome == "integrated" or _held(presc_wrong_person, presc_wrong_person.data["asked"]):
        findings.append(
            Finding(
                "epresc.int.wrong_person",
                "EPRESC-INT-02",
                "a prescription whose patient INS is not the resident's was integrated into her record",
                location=f"trigger API GET /persons/{presc_wrong_person.person_id}/prescriptions",
            )
        )
    expect("identity check before integration", findings)


@pytest.mark.requirement("EPRESC-INT-03")
def test_unknown_identifier_is_reported_and_nothing_integrated(presc_unknown: Scenario) -> None:
    """EP-TEST-9999 does not exist: the DUI says not found and integrates nothing."""
    require_retrieval_conformant(presc_unknown)
    outcome = (presc_unknown.data.get("retrieval") or {}).get("outcome")
    findings = []
    if outcome != "not_found":
        findings.append(
            Finding(
                "epresc.int.unknown",
                "EPRESC-INT-03",
                f"the DUI reports {outcome!r} for an identifier the teleservice does not know (expected not_found)",
                location="trigger API outcome",
            )
        )
    if presc_unknown.data.get("prescriptions"):
        where = f"trigger API GET /persons/{presc_unknown.person_id}/prescriptions"
        findings.append(
            Finding(
                "epresc.int.unknown",
                "EPRESC-INT-03",
                "something was integrated for an unknown identifier",
                location=where,
            )
        )
    expect("unknown identifier", findings)
