"""## Requirements
INS-INSI-01 to INS-INSI-05: what the DUI sends to the INSi teleservice.

## Dependencies
The INSi simulator (real SOAP 1.2 server, mutual TLS by default) and the DUI's trigger API.

## Methodology
Several scenarios make the DUI call INSi (identity found, not found, ambiguous, NIA…). The
simulator checks every request against the WSDL ``DESIR_ICIR_EXP_1.5.0`` contract, the
ContexteLPS / ContexteBAM schemas and the trait formats, and records a finding for each
fault, located by XPath. Each test fails with those findings, the raw exchanges attached.
"""

from __future__ import annotations

import pytest

from harness.plugin.evidence import Scenario
from harness.suites.ins.checks import require_insi_calls

SCENARIOS = ["found_qualified", "not_found", "ambiguous", "historical"]


pytestmark = pytest.mark.parametrize("scenario", SCENARIOS, indirect=True)


@pytest.mark.requirement("INS-INSI-01")
def test_request_follows_the_service_contract(scenario: Scenario) -> None:
    """Every INSi request is a SOAP 1.2 rechercherInsAvecTraitsIdentite call as the WSDL defines it."""
    require_insi_calls(scenario, "INS-INSI-01")
    scenario.assert_no_findings("INS-INSI-01", f"{scenario.name}: INSi request breaks the service contract")


@pytest.mark.requirement("INS-INSI-02")
def test_request_identifies_the_software(scenario: Scenario) -> None:
    """Every INSi request carries a complete ContexteLPS header (IDAM R=4, version, instance, nom)."""
    require_insi_calls(scenario, "INS-INSI-02")
    scenario.assert_no_findings("INS-INSI-02", f"{scenario.name}: ContexteLPS missing or incomplete")


@pytest.mark.requirement("INS-INSI-03")
def test_request_carries_bam_and_addressing(scenario: Scenario) -> None:
    """Every INSi request carries ContexteBAM and WS-Addressing MessageID / Action headers."""
    require_insi_calls(scenario, "INS-INSI-03")
    scenario.assert_no_findings("INS-INSI-03", f"{scenario.name}: ContexteBAM or wsa headers missing")


@pytest.mark.requirement("INS-INSI-04")
def test_request_is_authenticated(scenario: Scenario) -> None:
    """The DUI authenticates with an INSI-AUTO / INSI-MANU organisation certificate (mutual TLS)."""
    require_insi_calls(scenario, "INS-INSI-04")
    scenario.assert_no_findings("INS-INSI-04", f"{scenario.name}: INSi authentication refused")


@pytest.mark.requirement("INS-INSI-05")
def test_traits_are_sent_in_service_format(scenario: Scenario) -> None:
    """Birth name, first name(s), sex M/F, date YYYY-MM-DD and COG are sent in INSi formats."""
    require_insi_calls(scenario, "INS-INSI-05")
    scenario.assert_no_findings("INS-INSI-05", f"{scenario.name}: traits not in the INSi format")
