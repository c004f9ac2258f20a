"""harness.validators.hl7v2.er7 and structure: unreadable bytes are findings, never exceptions."""

from __future__ import annotations

import pytest

from harness.validators.hl7v2 import validate_hl7v2
from harness.validators.hl7v2.er7 import MAX_MESSAGE_BYTES, read_er7, split_messages

_PID = {3: "L1^^^X&1.2.3&ISO^PI", 5: "NOM^PRENOM^^^^^L", 7: "19800101", 8: "M", 32: "PROV"}
OK = (
    b"MSH|^~\\&|A|B|C|D|20260312094500||ADT^A28^ADT_A05|M1|P|2.5^FRA^2.11\rEVN||20260312094500\r"
    + ("PID" + "".join("|" + _PID.get(i, "") for i in range(1, 33))).encode()
    + b"\rPV1||N\r"
)


@pytest.mark.parametrize(
    ("data", "rule"),
    [
        (b"", "hl7.empty"),
        (b"\x00\x01\x02" * 10, "hl7.binary"),
        (b"PID|||x\r", "hl7.msh.missing"),
        (b"MSH|^~\\|A\r", "hl7.msh.delimiters"),
        (b"MSH|^~^&|A\r", "hl7.msh.delimiters"),
        (b"MSH", "hl7.msh.delimiters"),
        (b"M" * (MAX_MESSAGE_BYTES + 1), "hl7.size"),
    ],
)
def test_unreadable_bytes_give_one_message_finding(data: bytes, rule: str) -> None:
    message, findings = read_er7(data)
    assert message is None
    assert [f.rule for f in findings] == [rule]
    assert findings[0].requirement == "HL7-MSG-01"


def test_wire_messages_need_cr_terminators() -> None:
    lf = OK.replace(b"\r", b"\n")
    assert validate_hl7v2(lf).findings == []
    assert [f.rule for f in validate_hl7v2(lf, wire=True).findings] == ["hl7.terminator"]


def test_mllp_frame_saved_in_a_file_is_read() -> None:
    report = validate_hl7v2(b"\x0b" + OK + b"\x1c\r")
    assert [(f.rule, f.severity.value) for f in report.findings] == [("hl7.mllp-frame", "info")]


def test_locations_of_segments_and_fields() -> None:
    message, _ = read_er7(OK)
    assert message is not None
    pid = message.first("PID")
    assert pid is not None and pid.where == "PID[1]" and pid.field(8) == "M"
    assert message.type_parts() == ("ADT", "A28", "ADT_A05")


def test_structure_and_datatype_findings() -> None:
    data = OK.replace(b"EVN||20260312094500\r", b"").replace(b"|19800101|", b"|1980-01-01|")
    rules = {(f.rule, f.location) for f in validate_hl7v2(data).findings}
    assert ("hl7.structure.missing", "ADT_A05.EVN") in rules
    assert ("hl7.datatype.value", "PID[1]-7[1].1") in rules


def test_unknown_segment_is_a_warning_and_z_segments_are_allowed() -> None:
    data = OK + b"ZBE|1\rQQQ|1\r"
    findings = validate_hl7v2(data).findings
    assert {(f.rule, f.severity.value) for f in findings} == {
        ("hl7.segment.unknown", "warning"),
        ("hl7.structure.unexpected", "error"),
    }


def test_split_messages_of_a_batch_file() -> None:
    assert split_messages(OK + OK.replace(b"M1", b"M2")) == [OK, OK.replace(b"M1", b"M2")]
    assert split_messages(OK) == [OK]
