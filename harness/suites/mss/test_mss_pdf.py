"""## Requirements
MSS-PDF-01 (the documents also travel as PDF/A-1 next to IHE_XDM.ZIP: SC.MSS/CONF.23,
SC.MSS.17/18.MS1), MSS-PDF-02 (PDF/A-1 identification and basic ISO 19005-1 constraints),
MSS-PDF-03 (identity block: SC.INS.55), MSS-PDF-04 (INS datamatrix against the CDA: SC.INS.57,
SC.DOC.03.MS1, SC.CDA/DD.12).

## Dependencies
The MSSanté operator simulator (it judges each message once, PDF copies included), the INSi
simulator and the DUI's trigger API (or the operator). The datamatrix is read by rendering the
pages (pypdfium2) and decoding the symbol (zxing-cpp, else pylibdmtx): without them on the
machine, MSS-PDF-04 is *not judged*.

## Methodology
For each document message of the sending scenarios, every PDF attachment is paired with the CDA
of the same rank in the archive. The PDF/A-1 checks use pikepdf; the identity block is the
page text (PDFium) compared with the CDA's recordTarget; the INS datamatrix is decoded from the
rendered pages and compared, value by value, with the CDA's INS, OID and traits. A person
without a qualified INS must get no INS datamatrix.
"""

from __future__ import annotations

import pytest

from harness.core.findings import Blocked
from harness.core.recorder import Exchange
from harness.plugin.evidence import Scenario
from harness.suites.mss.checks import expect, findings_of, judged, require_message
from harness.suites.mss.conftest import SENDING, SENT, UNQUALIFIED

EVERY_SENT = pytest.mark.parametrize("sent", SENT, indirect=True)
QUALIFIED_SENT = [name for name in SENT if SENDING[name][0] != UNQUALIFIED]


def _with_pdf(sent: Scenario, requirement: str) -> list[Exchange]:
    """The scenario's document messages, *blocked* on MSS-PDF-01 when one has no PDF copy to judge."""
    messages = require_message(sent, requirement)
    if any(not judged(e).pdf for e in messages):
        raise Blocked(f"{sent.name}: no PDF/A-1 copy attached, nothing to judge", ("MSS-PDF-01",))
    return messages


def _not_judged(messages: list[Exchange], requirement: str) -> None:
    reasons = sorted({why for e in messages for req, why in judged(e).not_judged.items() if req == requirement})
    if reasons:
        pytest.skip(f"exigence non jugée / requirement not judged: {'; '.join(reasons)}")


@pytest.mark.requirement("MSS-PDF-01")
@EVERY_SENT
def test_documents_travel_in_pdf_a1_too(sent: Scenario) -> None:
    """Each CDA of the IHE_XDM archive has its PDF/A-1 copy in the message."""
    messages = require_message(sent, "MSS-PDF-01")
    expect(f"{sent.name}: PDF/A-1 copy", findings_of(messages, "MSS-PDF-01"))


@pytest.mark.requirement("MSS-PDF-02")
@EVERY_SENT
def test_pdf_copy_is_pdf_a1(sent: Scenario) -> None:
    """XMP pdfaid part 1, GTS_PDFA1 output intent, embedded fonts, no encryption, JavaScript or transparency."""
    messages = _with_pdf(sent, "MSS-PDF-02")
    expect(f"{sent.name}: PDF/A-1", findings_of(messages, "MSS-PDF-02"))


@pytest.mark.requirement("MSS-PDF-03")
@pytest.mark.parametrize("sent", QUALIFIED_SENT, indirect=True)
def test_pdf_copy_shows_the_identity_block(sent: Scenario) -> None:
    """Birth name, first name, birth date, matricule INS and its nature, as in the CDA (règle 32)."""
    messages = _with_pdf(sent, "MSS-PDF-03")
    _not_judged(messages, "MSS-PDF-03")
    expect(f"{sent.name}: identity block", findings_of(messages, "MSS-PDF-03"))


@pytest.mark.requirement("MSS-PDF-04")
@EVERY_SENT
def test_pdf_copy_carries_the_ins_datamatrix_of_the_cda(sent: Scenario) -> None:
    """The INS datamatrix holds the CDA's matricule, OID and traits; none for an identity not qualified."""
    messages = _with_pdf(sent, "MSS-PDF-04")
    _not_judged(messages, "MSS-PDF-04")
    expect(f"{sent.name}: INS datamatrix", findings_of(messages, "MSS-PDF-04"))
