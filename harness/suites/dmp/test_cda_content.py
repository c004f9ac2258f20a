"""## Requirements
CDA-HDR-01, CDA-INS-01 (embedded rules, always), CDA-N1-01 (unstructured document),
CDA-DLU-01 (DLU of an EHPAD resident); with a CI-SIS artefact pack: CDA-XSD-01 (CDA_extended
XSD) and CDA-SCH-01 / CDA-SCH-02 (official schematrons of the content model and the
cross-cutting models).

## Dependencies
The DMP publication scenarios (DLU, PPA, N1, replacement): the CDA documents are taken from
the DUI's ITI-41 requests as the DMP simulator received them. The official artefact pack comes
from ``--cda-pack`` (default ``DUI_HARNESS_CDA_PACK``), handed through the run settings; without it
the pack-based checks are *skipped* (input not provided), never passed.

## Methodology
Each document the DUI sent is validated by :func:`harness.validators.cda.validate_cda`; a
test fails with the findings of its requirement (rule id, XPath, official French message
when it comes from a schematron), the ITI-41 exchange attached.
"""

from __future__ import annotations

import pytest

from harness.plugin.documents import DocumentLog
from harness.plugin.evidence import Scenario
from harness.suites.dmp.checks import expect, findings_of, submissions
from harness.validators.cda.pack import CdaPack

PUBLISHED = ["dlu_published", "ppa_published", "n1_published", "replaced"]


@pytest.fixture
def documents(scenario: Scenario, validated_documents: DocumentLog, cda_pack: CdaPack | None) -> Scenario:
    """Keep each CDA document of the scenario once in ``reports/documents`` (evidence bundle)."""
    for exchange, report in submissions(scenario, "CDA-HDR-01", cda_pack):
        kept: set[str] = exchange.judgements.setdefault("documents_kept", set())
        for entry_id, cda in report.cda.items():
            if entry_id in kept or entry_id not in report.documents:
                continue
            kept.add(entry_id)
            validated_documents.add(
                f"{scenario.name}-{entry_id}.xml",
                report.documents[entry_id],
                kind="CDA",
                requirements=sorted({f.requirement for f in cda.findings} | {"CDA-HDR-01", "CDA-INS-01"}),
                findings=cda.findings,
                exchange=exchange.id,
                media_type="text/xml",
                layers=cda.layers,
            )
    return scenario


def _documents_findings(scenario: Scenario, requirement: str, pack: CdaPack | None) -> None:
    pairs = submissions(scenario, requirement, pack)
    expect(f"{scenario.name}: CDA documents sent by the DUI break {requirement}", findings_of(pairs, requirement))


def _require_pack(pack: CdaPack | None) -> None:
    if pack is None:
        pytest.skip("input not provided: no CI-SIS artefact pack (--cda-pack DIR or DUI_HARNESS_CDA_PACK)")


@pytest.mark.requirement("CDA-HDR-01")
@pytest.mark.parametrize("scenario", PUBLISHED, indirect=True)
def test_cda_header_follows_the_structuration_minimale(documents: Scenario, cda_pack: CdaPack | None) -> None:
    """Every CDA the DUI sends carries the structuration minimale header (documents kept as evidence)."""
    _documents_findings(documents, "CDA-HDR-01", cda_pack)


@pytest.mark.requirement("CDA-INS-01")
@pytest.mark.parametrize("scenario", PUBLISHED, indirect=True)
def test_cda_record_target_carries_the_ins_and_its_traits(scenario: Scenario, cda_pack: CdaPack | None) -> None:
    """The INS in recordTarget has a valid key and comes with the five strict traits."""
    _documents_findings(scenario, "CDA-INS-01", cda_pack)


@pytest.mark.requirement("CDA-N1-01")
@pytest.mark.parametrize("scenario", ["n1_published"], indirect=True)
def test_unstructured_document_has_the_n1_shape(scenario: Scenario, cda_pack: CdaPack | None) -> None:
    """An N1 document carries only the three allowed templateIds and a base64 nonXMLBody."""
    _documents_findings(scenario, "CDA-N1-01", cda_pack)


@pytest.mark.requirement("CDA-DLU-01")
@pytest.mark.parametrize("scenario", ["dlu_published"], indirect=True)
def test_dlu_follows_the_dlu_ehpad_model(scenario: Scenario, cda_pack: CdaPack | None) -> None:
    """The DLU of an EHPAD resident follows the DLU-EHPAD content model (code, serviceEvent, sections)."""
    _documents_findings(scenario, "CDA-DLU-01", cda_pack)


@pytest.mark.requirement("CDA-XSD-01")
@pytest.mark.parametrize("scenario", PUBLISHED, indirect=True)
def test_cda_is_valid_against_the_ci_sis_schema(scenario: Scenario, cda_pack: CdaPack | None) -> None:
    """With the official pack: every CDA the DUI sends is valid against CDA_extended.xsd."""
    _require_pack(cda_pack)
    _documents_findings(scenario, "CDA-XSD-01", cda_pack)


@pytest.mark.requirement("CDA-SCH-01", "CDA-SCH-02")
@pytest.mark.parametrize("scenario", PUBLISHED, indirect=True)
def test_cda_satisfies_the_official_schematrons(scenario: Scenario, cda_pack: CdaPack | None) -> None:
    """With the official pack: the content model's schematron and the cross-cutting ones hold."""
    _require_pack(cda_pack)
    pairs = submissions(scenario, "CDA-SCH-01", cda_pack)
    expect(
        f"{scenario.name}: official CI-SIS schematrons",
        findings_of(pairs, "CDA-SCH-01") + findings_of(pairs, "CDA-SCH-02"),
    )
