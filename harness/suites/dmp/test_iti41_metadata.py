"""## Requirements
DMP-XDS-01 to DMP-XDS-05 (ITI-41 structure, DocumentEntry and SubmissionSet metadata, value
sets, HL7 v2 formats), DMP-CON-01 to DMP-CON-07 (CDA ↔ metadata consistency), DMP-DOC-01 (the
CDA document), DMP-DOC-02 (unstructured documents) and DMP-DOC-03 (CDA only).

## Dependencies
DMP simulator; the DUI publishes a DLU, a PPA (80788-3, PDF), an N1 PDF and a new version of a
DLU. The CI-SIS value sets (embedded; the run's pack, ``--cda-pack``, replaces them).

## Methodology
The harness re-reads every ITI-41 request exactly as it crossed the wire (MTOM split with a
MIME parser, SOAP 1.2 parsed safely), validates the metadata of each DocumentEntry and of the
SubmissionSet, validates each CDA document, and compares each entry with its document
(patientId/INS, typeCode/code, formatCode/content model, creationTime/effectiveTime,
confidentialityCode, uniqueId/id, SHA-1 hash and size). Findings give the XPath of the slot,
classification or identifier at fault.
"""

from __future__ import annotations

import pytest

from harness.core.findings import Finding
from harness.plugin.evidence import Scenario
from harness.suites.dmp.checks import expect, findings_of, submissions
from harness.validators.cda.pack import CdaPack

PUBLICATIONS = ["dlu_published", "ppa_published", "n1_published", "replaced"]
METADATA = {
    "DMP-XDS-01": "structure of the ITI-41 request",
    "DMP-XDS-02": "DocumentEntry metadata",
    "DMP-XDS-03": "SubmissionSet metadata",
    "DMP-XDS-04": "codes from the CI-SIS value sets",
    "DMP-XDS-05": "HL7 v2 formats (CX, XCN, XON, DTM)",
    "DMP-CON-01": "patientId = INS of the CDA recordTarget",
    "DMP-CON-02": "typeCode = CDA code",
    "DMP-CON-03": "formatCode = content model",
    "DMP-CON-04": "creationTime / languageCode from the CDA header",
    "DMP-CON-05": "confidentialityCode = CDA confidentialityCode",
    "DMP-CON-06": "uniqueId = ClinicalDocument id",
    "DMP-CON-07": "hash (SHA-1) and size of the document",
    "DMP-DOC-02": "unstructured document: templateIds and body",
    "DMP-DOC-03": "each document a CDA R2 (text/xml), never a bare PDF or FHIR JSON",
}


def _judge(scenario: Scenario, requirement: str, pack: CdaPack | None) -> None:
    pairs = submissions(scenario, requirement, pack)
    expect(f"{scenario.name}: {METADATA[requirement]}", findings_of(pairs, requirement))


@pytest.mark.parametrize("scenario", PUBLICATIONS, indirect=True)
@pytest.mark.parametrize("requirement", [pytest.param(r, marks=pytest.mark.requirement(r), id=r) for r in METADATA])
def test_submission_metadata(scenario: Scenario, requirement: str, cda_pack: CdaPack | None) -> None:
    """Each ITI-41 request of the scenario, judged on one requirement."""
    _judge(scenario, requirement, cda_pack)


@pytest.mark.requirement("DMP-DOC-01")
@pytest.mark.parametrize("scenario", PUBLICATIONS, indirect=True)
def test_documents_fed_to_the_dmp_are_valid_cda(scenario: Scenario, cda_pack: CdaPack | None) -> None:
    """Every CDA document sent passes the harness's CDA validation (structuration minimale, INS and
    traits, content model; the official schematrons too when a pack is given)."""
    pairs = submissions(scenario, "DMP-DOC-01", cda_pack)
    found = []
    for exchange, report in pairs:
        for entry_id, cda in report.cda.items():
            found += [
                Finding(
                    f.rule,
                    "DMP-DOC-01",
                    f"[{f.requirement}] {f.message}",
                    f.severity,
                    f"document {entry_id}: {f.location}",
                    (f"exchange {exchange.id}",),
                )
                for f in cda.findings
                if f.severity.value == "error"
            ]
    expect(f"{scenario.name}: CDA documents fed to the DMP", found)
