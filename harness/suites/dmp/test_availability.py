"""## Requirements
DMP-AVAIL-01: when the DMP does not answer, the DUI loses no document: it keeps it and sends it
again, or reports it.

## Dependencies
DMP simulator with an injected fault: every ITI-41 answered HTTP 503 during the outage; the
trigger API ``POST /dmp/retry`` (optional: a DUI may retry on its own or only report).

## Methodology
During the outage the DUI is asked to publish a PPA. It must have tried (an ITI-41 reached the
simulator), must not report the document as published, and must still hold it. Once the DMP
answers again, after ``retry``, the document is expected in the DMP; a DUI that only reported
the failure (status pending or refused, document kept) passes too.
"""

from __future__ import annotations

import pytest

from harness.core.findings import Finding
from harness.plugin.evidence import Scenario
from harness.suites.dmp.checks import expect, require, status_of


@pytest.mark.requirement("DMP-AVAIL-01")
def test_no_document_lost_when_the_dmp_is_unavailable(unavailable: Scenario) -> None:
    """The document survives the outage: kept (pending or reported), then sent again or still held."""
    tried = require(unavailable, "ITI-41", "DMP-AVAIL-01")
    data = unavailable.data
    publication = data["publication"]
    document_id = publication.get("document_id")
    where = f"trigger API GET /persons/{unavailable.person_id}/dmp/documents"
    findings = []
    outage = [e for e in tried if e.id <= data["outage_end"]]
    if status_of(publication) == "published":
        findings.append(
            Finding(
                "dmp.avail.false_success",
                "DMP-AVAIL-01",
                "the DMP answered HTTP 503 to every ITI-41, yet the DUI reports the document as published",
                location="trigger API publishDmpDocument → status",
            )
        )
    if not any(d.get("document_id") == document_id for d in data["documents_during_outage"]):
        findings.append(
            Finding(
                "dmp.avail.lost",
                "DMP-AVAIL-01",
                f"after {len(outage)} refused ITI-41 call(s) the document {document_id} is no longer in the DUI (lost)",
                location=where,
            )
        )
    after = [d for d in data["documents_after"] if d.get("document_id") == document_id]
    if not after:
        findings.append(
            Finding(
                "dmp.avail.lost_after",
                "DMP-AVAIL-01",
                f"after the outage the document {document_id} is neither in the DMP nor in the DUI",
                location=where,
            )
        )
    expect("DMP indisponible / DMP unavailable", findings)
