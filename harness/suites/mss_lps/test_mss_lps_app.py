"""## Requirements
ANS test-case family ``MSS-LPS-SEGUR-APP`` (certificate authentication of application mailboxes):

SC.MSS/CONF.12: the application mailbox opens TLS presenting the organisation's authentication
certificate (ORG AUTH_CLI), then authenticates with PLAIN whose login is the mailbox address (IMAP:
``AUTHENTICATE PLAIN`` or the RFC 3501 ``LOGIN`` command), then sends its commands.

## Dependencies
A run with TLS (the test PKI gives the mailbox's certificate, ``client_cert`` of the ``mssante`` entry).

## Methodology
The DUI sends a document from its application mailbox and reads its INBOX. Each authentication is one
``SMTP AUTH`` / ``IMAP AUTH`` exchange at the operator; the rule ``mss.auth.app_sequence`` records a
finding when the session carried no certificate (password alone, still accepted by the operator as
MSS-AUTH-01 allows), another certificate, another mechanism (EXTERNAL, LOGIN, the certificate alone)
or a login that is not the mailbox address.
"""

from __future__ import annotations

import pytest

from harness.plugin.evidence import Scenario
from harness.suites.mss_lps.scenarios import auth_exchanges

APP_SEQUENCE = "SC.MSS/CONF.12"


@pytest.mark.requirement(APP_SEQUENCE)
def test_application_mailbox_certificate_then_plain(application_run: Scenario) -> None:
    """Every session of the application mailbox: its certificate in the TLS handshake, then PLAIN with its address."""
    if not [e for e in auth_exchanges(application_run) if e.summary.get("success")]:
        pytest.skip(
            "the application mailbox opened no session (send: "
            f"{application_run.data['send'].get('outcome') or application_run.data['send'].get('status')}): not judged"
        )
    application_run.assert_no_findings(APP_SEQUENCE, "API LPS BAL applicative / application mailbox")
