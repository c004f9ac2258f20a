"""## Requirements
MSS-CORR-01 (a person's record keeps at least 10 correspondents: SC.MSS.14.MS1).

## Dependencies
A person created in the DUI (``mss_people``); the trigger API operations
``setMssCorrespondents`` and ``listMssCorrespondents`` (or the operator, who types them into the
record and reads back what it shows).

## Methodology
Twelve correspondents (test professionals and organisations, each with an MSSanté address of
the test domains) are recorded in Hélène ROUX's record, then read back: at least ten of the
twelve addresses given must be listed (a record that keeps ten passes; one that keeps fewer, or
mixes up the addresses, fails).
"""

from __future__ import annotations

import pytest

from harness.core.findings import Finding
from harness.plugin.evidence import Scenario
from harness.suites.mss.checks import expect
from harness.sut.driver import SutDriver

PERSON = "mss-roux-helene"
MINIMUM = 10
CORRESPONDENTS = [
    {"name": f"Dr CORRESPONDANT-{n:02d} Essai", "address": f"correspondant.{n:02d}@chu-essai.mssante.fr"}
    for n in range(1, 9)
] + [
    {"name": f"Secrétariat {n:02d} (essai)", "address": f"secretariat.{n:02d}@ssiad-essai.mssante.fr"}
    for n in range(9, 13)
]


@pytest.fixture(scope="session")
def correspondents(sut: SutDriver, mss_people: dict[str, str]) -> Scenario:
    pid = mss_people[PERSON]
    recorded = sut.mss_set_correspondents(pid, CORRESPONDENTS)
    listed = sut.mss_correspondents(pid)
    return Scenario(
        "MSSanté correspondants du dossier / the record's correspondents",
        pid,
        [],
        {"given": CORRESPONDENTS, "recorded": recorded, "listed": listed},
    )


@pytest.mark.requirement("MSS-CORR-01")
def test_the_record_keeps_at_least_ten_correspondents(correspondents: Scenario) -> None:
    """At least ten of the twelve correspondents recorded are listed back."""
    listed = {str(c.get("address", "")).strip().lower() for c in correspondents.data["listed"]}
    missing = [c["address"] for c in CORRESPONDENTS if c["address"] not in listed]
    findings = []
    if len(CORRESPONDENTS) - len(missing) < MINIMUM:
        findings.append(
            Finding(
                "mss.correspondents.missing",
                "MSS-CORR-01",
                f"{len(CORRESPONDENTS)} correspondents recorded, the record lists {len(CORRESPONDENTS) - len(missing)}"
                f" of them (at least {MINIMUM} required); missing: {', '.join(missing)}",
                location="listMssCorrespondents",
            )
        )
    expect(f"{correspondents.name}: {len(CORRESPONDENTS)} correspondents", findings)
