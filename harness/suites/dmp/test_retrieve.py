"""## Requirements
DMP-GET-01 (a FLUDR or VSM retrieved from the DMP is integrated for the right person),
DMP-GET-02 (ITI-18 and ITI-43 requests).

## Dependencies
DMP simulator seeded with a FLUDR (emergency department → EHPAD) or a VSM written by a
synthetic hospital for DUPONT-ESSAI LOUISE ANNE; her twin LOUISE MARIE (same birth name,
another INS) is also in the DUI.

## Methodology
The DUI is asked to retrieve the document: it must query the registry by the INS (ITI-18,
status Approved), retrieve the seeded uniqueId from the repository (ITI-43), and integrate it
for LOUISE ANNE — the person whose INS the document carries — and never for her twin.
"""

from __future__ import annotations

import pytest

from harness.core.findings import Blocked, Finding, Severity
from harness.plugin.evidence import Scenario
from harness.suites.dmp.checks import expect, require, require_accepted
from harness.validators.xds.formats import parse_cx

RETRIEVALS = ["retrieved_fludr", "retrieved_vsm"]


@pytest.mark.requirement("DMP-GET-01")
@pytest.mark.parametrize("scenario", RETRIEVALS, indirect=True)
def test_retrieved_document_integrated_for_the_right_person(scenario: Scenario) -> None:
    """The seeded document is among the person's integrated documents, and not among her twin's."""
    retrieved = scenario
    queries = require(retrieved, "ITI-18", "DMP-GET-01")
    require_accepted(retrieved, queries)
    seeded = retrieved.data["seeded"]["unique_id"]
    mine = [d for d in retrieved.data["documents"] if d.get("document_id") == seeded]
    faulty = {
        f.requirement
        for e in queries
        for f in e.findings
        if f.severity is Severity.ERROR and f.requirement != "DMP-GET-01"
    }
    if any(
        str(err.get("code", "")).startswith("XDSStoredQuery") for e in queries for err in e.summary.get("errors") or []
    ):
        faulty.add("DMP-GET-02")  # the registry refused the query's parameters: the query is at fault
    if not mine and faulty:  # the DMP could not serve a non-conformant query: judged by DMP-GET-02
        raise Blocked(
            f"{retrieved.name}: the DUI's ITI-18 query was not conformant, so what it would have "
            "integrated cannot be judged",
            tuple(sorted(faulty)),
        )
    twin = [d for d in retrieved.data["twin_documents"] if d.get("document_id") == seeded]
    findings = []
    if not mine:
        findings.append(
            Finding(
                "dmp.get.not_integrated",
                "DMP-GET-01",
                f"the {retrieved.name} document {seeded} (INS of this person) is not integrated in her record",
                location=f"trigger API GET /persons/{retrieved.person_id}/dmp/documents",
            )
        )
    if twin:
        findings.append(
            Finding(
                "dmp.get.wrong_person",
                "DMP-GET-01",
                f"document {seeded} carries the INS "
                f"{retrieved.data['expected_ins']} but was integrated for another person "
                f"({retrieved.data['twin']}, same birth name)",
                location=f"trigger API GET /persons/{retrieved.data['twin']}/dmp/documents",
            )
        )
    expect(retrieved.name, findings)


def same_cx(value: str, expected: str) -> bool:
    """Same id and assigning authority (the CX type ``NH`` may be left out)."""
    got, want = parse_cx(value)[0], parse_cx(expected)[0]
    return got is not None and want is not None and (got.id, got.oid) == (want.id, want.oid)


@pytest.mark.requirement("DMP-GET-02")
@pytest.mark.parametrize("scenario", RETRIEVALS, indirect=True)
def test_query_and_retrieve_requests(scenario: Scenario) -> None:
    """ITI-18 names the patient by its INS with a status; ITI-43 asks for the returned uniqueId."""
    retrieved = scenario
    queries = require(retrieved, "ITI-18", "DMP-GET-02")
    retrievals = require(retrieved, "ITI-43", "DMP-GET-02")
    patient = f"{retrieved.data['expected_ins']}^^^&{retrieved.data['expected_oid']}&ISO^NH"
    seeded = retrieved.data["seeded"]["unique_id"]
    findings = []
    for query in queries:
        params = query.summary.get("params") or {}
        if query.summary.get("status") != "Success":
            findings.append(
                Finding(
                    "dmp.get.query_failed",
                    "DMP-GET-02",
                    f"the registry refused the query: {query.summary.get('errors')}",
                    location=f"exchange {query.id}",
                )
            )
        asked = [v for k, values in params.items() if k.lower().endswith("patientid") for v in values]
        if asked and not all(same_cx(v, patient) for v in asked):  # the ^NH type is optional
            findings.append(
                Finding(
                    "dmp.get.patient",
                    "DMP-GET-02",
                    f"the query names patient {asked}, not the INS {patient}",
                    location=f"exchange {query.id} $XDSDocumentEntryPatientId",
                )
            )
    if not any(seeded in (e.summary.get("returned") or []) for e in retrievals):
        findings.append(
            Finding(
                "dmp.get.not_retrieved",
                "DMP-GET-02",
                f"no ITI-43 retrieved the document {seeded} the registry returned",
                location="ITI-43 DocumentRequest",
            )
        )
    expect(retrieved.name, findings)
