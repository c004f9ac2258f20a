"""## Requirements
EPARCOURS-FLUX-01 (flux 1: ``POST [base]/`` of a transaction Bundle of creates, references
resolved in the bundle) and EPARCOURS-FHIR-01 (every resource is valid FHIR R4).

## Dependencies
e-parcours simulator (TDDUI consumer, FHIR R4); INSi simulator for the qualified identity;
the DUI's trigger API (create person, INS search, export to e-parcours).

## Methodology
The DUI exports the record of a qualified and of a provisional person. The simulator judges
each body it receives with the TDDUI rules (``harness.validators.fhir.tddui``) and records
the findings on the exchange; the request line and Content-Type are read from the capture.
"""

from __future__ import annotations

import pytest

from harness.core.findings import Finding
from harness.plugin.evidence import Scenario
from harness.suites.fhir_checks import expect, require_calls

SERVICE = "EPARCOURS"
BOTH = ["export_qualified", "export_provisional"]


@pytest.mark.requirement("EPARCOURS-FLUX-01")
@pytest.mark.parametrize("scenario", BOTH, indirect=True)
def test_record_is_posted_to_the_fhir_base_as_a_transaction(scenario: Scenario) -> None:
    """``POST [base]/`` with application/fhir+json, a transaction Bundle whose entries are creates."""
    findings = []
    for exchange in require_calls(scenario, SERVICE, "EPARCOURS-FLUX-01", "flux 1 request (POST [base]/)"):
        method, target = [*exchange.request.start_line.split(" "), "", ""][:2]
        if method != "POST" or target.split("?")[0] not in ("/", ""):
            findings.append(
                Finding(
                    "tddui.flux.endpoint",
                    "EPARCOURS-FLUX-01",
                    f"flux 1 is POST [base]/, the DUI sent {method} {target}",
                    location=f"exchange {exchange.id} request line",
                )
            )
        content_type = (exchange.request.header("content-type") or "").split(";")[0].strip()
        if content_type != "application/fhir+json":
            findings.append(
                Finding(
                    "tddui.flux.content_type",
                    "EPARCOURS-FLUX-01",
                    f"Content-Type must be application/fhir+json, not {content_type or 'absent'}",
                    location=f"exchange {exchange.id} Content-Type",
                )
            )
    expect("flux 1 request", findings)
    scenario.assert_no_findings("EPARCOURS-FLUX-01", "TDDUIBundle: transaction of creates, references resolved")


@pytest.mark.requirement("EPARCOURS-FHIR-01")
@pytest.mark.parametrize("scenario", BOTH, indirect=True)
def test_every_resource_is_valid_fhir_r4(scenario: Scenario) -> None:
    """Structure (elements, datatypes, cardinalities) and required base codes of every resource."""
    require_calls(scenario, SERVICE, "EPARCOURS-FHIR-01", "flux 1 request")
    scenario.assert_no_findings("EPARCOURS-FHIR-01", "resources of the TDDUIBundle are valid FHIR R4")
