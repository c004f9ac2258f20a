"""The judgement of ECO.1.1.10 (untrusted operator certificate) on recorded exchanges."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from harness.core.findings import NonConformity
from harness.core.recorder import Exchange, HttpMessage
from harness.plugin.evidence import Scenario
from harness.suites.mss.test_mss_trust import test_an_operator_certificate_from_an_untrusted_ca_is_refused as judge


def _exchange(transaction: str) -> Exchange:
    return Exchange(
        id="00001",
        service="MSSante",
        transaction=transaction,
        started=datetime.now(UTC),
        request=HttpMessage("EHLO", [], b""),
        response=HttpMessage("250", [], b""),
    )


def test_an_smtp_session_with_the_untrusted_operator_fails_the_requirement() -> None:
    scenario = Scenario("untrusted", exchanges=[_exchange("SMTP")], data={"outcome": {"status": "sent"}})
    with pytest.raises(NonConformity) as caught:
        judge(scenario)
    assert caught.value.findings[0].requirement == "ECO.1.1.10"


def test_a_refused_handshake_reported_by_the_dui_passes() -> None:
    judge(Scenario("untrusted", exchanges=[], data={"outcome": {"status": "error", "reason": "CERTIFICATE_VERIFY"}}))
    judge(Scenario("untrusted", exchanges=[_exchange("TLS")], data={"outcome": {"status": "sent"}}))


def test_no_attempt_and_no_report_is_not_judged() -> None:
    with pytest.raises(pytest.skip.Exception):
        judge(Scenario("untrusted", exchanges=[], data={"outcome": {"status": "queued"}}))
