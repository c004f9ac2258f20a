"""harness.core.findings: how a finding prints and when findings become a non-conformity."""

from __future__ import annotations

import pytest

from harness.core.findings import Finding, NonConformity, Severity, raise_for_findings

KEY = Finding("ins.key", "INS-KEY-01", "key 60 does not match", location="/RESULTAT/INDIVIDU/INSACTIF")
OID_WARNING = Finding("ins.sex", "INS-KEY-01", "starts with 7", severity=Severity.WARNING)


def test_finding_prints_requirement_rule_location_and_message() -> None:
    assert str(KEY) == "[INS-KEY-01] ins.key at /RESULTAT/INDIVIDU/INSACTIF: key 60 does not match"
    assert str(Finding("ins.none", "", "nothing", severity=Severity.INFO)) == "ins.none: nothing"


def test_finding_as_dict() -> None:
    assert KEY.as_dict() == {
        "rule": "ins.key",
        "requirement": "INS-KEY-01",
        "severity": "error",
        "location": "/RESULTAT/INDIVIDU/INSACTIF",
        "message": "key 60 does not match",
        "evidence": [],
    }


def test_non_conformity_is_an_assertion_error_listing_findings() -> None:
    with pytest.raises(AssertionError) as info:
        raise_for_findings("INS stored", [KEY, OID_WARNING])
    error = info.value
    assert isinstance(error, NonConformity)
    assert error.findings == (KEY,)
    assert error.requirements == ("INS-KEY-01",)
    assert str(error).splitlines() == ["[NON-CONFORMITE / NON-CONFORMITY] INS stored", "", f"- {KEY}"]


def test_warnings_alone_and_other_requirements_do_not_raise() -> None:
    raise_for_findings("only a warning", [OID_WARNING])
    raise_for_findings("other requirement", [KEY], requirement="INS-OID-01")
