"""## Requirements
HL7-MSG-01..04 (ER7 text, MSH, segment structure, datatypes), HL7-INS-01 (INS in PID-3 per the
CI-SIS INS annex, RI.INS/va1.64), HL7-INS-02 (its key), HL7-INS-03 (INS only for a qualified
identity, RNIV EXI SI 08), HL7-INS-04 (one RNIV status in PID-32), HL7-INS-05 (strict traits in PID).

## Dependencies
INSi simulator (to qualify a person), HL7 v2 simulator (MLLP listener judging what it receives
with ``harness.validators.hl7v2``), trigger API ``emitHl7v2Identity``.

## Methodology
The DUI qualifies BERNARD-ESSAI ANDRE (INSi 00, ID card) and recovers LEFEVRE-ESSAI JEANNE (INSi
00, no document), then emits A28 and A31 for the first, A28 for the second, to the simulator's
MLLP listener. Each message is judged once on arrival (as a message *emitted by the DUI*, on
the wire); each test reads the findings of its requirement, located (``PID[1]-3[2].4.2``).
"""

from __future__ import annotations

import pytest

from harness.core.findings import Finding
from harness.plugin.evidence import Scenario
from harness.suites.hl7v2.checks import expect, require_messages

#: ADT messages the scenario makes the DUI emit
EMITTED = 3


def _judged(scenario: Scenario, requirement: str, title: str) -> None:
    require_messages(scenario, requirement, EMITTED)
    scenario.assert_no_findings(requirement, title)


@pytest.mark.requirement("HL7-MSG-01")
def test_messages_are_er7_text_with_cr_segments(hl7v2_emitted: Scenario) -> None:
    """MSH first, delimiters |^~\\&, segments ended by CR on the wire, UTF-8 as MSH-18 says."""
    _judged(hl7v2_emitted, "HL7-MSG-01", "ER7 message")


@pytest.mark.requirement("HL7-MSG-02")
def test_msh_header_is_pam_fr(hl7v2_emitted: Scenario) -> None:
    """MSH-7 date, MSH-9 ADT^A28^ADT_A05, MSH-10 set, MSH-11 P/D/T, MSH-12 2.5^FRA^2.x."""
    _judged(hl7v2_emitted, "HL7-MSG-02", "MSH header")


@pytest.mark.requirement("HL7-MSG-03")
def test_segments_follow_the_message_structure(hl7v2_emitted: Scenario) -> None:
    """ADT_A05: MSH EVN PID [PD1] … PV1, required fields set."""
    _judged(hl7v2_emitted, "HL7-MSG-03", "segment structure")


@pytest.mark.requirement("HL7-MSG-04")
def test_fields_follow_their_datatypes(hl7v2_emitted: Scenario) -> None:
    _judged(hl7v2_emitted, "HL7-MSG-04", "datatypes")


@pytest.mark.requirement("HL7-INS-01")
def test_qualified_identity_carries_its_ins_in_pid3(hl7v2_emitted: Scenario) -> None:
    """The qualified person's messages carry ``<INS>^^^ASIP-SANTE-INS-NIR&<OID>&ISO^INS`` in PID-3."""
    found = require_messages(hl7v2_emitted, "HL7-INS-01", EMITTED)
    hl7v2_emitted.assert_no_findings("HL7-INS-01", "INS in PID-3")
    qualified = hl7v2_emitted.data["qualified"]
    expected = str((qualified.get("ins") or {}).get("value") or "")
    controls = {str(e.get("control_id")) for e in hl7v2_emitted.data["emissions"][:2]}
    mine = [e for e in found if e.tags.get("control_id") in controls]
    # the NIR part identifies the person; a wrong key is HL7-INS-02's
    missing = [e for e in mine if str(e.tags.get("ins") or "")[:13] != expected[:13]]
    expect(
        "INS of a qualified identity",
        [
            Finding(
                "hl7.ins.absent",
                "HL7-INS-01",
                f"the ADT of a qualified identity (INS {expected}) has no INS of type INS in "
                f"PID-3 (RI.INS/va1.64); trouvé / found: {e.tags.get('ins') or 'no INS'}; attendu / expected: "
                f"{expected}"
                f"^^^ASIP-SANTE-INS-NIR&<OID>&ISO^INS",
                location="PID[1]-3",
                evidence=(f"exchange {e.id}",),
            )
            for e in missing or ([] if mine else found[:1])
        ],
    )


@pytest.mark.requirement("HL7-INS-02")
def test_ins_key_is_valid(hl7v2_emitted: Scenario) -> None:
    _judged(hl7v2_emitted, "HL7-INS-02", "INS key")


@pytest.mark.requirement("HL7-INS-03")
def test_ins_only_for_a_qualified_identity(hl7v2_emitted: Scenario) -> None:
    """LEFEVRE-ESSAI JEANNE is only *récupérée*: her ADT carries no INS (EXI SI 08)."""
    _judged(hl7v2_emitted, "HL7-INS-03", "INS of a non-qualified identity")


@pytest.mark.requirement("HL7-INS-04")
def test_pid32_holds_one_status(hl7v2_emitted: Scenario) -> None:
    _judged(hl7v2_emitted, "HL7-INS-04", "identity reliability status")


@pytest.mark.requirement("HL7-INS-05")
def test_strict_traits_complete_with_the_ins(hl7v2_emitted: Scenario) -> None:
    _judged(hl7v2_emitted, "HL7-INS-05", "strict traits")
