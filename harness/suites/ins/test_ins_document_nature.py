"""## Requirements
INS-REG-19 (rule 19 of the INS implementation guide, SC.INS/va1.23, SC.INS.15B): the nature of
the identity document that validated an identity is recorded.

## Dependencies
INSi simulator with the lifecycle persons; the DUI's trigger API (``createPerson`` with an
identity document, ``getIdentity``).

## Methodology
DOUTE-ESSAI ALICE is created with a checked passport (VALI), VERROU-ESSAI HUGO LOUIS with a checked
residence permit then found by INSi (QUAL). The identity read back must name each document.
"""

from __future__ import annotations

import pytest

from harness.core.findings import Finding
from harness.core.recorder import Recorder
from harness.plugin.evidence import Scenario
from harness.suites.ins.checks import expect, identity_location
from harness.suites.ins.lifecycle import data, lookup
from harness.suites.ins.lifecycle_persons import life_person
from harness.suites.ins.rule_messages import rule_finding
from harness.sut.driver import IdentityDocument, SutDriver
from mocks.common.simulator import Simulator

PASSPORT = IdentityDocument("PASSEPORT", verified=True)
PERMIT = IdentityDocument("TITRE_SEJOUR", verified=True)


@pytest.fixture(scope="module")
def documented(sut: SutDriver, recorder: Recorder, lifecycle_insi: Simulator) -> list[Scenario]:
    """A VALI identity (passport, no INSi) and a QUAL one (residence permit, INSi 00)."""
    created = sut.create_person(life_person("life-doute").traits, PASSPORT)
    pid = str(created["person_id"])
    vali = Scenario(
        name="Identité validée par passeport / validated with a passport",
        person_id=pid,
        data={"document": PASSPORT.type, "identity": sut.identity(pid), "nature": sut.document_nature(pid)},
    )
    qual = lookup(
        "Identité qualifiée par titre de séjour / qualified with a residence permit",
        sut,
        recorder,
        life_person("life-verrou").traits,
        PERMIT,
    )
    qual.data["document"] = PERMIT.type
    qual.data["nature"] = sut.document_nature(str(qual.person_id))
    return [vali, qual]


@pytest.mark.requirement("INS-REG-19")
def test_document_nature_is_recorded(documented: list[Scenario]) -> None:
    """Rule 19: a VALI or QUAL identity carries the nature of the document that validated it."""
    findings: list[Finding] = []
    for scenario in documented:
        identity = data(scenario, "identity")
        if identity.get("status") not in ("VALI", "QUAL"):
            continue  # the status is EXI SI 07's (judged on its own): only validated identities are asked here
        recorded = scenario.data.get("nature")
        if recorded != scenario.data["document"]:
            findings.append(
                rule_finding(
                    "ins.rule19.document_nature",
                    "INS-REG-19",
                    f"{scenario.name}: a {identity.get('status')} identity does not name the document checked",
                    stored=f"justificatif / document {recorded!r}",
                    expected=f"justificatif / document {scenario.data['document']!r}",
                    location=identity_location(scenario, "identity_document.type"),
                )
            )
    expect("règle 19 / rule 19", findings)
