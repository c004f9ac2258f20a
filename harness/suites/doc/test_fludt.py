"""## Requirements
CDA-FLUDT-01 (SC.DOC.07.MS1: a DUI of the PA/PH profile produces the DLU *and* the FLUDT,
fiche de liaison d'urgence de transfert, CDA R2 N3 of the CI-SIS volet DLU-EHPAD); on that
FLUDT: CDA-HDR-01, CDA-INS-01 (embedded rules, always) and, with a CI-SIS artefact pack,
CDA-XSD-01, CDA-SCH-01 (the FLUDT schematron) and CDA-SCH-02 (structuration minimale and the
cross-cutting schematrons).

## Dependencies
The scenario ``fludt_published``: a resident with a qualified identity is sent to the emergency
service; the DUI produces his FLUDT and feeds it to the DMP (ITI-41), where the harness reads it.
A DUI that refuses to produce a FLUDT, or sends none, fails CDA-FLUDT-01; the other checks of
the FLUDT are then *blocked* by it.

## Methodology
The FLUDT is the document of the ITI-41 whose model templateId is 1.2.250.1.213.1.1.1.23; it is
validated by :func:`harness.validators.cda.validate_cda` (embedded rule ``cda.fludt``: code
74207-2, birthTime, serviceEvent 28651-8 with its start, the six sections [1..1]; the official
schematrons with the pack). Findings carry the rule, the XPath and the official message.
"""

from __future__ import annotations

import pytest

from harness.core.findings import Finding, Severity
from harness.plugin.evidence import Scenario
from harness.suites.dmp.checks import expect
from harness.suites.doc.produced import REQ_FLUDT, fludt_documents
from harness.validators.cda.pack import CdaPack

ON_THE_FLUDT = {
    "CDA-HDR-01": "structuration minimale header",
    "CDA-INS-01": "INS of the patient and its traits",
}
WITH_THE_PACK = {
    "CDA-XSD-01": "CDA_extended.xsd",
    "CDA-SCH-01": "official schematron of the FLUDT model",
    "CDA-SCH-02": "structuration minimale and cross-cutting official schematrons",
}


def _judge(scenario: Scenario, requirement: str, what: str, pack: CdaPack | None) -> None:
    found = [
        Finding(
            f.rule,
            f.requirement,
            f.message,
            f.severity,
            f"document {entry}: {f.location}",
            (*f.evidence, f"exchange {exchange.id}"),
        )
        for exchange, entry, cda in fludt_documents(scenario, requirement, pack)
        for f in cda.findings
        if f.requirement == requirement and f.severity is Severity.ERROR
    ]
    expect(f"{scenario.name}: FLUDT — {what}", found)


@pytest.mark.requirement(REQ_FLUDT)
@pytest.mark.parametrize("scenario", ["fludt_published"], indirect=True)
def test_the_dui_produces_a_fludt_of_the_dlu_ehpad_model(scenario: Scenario, cda_pack: CdaPack | None) -> None:
    """The DUI produces the FLUDT of a resident sent to the emergency service, following the DLU-EHPAD model."""
    _judge(scenario, REQ_FLUDT, "DLU-EHPAD FLUDT model", cda_pack)


@pytest.mark.parametrize("scenario", ["fludt_published"], indirect=True)
@pytest.mark.parametrize("requirement", [pytest.param(r, marks=pytest.mark.requirement(r), id=r) for r in ON_THE_FLUDT])
def test_the_fludt_header(scenario: Scenario, requirement: str, cda_pack: CdaPack | None) -> None:
    """The FLUDT carries the structuration minimale header and the patient's INS with its traits."""
    _judge(scenario, requirement, ON_THE_FLUDT[requirement], cda_pack)


@pytest.mark.parametrize("scenario", ["fludt_published"], indirect=True)
@pytest.mark.parametrize(
    "requirement", [pytest.param(r, marks=pytest.mark.requirement(r), id=r) for r in WITH_THE_PACK]
)
def test_the_fludt_with_the_official_pack(scenario: Scenario, requirement: str, cda_pack: CdaPack | None) -> None:
    """With the official pack: the FLUDT is valid against the CI-SIS schema and satisfies its schematrons."""
    if cda_pack is None:
        pytest.skip("input not provided: no CI-SIS artefact pack (--cda-pack DIR or DUI_HARNESS_CDA_PACK)")
    _judge(scenario, requirement, WITH_THE_PACK[requirement], cda_pack)
