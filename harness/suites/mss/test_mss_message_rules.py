"""## Requirements
MSS-NAME-01 (sender display name, Intitulé_BAL: SC.MSS.15, SC.MSS/va1.16), MSS-BODY-01 (body
in text/plain or multipart/alternative: SC.MSS.12, SC.MSS/va1.11), MSS-APP-01 (from an
application mailbox: "generated automatically" mention and Reply-To a personal or
organisational mailbox: SC.MSS.13, SC.MSS/va1.09).

## Dependencies
The MSSanté operator simulator (its directory gives each mailbox's kind; the ``mssante`` entry of
``PUT /config/endpoints`` gives the DUI its structure's organisational mailbox as ``reply_to``),
the INSi simulator and the DUI's trigger API (or the operator).

## Methodology
Each document message of the sending scenarios is judged once by the simulator: the display
name of ``From``, the MIME type of the body, and — the DUI's mailbox being an application
mailbox in the directory — the mention in the body and the kind of the ``Reply-To`` mailbox.
"""

from __future__ import annotations

import pytest

from harness.plugin.evidence import Scenario
from harness.suites.mss.checks import expect, findings_of, require_message
from harness.suites.mss.conftest import SENT

EVERY_SENT = pytest.mark.parametrize("sent", SENT, indirect=True)


@pytest.mark.requirement("MSS-NAME-01")
@EVERY_SENT
def test_sender_shows_the_mailbox_label(sent: Scenario) -> None:
    """``From: "Intitulé de la BAL" <adresse>``."""
    messages = require_message(sent, "MSS-NAME-01")
    expect(f"{sent.name}: sender display name", findings_of(messages, "MSS-NAME-01"))


@pytest.mark.requirement("MSS-BODY-01")
@EVERY_SENT
def test_body_is_plain_text_or_alternative(sent: Scenario) -> None:
    """text/plain, or multipart/alternative with text/plain and text/html."""
    messages = require_message(sent, "MSS-BODY-01")
    expect(f"{sent.name}: body format", findings_of(messages, "MSS-BODY-01"))


@pytest.mark.requirement("MSS-APP-01")
@EVERY_SENT
def test_application_mailbox_says_automatic_and_gives_a_contact(sent: Scenario) -> None:
    """The body says the message was generated automatically; Reply-To is a personal/organisational mailbox."""
    messages = require_message(sent, "MSS-APP-01")
    expect(f"{sent.name}: application mailbox", findings_of(messages, "MSS-APP-01"))
