"""The HL7 v2 usage indicator: ADT messages acknowledged AA/CA, both directions."""

from __future__ import annotations

from harness.evidence.hl7v2_usage import hl7v2_messages


def test_only_acknowledged_adt_messages_count() -> None:
    exchanges = [
        {"transaction": "ADT^A28", "summary": {"ack": "AA"}},
        {"transaction": "ADT^A31", "summary": {"ack": "AE"}},
        {"transaction": "MLLP noise", "summary": {"ack": None}},
        {"transaction": "ADT^A40", "summary": {"ack": "CA"}},
        {"transaction": "ADT^A47", "summary": {}},
    ]
    assert hl7v2_messages(exchanges) == {"hl7v2_identity_messages": 2}
