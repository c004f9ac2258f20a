"""## Requirements
HL7-ACK-02: malformed HL7 v2 gets AE/AR, never AA, and nothing is lost (SC.INS/va1.16).

## Dependencies
HL7 v2 simulator (:mod:`mocks.hl7v2.hostile`), the DUI's MLLP endpoint.

## Methodology
After the feeds, the simulator sends a message without PID, one whose INS has a wrong key, one
with non-standard delimiters, then binary noise before a valid feed and a truncated frame before
a valid feed. The invalid ones must be refused and not integrated; the valid ones after noise or
a cut frame must still be acknowledged.
"""

from __future__ import annotations

import pytest

from harness.core.findings import Finding
from harness.plugin.evidence import Scenario
from harness.suites.hl7v2.checks import expect

BAD_INS = "279035121518988"


@pytest.mark.requirement("HL7-ACK-02")
def test_hostile_input_is_refused_and_nothing_is_lost(hl7v2_hostile: Scenario) -> None:
    hl7v2_hostile.assert_no_findings("HL7-ACK-02", "hostile input")
    taken = [
        i
        for i in hl7v2_hostile.data["identities"]
        if BAD_INS in {str((i.get(k) or {}).get("value")) for k in ("ins", "received_ins")}
    ]
    expect(
        "invalid INS integrated",
        [
            Finding(
                "hl7.hostile.integrated",
                "HL7-ACK-02",
                f"identity {i.get('identity_id')} holds the INS {BAD_INS} whose key "
                "is wrong (the message was to be refused); attendu / expected: nothing integrated from a refused "
                "message",
                location="trigger API GET /hl7v2/identities",
            )
            for i in taken
        ],
    )
