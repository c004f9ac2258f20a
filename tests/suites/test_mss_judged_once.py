"""A message sent to the MSSanté operator is judged once: the suite reads the simulator's report and
redoes only the check that needs the scenario's knowledge (was an acknowledgement asked?)."""

from __future__ import annotations

from harness.core.recorder import Exchange, HttpMessage, utcnow
from harness.suites.mss.checks import revalidate
from harness.validators.mail import validate_message

RAW = (
    b"From: dui@esms.mssante.fr\r\nTo: dr.x@hopital.mssante.fr\r\nSubject: test\r\n"
    b"Message-ID: <1@esms.mssante.fr>\r\nDate: Mon, 02 Mar 2026 10:00:00 +0100\r\n\r\nbody\r\n"
)
ENVELOPE_FROM, ENVELOPE_TO = "dui@esms.mssante.fr", ["dr.x@hopital.mssante.fr"]
ENVELOPE: dict[str, object] = {"from": ENVELOPE_FROM, "to": ENVELOPE_TO}


def _exchange() -> Exchange:
    exchange = Exchange("00001", "MSS", "SMTP", utcnow(), HttpMessage("SMTP DATA", [], RAW))
    exchange.summary["envelope"] = ENVELOPE
    return exchange


def test_the_simulators_report_is_reused_with_the_acknowledgement_check_redone() -> None:
    # given the operator simulator's report (acknowledgement: unknown to it)
    exchange = _exchange()
    exchange.judgements["mail"] = validate_message(RAW, envelope_sender=ENVELOPE_FROM, recipients=ENVELOPE_TO)
    # when the scenario asked for an acknowledgement
    reused = revalidate(exchange, ack_requested=True)
    # then the findings are those of a full validation with that knowledge, and the message was parsed once
    expected = validate_message(RAW, envelope_sender=ENVELOPE_FROM, recipients=ENVELOPE_TO, ack_requested=True)
    assert sorted(map(str, reused.findings)) == sorted(map(str, expected.findings))
    assert any(f.rule == "mss.ack.missing" for f in reused.findings)
    assert reused.parsed is exchange.judgements["mail"].parsed


def test_without_the_simulators_report_the_message_is_validated_here() -> None:
    reused = revalidate(_exchange(), ack_requested=True)
    assert any(f.rule == "mss.ack.missing" for f in reused.findings)
