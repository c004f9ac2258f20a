"""## Requirements
MSS-MDN-04 (SC.MSS/UX.34): the DUI can return a read receipt (an MDN) when a message it received asks for
one (``Disposition-Notification-To``).

## Dependencies
The receiving scenario (``received_all``): the message of case ``known-vsm`` asked for an acknowledgement
and was fetched and integrated (MSS-RCV-01 blocks this one otherwise); the DUI's trigger API
(``readMssMessage``: the user opens that message).

## Methodology
Once the DUI has fetched its mail (and sent its automatic *processed* acknowledgements, judged by
MSS-MDN-01 to 03), the harness opens the message as a user would. The DUI must then send, through the
operator, an RFC 8098 disposition notification about that message (``Original-Message-ID``) whose
disposition type is ``displayed`` (RFC 8098 §3.2.6.2), well formed (the structure rules of MSS-MDN-01,
applied to this notification).
"""

from __future__ import annotations

import pytest

from harness.core.findings import Blocked, Finding
from harness.core.recorder import Recorder
from harness.plugin.evidence import Scenario
from harness.plugin.session import RunContext
from harness.suites.mss.checks import expect, judged
from harness.sut.driver import SutDriver
from harness.validators.mail.mdn import is_mdn, read_mdn

REQUIREMENT = "MSS-MDN-04"
CASE = "known-vsm"
SERVICE = "MSS"


@pytest.fixture(scope="module")
def read_receipt(
    sut: SutDriver, recorder: Recorder, dui_run: RunContext, received_all: dict[str, Scenario]
) -> Scenario:
    received = received_all[CASE]
    message_id = str(received.data["message_id"])
    since = recorder.mark()
    outcome = sut.mss_mark_read(message_id)
    recorder.wait_for(
        lambda found: any(e.tags.get("original_message_id") == message_id for e in found),
        service=SERVICE,
        transaction="SMTP",
        since=since,
        timeout=min(dui_run.settings.exchange_timeout, 5.0) if outcome.get("receipt") != "not_sent" else 0.5,
    )
    receipts = [
        e
        for e in recorder.exchanges(service=SERVICE, transaction="SMTP", since=since)
        if e.tags.get("original_message_id") == message_id
    ]
    return Scenario(
        name="MSSanté accusé de lecture / read receipt",
        person_id=received.person_id,
        exchanges=receipts,
        data={"message_id": message_id, "outcome": outcome, "received": received},
    )


@pytest.mark.requirement(REQUIREMENT)
def test_a_read_receipt_is_returned_when_asked(read_receipt: Scenario) -> None:
    """Opened by the user, a message asking for an acknowledgement gets an MDN whose disposition is displayed."""
    message_id = read_receipt.data["message_id"]
    holders = read_receipt.data["received"].data["documents"]
    if not any(holders.values()):
        raise Blocked("the DUI integrated none of the received documents: nothing was opened", ("MSS-RCV-01",))
    findings: list[Finding] = []
    displayed = []
    for exchange in read_receipt.exchanges:
        parsed = judged(exchange).parsed
        if not is_mdn(parsed):
            continue
        report = read_mdn(parsed)
        if report.disposition_type == "displayed":
            displayed.append(exchange)
            findings += [
                Finding(f.rule, REQUIREMENT, f.message, f.severity, f.location, (f"exchange {exchange.id}",))
                for f in report.findings
            ]
    if not displayed:
        findings.append(
            Finding(
                "mss.mdn.read_receipt",
                REQUIREMENT,
                f"the message {message_id} asked for an acknowledgement (Disposition-Notification-To) and was opened "
                f"in the DUI; no read receipt (MDN, disposition type displayed) reached the operator (the DUI "
                f"answered {read_receipt.data['outcome']})",
                location="SMTP",
                evidence=tuple(f"exchange {e.id}" for e in read_receipt.exchanges),
            )
        )
    expect("read receipt (MDN displayed)", findings)
