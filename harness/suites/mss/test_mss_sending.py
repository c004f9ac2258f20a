"""## Requirements
MSS-XDM-01, MSS-XDM-02, MSS-XDM-03 (the IHE_XDM.ZIP attachment, its METADATA.XML and the CDA
it holds), MSS-ACK-01 (acknowledgement request), MSS-PAT-01 (nothing to the patient when the
document is invisible to them), MSS-AUTH-01 (encrypted, authenticated connection).

## Dependencies
The MSSanté operator simulator, the INSi simulator and the DUI's trigger API (or the operator).

## Methodology
The document messages of the sending scenarios are opened by the simulator: the archive is
read in memory within limits (entries, sizes, compression ratio, no path traversal), its
layout checked, METADATA.XML compared with each document (URI, SHA-1, size, patientId against
the CDA recordTarget) and each CDA validated by the harness's CDA validator. The scenario
asking for an acknowledgement must carry ``Disposition-Notification-To``; the scenario of a
document invisible to the patient must put nothing in the patient's mailbox. Every SMTP
session must be TLS-encrypted and authenticated, without refusal by the operator.
"""

from __future__ import annotations

import pytest

from harness.core.findings import Blocked, Finding, NonConformity
from harness.plugin.evidence import Scenario
from harness.suites.mss.checks import expect, findings_of, require_message, revalidate
from harness.suites.mss.conftest import SENT

EVERY_SENT = pytest.mark.parametrize("sent", SENT, indirect=True)


@pytest.mark.requirement("MSS-XDM-01")
@EVERY_SENT
def test_document_travels_in_an_ihe_xdm_archive(sent: Scenario) -> None:
    """IHE_XDM.ZIP with INDEX.HTM, README.TXT, IHE_XDM/SUBSET01/METADATA.XML and the documents."""
    messages = require_message(sent, "MSS-XDM-01")
    findings = findings_of(messages, "MSS-XDM-01")
    for exchange in messages:
        if not (exchange.summary.get("message") or {}).get("documents"):
            findings.append(
                Finding(
                    "xdm.missing",
                    "MSS-XDM-01",
                    "the message carries no IHE_XDM.ZIP with a document",
                    location="attachments",
                    evidence=(f"exchange {exchange.id}",),
                )
            )
    expect(f"{sent.name}: IHE_XDM archive", findings)


@pytest.mark.requirement("MSS-XDM-02")
@EVERY_SENT
def test_metadata_describes_the_documents(sent: Scenario) -> None:
    """METADATA.XML names each document with its SHA-1 hash, size and the patient's identifier."""
    messages = require_message(sent, "MSS-XDM-02")
    layout = [f for f in findings_of(messages, "MSS-XDM-01") if f.rule in ("xdm.layout.metadata", "xdm.zip.corrupt")]
    if layout:
        raise Blocked(f"{sent.name}: no METADATA.XML to compare with the documents", ("MSS-XDM-01",))
    expect(f"{sent.name}: METADATA.XML", findings_of(messages, "MSS-XDM-02"))


@pytest.mark.requirement("MSS-XDM-03")
@EVERY_SENT
def test_attached_cda_is_valid(sent: Scenario) -> None:
    """Each CDA of the archive passes the CDA validator (structuration minimale, INS and traits)."""
    messages = require_message(sent, "MSS-XDM-03")
    expect(f"{sent.name}: CDA document", findings_of(messages, "MSS-XDM-03"))


@pytest.mark.requirement("MSS-ACK-01")
@pytest.mark.parametrize("sent", [name for name in SENT if name.endswith("-ack")], indirect=True)
def test_acknowledgement_request_uses_disposition_notification_to(sent: Scenario) -> None:
    """Asked to request an acknowledgement, the DUI sets Disposition-Notification-To."""
    messages = require_message(sent, "MSS-ACK-01")
    findings = [
        f for e in messages for f in revalidate(e, ack_requested=True).findings if f.requirement == "MSS-ACK-01"
    ]
    expect(f"{sent.name}: acknowledgement request", findings)


@pytest.mark.requirement("MSS-PAT-01")
@pytest.mark.parametrize("sent", ["patient", "patient-invisible"], indirect=True)
def test_nothing_is_sent_to_the_patient_when_the_document_is_invisible(sent: Scenario) -> None:
    """A document INVISIBLE_PATIENT never reaches the patient's Mon espace santé mailbox (neither by the
    scenario that asks for it, nor marked so in the METADATA.XML of a message to the patient)."""
    expect(f"{sent.name}: document invisible to the patient", findings_of(sent.exchanges, "MSS-PAT-01"))
    if sent.data["visible_to_patient"]:  # a visible document must reach the patient, with the checks above
        require_message(sent, "MSS-PAT-01")
    to_patient = [
        e
        for e in sent.exchanges
        if e.transaction == "SMTP"
        and "patient" in e.tags.get("recipient_kinds", "")
        and str(e.summary.get("reply", "")).startswith("250")
    ]
    if to_patient and not sent.data["visible_to_patient"]:
        raise NonConformity(
            f"{sent.name}: the patient received a document invisible to them",
            [
                Finding(
                    "mss.patient.invisible",
                    "MSS-PAT-01",
                    f"message {e.tags.get('message_id')} was delivered to "
                    f"{', '.join(e.summary.get('envelope', {}).get('to', []))} although the document is not visible "
                    "to the "
                    "patient (INVISIBLE_PATIENT)",
                    location="SMTP RCPT TO",
                    evidence=(f"exchange {e.id}",),
                )
                for e in to_patient
            ],
        )


@pytest.mark.requirement("MSS-AUTH-01")
@EVERY_SENT
def test_submission_is_encrypted_and_authenticated(sent: Scenario) -> None:
    """SMTP over TLS (STARTTLS or implicit), authenticated; no session refused by the operator."""
    messages = require_message(sent, "MSS-AUTH-01")
    findings = findings_of(sent.exchanges, "MSS-AUTH-01")
    for exchange in messages:
        if not exchange.summary.get("tls") or not exchange.summary.get("account"):
            findings.append(
                Finding(
                    "mss.smtp.auth",
                    "MSS-AUTH-01",
                    f"message accepted without TLS "
                    f"({exchange.summary.get('tls_mode')}) or authentication "
                    f"({exchange.summary.get('account')})",
                    location="SMTP session",
                    evidence=(f"exchange {exchange.id}",),
                )
            )
    expect(f"{sent.name}: operator connection", findings)
