"""harness.validators.hl7v2: PID-3 INS forms, PID-32 statuses, strict traits, with exact locations."""

from __future__ import annotations

import pytest

from harness.core.findings import Severity
from harness.validators.hl7v2 import validate_hl7v2

MSH = "MSH|^~\\&|DUI|EHPAD|SIH|CH|20260312094500||ADT^A28^ADT_A05|M1|P|2.5^FRA^2.11||||AL|FRA|UNICODE UTF-8"
INS_TEST = "279035121518989^^^ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.10&ISO^INS"


def pid(**fields: str) -> str:
    values = {
        3: f"L1^^^DUI&1.2.3&ISO^PI~{INS_TEST}",
        5: "PAT-TROIS^DOMINIQUE^DOMINIQUE MARIE-LOUISE^^^^L",
        7: "19790328",
        8: "F",
        11: "^^^^^FRA^BDL^^51215",
        32: "QUAL",
    }
    values.update({int(k[1:]): v for k, v in fields.items()})
    return "PID" + "".join("|" + values.get(i, "") for i in range(1, 33))


def message(*segments: str) -> bytes:
    return "\r".join([MSH, "EVN||20260312094500", *segments, "PV1||N"]).encode() + b"\r"


def errors(data: bytes, *, emitted: bool = True) -> list[tuple[str, str, str]]:
    report = validate_hl7v2(data, emitted=emitted)
    return [(f.rule, f.requirement, f.location) for f in report.findings if f.severity is Severity.ERROR]


def test_qualified_identity_with_test_ins_is_valid() -> None:
    report = validate_hl7v2(message(pid()))
    assert report.findings == []
    [identity] = report.identities
    assert (identity.ins, identity.ins_oid, identity.statuses) == ("279035121518989", "1.2.250.1.213.1.4.10", ("QUAL",))
    assert identity.traits is not None and identity.traits.first_names == ("DOMINIQUE", "MARIE-LOUISE")
    assert identity.traits.birth_place == "51215" and identity.traits.birth_date == "1979-03-28"


def test_location_points_at_the_subcomponent_of_the_second_repetition() -> None:
    data = message(pid(f3=f"L1^^^DUI&1.2.3&ISO^PI~{INS_TEST.replace('.10&', '.2&')}"))
    assert ("hl7.ins.oid", "HL7-INS-01", "PID[1]-3[2].4.2") in errors(data)


def test_nia_needs_its_own_namespace_and_oid() -> None:
    nia = "279035121518989^^^ASIP-SANTE-INS-NIA&1.2.250.1.213.1.4.9&ISO^INS"
    assert errors(message(pid(f3=nia))) == []
    wrong = nia.replace("ASIP-SANTE-INS-NIA", "ASIP-SANTE-INS-NIR")
    assert errors(message(pid(f3=wrong))) == [("hl7.ins.namespace", "HL7-INS-01", "PID[1]-3[1].4.1")]


def test_received_message_may_carry_an_ins_with_another_status() -> None:
    # EXI SI 08 binds what the DUI emits; a feed it receives is judged on its form only
    data = message(pid(f32="VALI"))
    assert errors(data, emitted=False) == []
    assert errors(data) == [("hl7.ins.not-qualified", "HL7-INS-03", "PID[1]-3[2]")]


def test_message_shows_found_and_expected_values() -> None:
    report = validate_hl7v2(message(pid(f8="U")))
    [finding] = [f for f in report.findings if f.severity is Severity.ERROR]
    assert finding.location == "PID[1]-8"
    assert "trouvé / found: 'U'" in finding.message and "attendu / expected: M or F" in finding.message


@pytest.mark.parametrize(
    ("codes", "rule"),
    [
        ("PROV~QUAL", "hl7.pid32.status"),
        ("QUAL~FICT", "hl7.pid32.attribute"),
        ("QUAL~DOUTE", "hl7.pid32.unknown"),
    ],
)
def test_pid32_rules(codes: str, rule: str) -> None:
    assert rule in {r for r, _, _ in errors(message(pid(f32=codes)), emitted=False)}


def test_provisional_identity_without_ins_needs_no_birth_place() -> None:
    data = message(pid(f3="L1^^^DUI&1.2.3&ISO^PI", f5="TESTHL7^CAMILLE^^^^^L", f11="", f32="PROV"))
    assert errors(data) == []


def test_legacy_vide_without_ins_is_a_warning() -> None:
    report = validate_hl7v2(message(pid(f3="L1^^^DUI&1.2.3&ISO^PI", f32="VIDE")))
    assert [(f.rule, f.severity) for f in report.findings] == [("hl7.pid32.status", Severity.WARNING)]


def test_merge_segment_ins_is_checked() -> None:
    data = (
        "\r".join(
            [
                MSH.replace("ADT^A28^ADT_A05", "ADT^A47^ADT_A30"),
                "EVN||20260312094500",
                pid(),
                f"MRG|{INS_TEST.replace('89^', '88^')}",
            ]
        )
        + "\r"
    ).encode()
    assert ("ins.key", "HL7-INS-02", "MRG[1]-1[1].1") in errors(data)


def test_two_different_ins_values_are_a_warning() -> None:
    other = INS_TEST.replace("279035121518989", "285076912304546")
    report = validate_hl7v2(message(pid(f3=f"{INS_TEST}~{other}")))
    assert [(f.rule, f.severity, f.location) for f in report.findings] == [
        ("hl7.ins.several", Severity.WARNING, "PID[1]-3[2].1")
    ]


def test_required_fields_of_v25_segments() -> None:
    data = message(pid(f5="")).replace(b"PV1||N", b"PV1|1")
    rules = {(f.rule, f.location) for f in validate_hl7v2(data, emitted=False).findings}
    assert {("hl7.field.required", "PID[1]-5"), ("hl7.field.required", "PV1[1]-2")} <= rules


def test_ins_with_spaces_is_refused() -> None:
    spaced = INS_TEST.replace("279035121518989", "2 79 03 51 215 189 89")
    assert errors(message(pid(f3=spaced))) == [("hl7.ins.spaces", "HL7-INS-02", "PID[1]-3[1].1")]
