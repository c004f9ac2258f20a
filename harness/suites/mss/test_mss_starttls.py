"""## Requirements
MSS-STARTTLS-01 (SC.MSS/CONF.05: SMTP submission per RFC 5321 with STARTTLS, RFC 3207; SC.MSS/CONF.06:
mailbox access per IMAP4 with STARTTLS, RFC 3501 §6.2.1 / RFC 9051).

## Dependencies
The sending and receiving scenarios of the MSSanté suite (``sent_all``, ``received_all``), whose
connections of the DUI's mailbox are the ones read; the operator simulator with TLS (the mailbox entry of
``PUT /config/endpoints`` names both the STARTTLS listeners, ``smtp_port`` / ``imap_port``, and the
implicit-TLS ones, ``smtps_port`` / ``imaps_port``: the DUI chooses).

## Methodology
The requirements ask the DUI to *have* the STARTTLS interfaces. Among the SMTP transactions of the DUI's
mailbox (one exchange per message, with the session's TLS mode) and its successful IMAP authentications
(``IMAP AUTH`` exchanges), at least one of each must have been made over STARTTLS; a DUI seen only on the
implicit-TLS listeners does not show them. (Implicit TLS is still encryption, MSS-AUTH-01, and the
autoconfiguration document of the operator announces IMAPS and SMTPS on purpose, SC.MSS/CONF.04.) Not
judged on a bench without TLS; a protocol the DUI's mailbox did not use is not judged.
"""

from __future__ import annotations

import pytest

from harness.core.findings import Finding
from harness.core.recorder import Recorder
from harness.plugin.evidence import Scenario
from harness.suites.mss.checks import expect
from mocks.mssante import MssSimulator

REQUIREMENT = "MSS-STARTTLS-01"
#: protocol -> (recorded transaction, the RFC of its STARTTLS)
PROTOCOLS = {"SMTP": ("SMTP", "RFC 3207"), "IMAP": ("IMAP AUTH", "RFC 3501 §6.2.1")}


@pytest.mark.requirement(REQUIREMENT)
def test_submission_and_mailbox_access_use_starttls(
    operator: MssSimulator, recorder: Recorder, sent_all: dict[str, Scenario], received_all: dict[str, Scenario]
) -> None:
    """The DUI's mailbox has the SMTP and IMAP interfaces with STARTTLS: it uses them."""
    if operator.mail_tls is None:
        pytest.skip("banc sans TLS / bench without TLS: SC.MSS/CONF.05/06 not judged")
    dui = operator.directory.with_role("dui").address
    findings = []
    seen = 0
    for protocol, (transaction, rfc) in PROTOCOLS.items():
        sessions = [
            e
            for e in recorder.exchanges(service="MSS", transaction=transaction)
            if e.summary.get("account") == dui and (protocol == "SMTP" or e.summary.get("success"))
        ]
        seen += len(sessions)
        if sessions and not any(e.summary.get("tls_mode") == "starttls" for e in sessions):
            modes = sorted({str(e.summary.get("tls_mode")) for e in sessions})
            findings.append(
                Finding(
                    f"mss.starttls.{protocol.lower()}",
                    REQUIREMENT,
                    f"none of the DUI's {len(sessions)} {protocol} session(s) used STARTTLS ({', '.join(modes)} "
                    f"TLS only): no {protocol} interface with STARTTLS observed ({rfc})",
                    location=f"{protocol} session",
                    evidence=tuple(f"exchange {e.id}" for e in sessions[:20]),
                )
            )
    if not seen:
        pytest.skip("the DUI's mailbox made no SMTP or IMAP session: SC.MSS/CONF.05/06 not judged here")
    expect("MSSanté: STARTTLS on submission and mailbox access", findings)
