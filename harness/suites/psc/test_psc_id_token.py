"""## Requirements
PSC-TOKEN-01, PSC-IDT-01 to PSC-IDT-04 and PSC-AUTHZ-04: the code exchange and the DUI's
validation of the ID token (OpenID Connect Core §3.1.3.7).

## Dependencies
The Pro Santé Connect simulator, which can sign a deliberately bad ID token, and the DUI's
trigger API.

## Methodology
The simulator checks the token request (client authentication, single-use code, same
redirect_uri, PKCE). Then, in one login each, it answers an ID token signed by another key,
an unsigned one (``alg: none``), one from the PSC sandbox issuer, one issued to another
client, an expired one, and one with another nonce. Every other part of the answer is
correct, so a DUI that logs the professional in has skipped exactly that check.
"""

from __future__ import annotations

import pytest

from harness.core.findings import Finding, NonConformity
from harness.plugin.evidence import Scenario
from harness.suites.psc.checks import (
    login_refused,
    require_bad_token_delivered,
    require_nominal_login,
    token_exchanges,
)

CASES = {
    "bad_signature": ("PSC-IDT-01", "the ID token's signature does not verify with the PSC JWKS key"),
    "alg_none": ("PSC-IDT-01", "the ID token is unsigned (alg none)"),
    "wrong_issuer": ("PSC-IDT-02", "the ID token comes from another issuer (the PSC sandbox)"),
    "wrong_audience": ("PSC-IDT-03", "the ID token was issued to another client (aud)"),
    "expired": ("PSC-IDT-04", "the ID token expired ten minutes ago"),
    "wrong_nonce": ("PSC-AUTHZ-04", "the ID token's nonce is not the one the DUI sent"),
}


@pytest.mark.requirement("PSC-TOKEN-01")
def test_code_is_exchanged_once_by_the_authenticated_client(nominal: Scenario) -> None:
    """The DUI exchanges its code once, authenticated (client_secret_basic/post), with the same redirect_uri."""
    require_nominal_login(nominal, "PSC-TOKEN-01")
    nominal.assert_no_findings("PSC-TOKEN-01", f"{nominal.name}: token request refused by PSC")
    if not any(e.summary.get("issued") for e in token_exchanges(nominal)):
        raise NonConformity(
            f"{nominal.name}: no token obtained",
            [
                Finding(
                    "psc.no_token",
                    "PSC-TOKEN-01",
                    "the DUI made no successful token request after the authorization",
                    location="PSC token endpoint",
                )
            ],
        )


def _judge(scenario: Scenario, fault: str) -> None:
    requirement, what = CASES[fault]
    require_bad_token_delivered(scenario, requirement, fault)
    findings = login_refused(scenario, requirement, what)
    if findings:
        raise NonConformity(f"{scenario.name}: the DUI accepted a bad ID token", findings)


@pytest.mark.requirement("PSC-IDT-01")
@pytest.mark.parametrize("scenario", ["bad_signature", "alg_none"], indirect=True)
def test_id_token_signature_is_verified(scenario: Scenario) -> None:
    """An ID token that the PSC JWKS key does not verify (or an unsigned one) is refused."""
    _judge(scenario, scenario.data["fault"])


@pytest.mark.requirement("PSC-IDT-02")
def test_id_token_from_another_issuer_is_refused(wrong_issuer: Scenario) -> None:
    """An ID token whose iss is not the configured PSC issuer is refused."""
    _judge(wrong_issuer, "wrong_issuer")


@pytest.mark.requirement("PSC-IDT-03")
def test_id_token_for_another_client_is_refused(wrong_audience: Scenario) -> None:
    """An ID token whose aud does not contain the DUI's client_id is refused."""
    _judge(wrong_audience, "wrong_audience")


@pytest.mark.requirement("PSC-IDT-04")
def test_expired_id_token_is_refused(expired: Scenario) -> None:
    """An ID token whose exp is past is refused."""
    _judge(expired, "expired")


@pytest.mark.requirement("PSC-AUTHZ-04")
def test_id_token_with_another_nonce_is_refused(wrong_nonce: Scenario) -> None:
    """An ID token whose nonce differs from the one the DUI sent is refused (replay)."""
    _judge(wrong_nonce, "wrong_nonce")
