"""The PSC-backed DMP check (``harness/suites/dmp_psc``) on scenarios built by hand.

Conditional requirement: no PSC session → not judged; every DMP call must carry the signed-in
professional's token (what the DMP found in it is judged through the exchanges' findings).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from harness.core.findings import Finding, NonConformity, Severity
from harness.core.recorder import Exchange, HttpMessage
from harness.plugin.evidence import Scenario
from harness.suites.dmp_psc.test_dmp_psc import test_dmp_calls_backed_by_psc as check

CLAIRE = "899900000011"
LOGGED_IN = {"outcome": "logged_in"}


def _call(transaction: str, psc: dict[str, Any] | None, *findings: Finding) -> Exchange:
    exchange = Exchange("00001", "DMP", transaction, datetime.now(UTC), HttpMessage("POST /dmp HTTP/1.1", [], b""))
    if psc is not None:
        exchange.summary["psc"] = psc
    exchange.findings.extend(findings)
    return exchange


def _scenario(*exchanges: Exchange, login: dict[str, Any] = LOGGED_IN, refused: tuple[str, ...] = ()) -> Scenario:
    data = {"login": login, "refused": list(refused), "professional": CLAIRE}
    return Scenario("psc", "p1", list(exchanges), data)


def _rules(scenario: Scenario) -> list[str]:
    with pytest.raises(NonConformity) as raised:
        check(scenario)
    return [f.rule for f in raised.value.findings]


GOOD = {"known": True, "professional": CLAIRE, "token": "abc"}


def test_no_psc_session_is_not_judged() -> None:
    with pytest.raises(pytest.skip.Exception, match="no PSC session"):
        check(_scenario(login={"outcome": "error", "error": "psc_login unsupported"}))


def test_every_call_with_the_professionals_token_passes() -> None:
    check(_scenario(_call("TD0.2", GOOD), _call("ITI-41", GOOD)))


def test_a_call_without_token_fails() -> None:
    assert _rules(_scenario(_call("TD0.2", GOOD), _call("ITI-41", None))) == ["dmp.psc.no_token"]


def test_a_token_of_another_professional_fails() -> None:
    other = {**GOOD, "professional": "899900000029"}
    assert _rules(_scenario(_call("ITI-18", other))) == ["dmp.psc.token_professional"]


def test_what_the_dmp_found_in_the_token_fails() -> None:
    found = Finding("dmp.psc.professional", "DMP-PSC-01", "NameID of another professional", Severity.ERROR, "NameID")
    assert _rules(_scenario(_call("ITI-43", GOOD, found))) == ["dmp.psc.professional"]


def test_no_dmp_call_or_a_refusal_fails() -> None:
    assert _rules(_scenario()) == ["dmp.psc.no_call"]
    assert _rules(_scenario(refused=("publication: HTTP 409",))) == ["dmp.psc.refused"]
