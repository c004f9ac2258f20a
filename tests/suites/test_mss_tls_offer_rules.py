"""SC.MSS/CONF.03 read on a ClientHello: the listed suites, their ECDSA twins and TLS 1.3 pass; the rest does not."""

from __future__ import annotations

from harness.suites.mss.tls_offer import offer_findings

SOUND = {
    "versions": ["0x0304", "0x0303"],
    "suites": ["0x1302", "0x1301", "0xC030", "0xC02F", "0x009E", "0xC02C", "0x00FF", "0x0A0A"],
    "groups": ["0x001D", "0x0017", "0x0100", "0x2A2A"],
}


def test_a_sound_offer_has_no_finding() -> None:
    assert offer_findings(SOUND, "ClientHello #1") == []


def test_an_unlisted_suite_an_old_version_and_a_small_curve_are_findings() -> None:
    weak = {"versions": ["0x0303", "0x0302"], "suites": ["0xC030", "0xCCA9"], "groups": ["0x0015", "0x0017"]}
    findings = offer_findings(weak, "ClientHello #2")
    assert [f.rule for f in findings] == ["mss.tls.offer.version", "mss.tls.offer.suite", "mss.tls.offer.group"]
    assert all(f.requirement == "SC.MSS/CONF.03" for f in findings)
    assert "0xCCA9" in findings[1].message


def test_tls13_suites_need_tls13_offered() -> None:
    only12 = {"versions": ["0x0303"], "suites": ["0x1301", "0xC02F"], "groups": []}
    assert [f.rule for f in offer_findings(only12, "x")] == ["mss.tls.offer.suite"]
