"""## Requirements
CDA-RCP-01 (SC.DOC.04.MS1: the DUI names automatically, in the outgoing document, every
recipient it is sent to).

## Dependencies
The scenario ``fludt_published``: the DUI is asked for the FLUDT of a resident, addressed to the
emergency physician and to the SAMU regulator (RPPS numbers of the test range). Blocked by
CDA-FLUDT-01 when the DUI produced no FLUDT.

## Methodology
Each recipient given to the DUI must appear in the FLUDT header as an
``informationRecipient/intendedRecipient`` whose ``id`` is its RPPS (root 1.2.250.1.71.4.2.1);
a recipient missing is a finding naming it.
"""

from __future__ import annotations

import pytest

from harness.core.findings import Finding
from harness.plugin.evidence import Scenario
from harness.suites.dmp.checks import expect
from harness.suites.doc.produced import fludt_documents
from harness.validators.cda.pack import CdaPack

REQ = "CDA-RCP-01"
RPPS = "1.2.250.1.71.4.2.1"
CDA = {"cda": "urn:hl7-org:v3"}
NAMED = f"cda:informationRecipient/cda:intendedRecipient/cda:id[@root='{RPPS}']/@extension"


@pytest.mark.requirement(REQ)
@pytest.mark.parametrize("scenario", ["fludt_published"], indirect=True)
def test_every_recipient_is_named_in_the_document(scenario: Scenario, cda_pack: CdaPack | None) -> None:
    """Every professional the FLUDT is sent to is an informationRecipient of its header."""
    wanted = {str(r["rpps"]): f"{r['given']} {r['family']}" for r in scenario.data["recipients"]}
    found = []
    for exchange, entry, cda in fludt_documents(scenario, REQ, cda_pack):
        named = cda.root.xpath(NAMED, namespaces=CDA) if cda.root is not None else []
        present = {str(v) for v in named} if isinstance(named, list) else set()
        found += [
            Finding(
                "cda.recipient.missing",
                REQ,
                f"the document is sent to {who} (RPPS {rpps}) but does not name this recipient: no "
                f"informationRecipient/intendedRecipient/id root={RPPS} extension={rpps}",
                location=f"document {entry}: /ClinicalDocument/informationRecipient",
                evidence=(f"exchange {exchange.id}",),
            )
            for rpps, who in wanted.items()
            if rpps not in present
        ]
    expect(f"{scenario.name}: recipients named in the document", found)
