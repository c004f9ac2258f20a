"""## Requirements
SC.MSS/CONF.14, SC.MSS/CONF.15, SC.MSS/CONF.16, SC.MSS/CONF.21 (Référentiel socle MSSanté #2
ECO.2.4.2, ECO.2.4.1, ECO.2.4.3, ECO.2.2.8): the MSSanté headers of what the DUI sends;
MSS-SUBJ-01 (subject convention), MSS-FROM-01 (the DUI's mailbox as sender), MSS-MIME-01.

## Dependencies
The MSSanté operator simulator (SMTP submission over TLS, authenticated), the INSi simulator
(to qualify the persons) and the DUI's trigger API (or the operator, attended).

## Methodology
The DUI sends a document about a qualified person to a professional, to an organisational
mailbox (asking for an acknowledgement) and to the person's Mon espace santé mailbox, and a
document about a person it never qualified. The simulator records each message as submitted
and validates it (``harness.validators.mail``): X-MSS-NIL always; X-MSS-CODECDA and X-MSS-INS
exactly when an IHE_XDM archive with a CDA is attached, against that CDA (code, qualified
INS); X-MSS-MES: FIN to a patient. Each test fails with the findings of its requirement,
located by header, the raw messages attached.
"""

from __future__ import annotations

import pytest

from harness.core.findings import Finding, NonConformity
from harness.plugin.evidence import Scenario
from harness.suites.mss.checks import expect, findings_of, require_message
from harness.suites.mss.conftest import SENT

EVERY_SENT = pytest.mark.parametrize("sent", SENT, indirect=True)


@pytest.mark.requirement("SC.MSS/CONF.16")
@EVERY_SENT
def test_every_message_carries_x_mss_nil(sent: Scenario) -> None:
    """X-MSS-NIL (the product's reference number) is on every message the DUI sends."""
    messages = require_message(sent, "SC.MSS/CONF.16")
    expect(f"{sent.name}: X-MSS-NIL", findings_of(messages, "SC.MSS/CONF.16"))


@pytest.mark.requirement("SC.MSS/CONF.15")
@EVERY_SENT
def test_x_mss_codecda_names_the_attached_cda(sent: Scenario) -> None:
    """X-MSS-CODECDA is present with an attached CDA and carries its code@code."""
    messages = require_message(sent, "SC.MSS/CONF.15")
    expect(f"{sent.name}: X-MSS-CODECDA", findings_of(messages, "SC.MSS/CONF.15"))


@pytest.mark.requirement("SC.MSS/CONF.14")
@EVERY_SENT
def test_x_mss_ins_says_whether_the_ins_is_qualified(sent: Scenario) -> None:
    """X-MSS-INS is O only when the attached CDA carries a qualified INS (matricule, OID, traits)."""
    messages = require_message(sent, "SC.MSS/CONF.14")
    expect(f"{sent.name}: X-MSS-INS", findings_of(messages, "SC.MSS/CONF.14"))


@pytest.mark.requirement("MSS-SUBJ-01")
@EVERY_SENT
def test_subject_follows_the_xdm_convention(sent: Scenario) -> None:
    """Subject XDM/1.0/DDM+<libellé> <NOM> <prénom> <date de naissance>."""
    messages = require_message(sent, "MSS-SUBJ-01")
    expect(f"{sent.name}: subject", findings_of(messages, "MSS-SUBJ-01"))


@pytest.mark.requirement("MSS-FROM-01")
@EVERY_SENT
def test_message_comes_from_the_dui_mailbox(sent: Scenario) -> None:
    """From names the mailbox that authenticated and submitted the message."""
    messages = require_message(sent, "MSS-FROM-01")
    expect(f"{sent.name}: From", findings_of(messages, "MSS-FROM-01"))


@pytest.mark.requirement("MSS-MIME-01")
@EVERY_SENT
def test_message_is_well_formed_mime(sent: Scenario) -> None:
    """RFC 5322 / MIME form: mandatory headers once, ASCII headers, line length, MIME structure."""
    messages = require_message(sent, "MSS-MIME-01")
    expect(f"{sent.name}: RFC 5322 / MIME", findings_of(messages, "MSS-MIME-01"))


@pytest.mark.requirement("SC.MSS/CONF.21")
@pytest.mark.parametrize("sent", ["patient"], indirect=True)
def test_message_to_patient_carries_x_mss_mes_fin(sent: Scenario) -> None:
    """A message to <INS>@patient.mssante.fr carries X-MSS-MES: FIN (the patient cannot answer)."""
    messages = require_message(sent, "SC.MSS/CONF.21")
    to_patient = [e for e in messages if "patient" in e.tags.get("recipient_kinds", "")]
    if not to_patient:
        raise NonConformity(
            f"{sent.name}: nothing reached a patient mailbox",
            [
                Finding(
                    "mss.patient.none",
                    "SC.MSS/CONF.21",
                    "the DUI was asked to send to the person's Mon espace santé "
                    "mailbox but no message went to <INS>@patient.mssante.fr",
                    location="SMTP RCPT TO",
                )
            ],
        )
    expect(f"{sent.name}: X-MSS-MES", findings_of(to_patient, "SC.MSS/CONF.21"))
