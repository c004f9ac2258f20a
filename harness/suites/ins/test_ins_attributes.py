"""## Requirements
INS-REG-25 (rules 21 and 25 of the INS implementation guide, SC.INS/va1.20, SC.INS/va1.44,
SC.INS.15B): a doubtful or fictitious identity is downgraded to PROV, its INSi search is
blocked, and it is neither validated nor qualified.

## Dependencies
INSi simulator with the lifecycle persons; the DUI's trigger API (``setIdentityAttributes``).

## Methodology
DOUTE-ESSAI ALICE is created, marked doubtful, then the operator checks her ID card and asks
for the INS search. INSi must receive no request for her, and her status must stay PROV
without INS.
"""

from __future__ import annotations

import pytest

from harness.core.findings import Finding
from harness.core.recorder import Recorder
from harness.plugin.evidence import Scenario
from harness.suites.ins.checks import expect, identity_location
from harness.suites.ins.lifecycle import CNI, data
from harness.suites.ins.lifecycle_persons import life_person
from harness.suites.ins.rule_messages import rule_finding, shown
from harness.sut.driver import SutDriver
from mocks.common.simulator import Simulator


@pytest.fixture(scope="module")
def doubtful(sut: SutDriver, recorder: Recorder, lifecycle_insi: Simulator) -> Scenario:
    """DOUTE-ESSAI ALICE marked doubtful, then ID card checked and INS search asked."""
    traits = life_person("life-doute").traits
    created = sut.create_person(traits)
    pid = str(created["person_id"])
    since = recorder.mark()
    marked = sut.set_identity_attributes(pid, doubtful=True)
    after_document = sut.check_identity_document(pid, CNI)
    lookup = sut.lookup_ins(pid)
    name = traits.birth_name.upper()
    exchanges = [
        e for e in recorder.exchanges(service="INS", since=since) if str(e.tags.get("birth_name", "")).upper() == name
    ]
    return Scenario(
        name="Identité douteuse / doubtful identity",
        person_id=pid,
        exchanges=exchanges,
        data={"marked": marked, "after_document": after_document, "lookup": lookup, "identity": sut.identity(pid)},
    )


@pytest.mark.requirement("INS-REG-25")
def test_doubtful_identity_is_never_searched_nor_qualified(doubtful: Scenario) -> None:
    """Rules 21, 25: a doubtful identity stays PROV (no VALI after an ID card), no INSi call, no INS."""
    findings: list[Finding] = []
    for key, moment in (
        ("marked", "after the doubtful attribute was set"),
        ("after_document", "after an ID card was checked"),
        ("identity", "after the INS search"),
    ):
        identity = data(doubtful, key)
        if identity.get("status") != "PROV" or identity.get("ins"):
            findings.append(
                rule_finding(
                    "ins.rule25.status",
                    "INS-REG-25",
                    f"a doubtful identity, {moment}",
                    stored=shown(identity),
                    expected="statut PROV, sans INS / status PROV, no INS",
                    location=identity_location(doubtful, "status"),
                )
            )
    if doubtful.exchanges:
        findings.append(
            rule_finding(
                "ins.rule25.insi_called",
                "INS-REG-25",
                f"the DUI called INSi {len(doubtful.exchanges)} time(s) for a doubtful identity",
                stored=f"{len(doubtful.exchanges)} appel(s) INSi / INSi call(s)",
                expected="aucun appel INSi (appel bloqué) / no INSi call (blocked)",
                location="INSi simulator POST /lps",
                evidence=tuple(f"exchange {e.id}" for e in doubtful.exchanges),
            )
        )
    expect("règles 21, 25 : identité douteuse / rules 21, 25: doubtful identity", findings)
