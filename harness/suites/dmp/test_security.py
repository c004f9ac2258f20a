"""## Requirements
DMP-SEC-01 (mutual TLS), DMP-VIHF-01 (VIHF present, signed, valid), DMP-VIHF-02 (its content),
DMP-VIHF-03 (resource-id = the patient's INS).

## Dependencies
DMP simulator over mutual TLS with the test PKI (the VIHF signing certificate is its
``signing-vihf``); the publication, masking and retrieval scenarios.

## Methodology
Every DMP call the DUI makes in those scenarios (TD0.2, ITI-41, ITI-57, ITI-18, ITI-43) is
checked by the simulator before anything else: client certificate, VIHF assertion in
``wsse:Security``, its XML signature against the test CA, its attributes, and that its
resource-id names the patient of the request. A call failing them is refused with a
``wsse:`` SOAP fault; each finding names the XPath.
"""

from __future__ import annotations

import pytest

from harness.core.findings import Finding
from harness.plugin.evidence import Scenario
from harness.suites.dmp.checks import expect

SCENARIOS = ["dlu_published", "masked", "retrieved_fludr"]


def _calls(scenario: Scenario, requirement: str) -> None:
    if not scenario.exchanges:
        expect(
            f"{scenario.name}: no DMP call",
            [
                Finding(
                    "dmp.no_call",
                    requirement,
                    "the DUI made no call to the DMP in this scenario",
                    location="DMP simulator",
                )
            ],
        )


@pytest.mark.requirement("DMP-SEC-01")
@pytest.mark.parametrize("scenario", SCENARIOS, indirect=True)
def test_mutual_tls_with_the_organisation_certificate(scenario: Scenario) -> None:
    """Every DMP call is made over TLS with a client certificate chaining to the test CA."""
    _calls(scenario, "DMP-SEC-01")
    scenario.assert_no_findings("DMP-SEC-01", f"{scenario.name}: DMP calls without mutual TLS")


@pytest.mark.requirement("DMP-VIHF-01")
@pytest.mark.parametrize("scenario", SCENARIOS, indirect=True)
def test_vihf_present_signed_and_valid(scenario: Scenario) -> None:
    """Each call carries a VIHF whose XML signature verifies against the test PKI, valid now."""
    _calls(scenario, "DMP-VIHF-01")
    scenario.assert_no_findings("DMP-VIHF-01", f"{scenario.name}: VIHF missing, unsigned or invalid")


@pytest.mark.requirement("DMP-VIHF-02")
@pytest.mark.parametrize("scenario", SCENARIOS, indirect=True)
def test_vihf_attributes(scenario: Scenario) -> None:
    """Issuer, Subject, AuthnContext and every mandatory VIHF attribute, in their formats."""
    _calls(scenario, "DMP-VIHF-02")
    scenario.assert_no_findings("DMP-VIHF-02", f"{scenario.name}: VIHF content")


@pytest.mark.requirement("DMP-VIHF-03")
@pytest.mark.parametrize("scenario", SCENARIOS, indirect=True)
def test_vihf_resource_id_is_the_patient(scenario: Scenario) -> None:
    """The VIHF resource-id is the INS of the patient whose documents the call is about."""
    _calls(scenario, "DMP-VIHF-03")
    scenario.assert_no_findings("DMP-VIHF-03", f"{scenario.name}: VIHF resource-id")
