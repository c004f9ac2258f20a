"""## Requirements
PSC-AUTHZ-01 to PSC-AUTHZ-04: the authorization request the DUI sends to Pro Santé Connect,
and its check of the ``state`` that comes back.

## Dependencies
The Pro Santé Connect simulator (OpenID Connect provider with PSC's paths and claims) and the
DUI's trigger API (``POST /psc/login``, ``GET|DELETE /psc/session``).

## Methodology
The DUI logs in as a test professional. The simulator checks each authorization request
(response_type, scope, registered client_id and redirect_uri, ``acr_values=eidas1``, an
unguessable ``state`` and ``nonce``, PKCE) and records a finding per fault; a faulty request is
refused as PSC would (OAuth 2.0 error). For the ``state`` check, the simulator answers a login
with a forged ``state``: the DUI must refuse that answer, never exchange its code, and open no
session.
"""

from __future__ import annotations

import pytest

from harness.core.findings import Blocked, Finding, NonConformity
from harness.plugin.evidence import Scenario
from harness.suites.psc.checks import (
    authorize_exchanges,
    blocking_requirements,
    login_refused,
    require_authorization_request,
    token_exchanges,
)

SCENARIOS = ["nominal", "expired", "wrong_state"]


@pytest.mark.requirement("PSC-AUTHZ-01")
@pytest.mark.parametrize("scenario", SCENARIOS, indirect=True)
def test_authorization_request_is_a_registered_code_flow(scenario: Scenario) -> None:
    """response_type=code, scope openid, the registered client_id and redirect_uri, each parameter once."""
    require_authorization_request(scenario, "PSC-AUTHZ-01")
    scenario.assert_no_findings("PSC-AUTHZ-01", f"{scenario.name}: authorization request refused by PSC")


@pytest.mark.requirement("PSC-AUTHZ-02")
@pytest.mark.parametrize("scenario", SCENARIOS, indirect=True)
def test_authorization_request_asks_for_eidas1(scenario: Scenario) -> None:
    """Every authorization request carries acr_values=eidas1."""
    require_authorization_request(scenario, "PSC-AUTHZ-02")
    scenario.assert_no_findings("PSC-AUTHZ-02", f"{scenario.name}: acr_values=eidas1 not requested")


@pytest.mark.requirement("PSC-AUTHZ-03")
@pytest.mark.parametrize("scenario", SCENARIOS, indirect=True)
def test_authorization_request_carries_a_state(scenario: Scenario) -> None:
    """Every authorization request carries a non-empty, unguessable state."""
    require_authorization_request(scenario, "PSC-AUTHZ-03")
    scenario.assert_no_findings("PSC-AUTHZ-03", f"{scenario.name}: state missing")


@pytest.mark.requirement("PSC-AUTHZ-04")
@pytest.mark.parametrize("scenario", SCENARIOS, indirect=True)
def test_authorization_request_carries_a_nonce(scenario: Scenario) -> None:
    """Every authorization request carries a non-empty, unguessable nonce."""
    require_authorization_request(scenario, "PSC-AUTHZ-04")
    scenario.assert_no_findings("PSC-AUTHZ-04", f"{scenario.name}: nonce missing")


@pytest.mark.requirement("PSC-AUTHZ-03")
def test_forged_state_is_refused(wrong_state: Scenario) -> None:
    """An authorization answer whose state is not the DUI's is refused: no token request, no session."""
    forged = [e for e in authorize_exchanges(wrong_state) if e.summary.get("state_returned") == "forged"]
    if not forged:
        require_authorization_request(wrong_state, "PSC-AUTHZ-03")
        blocking = blocking_requirements(wrong_state)
        raise Blocked(
            f"{wrong_state.name}: PSC refused the authorization request, so no forged answer could be sent",
            blocking or ("PSC-AUTHZ-01",),
        )
    what = "Pro Santé Connect's answer carried a state that the DUI never sent (forged answer)"
    findings = login_refused(wrong_state, "PSC-AUTHZ-03", what)
    codes = {e.summary.get("login") for e in forged}
    redeemed = [e for e in token_exchanges(wrong_state) if e.summary.get("login") in codes]
    findings += [
        Finding(
            "psc.state.code_redeemed",
            "PSC-AUTHZ-03",
            "the DUI exchanged the code of an answer whose state it never sent",
            location="PSC token endpoint",
            evidence=(f"exchange {e.id}",),
        )
        for e in redeemed
    ]
    if findings:
        raise NonConformity(f"{wrong_state.name}: the forged state was not detected", findings)
