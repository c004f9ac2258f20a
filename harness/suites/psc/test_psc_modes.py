"""## Requirements
PSC-NATIVE-01 (native-app mode: external browser, loopback redirect on a port chosen at run time,
PKCE S256, RFC 8252) and PSC-CIBA-01 (CIBA mode: backchannel authentication request, polling at
the announced interval, no login when the professional refuses), each judged only when the DUI
declares the mode (``GET /psc/capabilities``), since SC.PSC.01 asks for at least one mode.

## Dependencies
The Pro Santé Connect simulator (loopback redirect URIs match any port; a CIBA endpoint whose
simulated professional approves after one poll, or refuses) and the DUI's trigger API
(``POST /psc/login`` with ``mode``).

## Methodology
Native: the DUI logs in with ``mode=native``; its authorization request must name a loopback IP
literal redirect URI (``http://127.0.0.1:<port>`` or ``http://[::1]:<port>``, not ``localhost``)
with an explicit port, carry a PKCE S256 challenge, and the login must succeed. CIBA: the DUI logs
in with ``mode=ciba``; PSC's findings on the CIBA request and on each poll (too fast: ``slow_down``)
count, and the professional named must be logged in; in a second login the professional refuses
on their device: the DUI must open no session.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from harness.core.findings import Finding, NonConformity
from harness.plugin.evidence import Scenario
from harness.suites.psc.checks import (
    authorize_exchanges,
    login_refused,
    professional_of,
    require_nominal_login,
)

LOOPBACK = ("127.0.0.1", "::1")


def _native_findings(scenario: Scenario) -> list[Finding]:
    findings = []
    for exchange in authorize_exchanges(scenario):
        evidence = (f"exchange {exchange.id}",)
        uri = str(exchange.summary.get("redirect_uri") or "")
        parts = urlsplit(uri)
        try:
            port = parts.port
        except ValueError:
            port = None
        if parts.scheme != "http" or parts.hostname not in LOOPBACK or port is None:
            findings.append(
                Finding(
                    "psc.native.redirect",
                    "PSC-NATIVE-01",
                    f"redirect_uri {uri!r} is not a loopback IP literal with a port chosen at run time "
                    "(http://127.0.0.1:<port>/… or http://[::1]:<port>/…; RFC 8252 §7.3, §8.3: not localhost)",
                    location="authorize redirect_uri",
                    evidence=evidence,
                )
            )
        if not exchange.summary.get("pkce") or exchange.summary.get("code_challenge_method") != "S256":
            findings.append(
                Finding(
                    "psc.native.pkce",
                    "PSC-NATIVE-01",
                    "a native application MUST use PKCE, with S256 (RFC 8252 §6, §8.1; RFC 7636 §4.2): "
                    f"code_challenge_method {exchange.summary.get('code_challenge_method')!r}",
                    location="authorize code_challenge",
                    evidence=evidence,
                )
            )
    return findings


def _not_logged_in(scenario: Scenario, requirement: str) -> list[Finding]:
    outcome = scenario.data.get("outcome") or {}
    if outcome.get("outcome") == "logged_in" and professional_of(outcome) == scenario.data["professional"]:
        return []
    return [
        Finding(
            f"psc.{scenario.data['mode']}.no_login",
            requirement,
            f"the {scenario.data['mode']} login of {scenario.data['professional']} did not succeed: "
            f"{outcome.get('outcome')} — {outcome.get('error')}",
            location="trigger API POST /psc/login → outcome",
        )
    ]


@pytest.mark.requirement("PSC-NATIVE-01")
def test_native_app_login(native: Scenario) -> None:
    """Loopback redirect URI on a run-time port, PKCE S256, and the professional logged in."""
    require_nominal_login(native, "PSC-NATIVE-01")
    findings = _native_findings(native) + _not_logged_in(native, "PSC-NATIVE-01")
    if findings:
        raise NonConformity(f"{native.name}: the native-app login is not as RFC 8252 asks", findings)


@pytest.mark.requirement("PSC-CIBA-01")
def test_ciba_login(ciba: Scenario) -> None:
    """A well-formed CIBA request, polls at the interval, and the professional logged in."""
    ciba.assert_no_findings("PSC-CIBA-01", f"{ciba.name}: CIBA request or polling refused by PSC")
    findings = []
    if not any(e.transaction == "ciba_auth" for e in ciba.exchanges):
        findings.append(
            Finding(
                "psc.ciba.not_called",
                "PSC-CIBA-01",
                "the DUI never called PSC's backchannel_authentication_endpoint in CIBA mode",
                location="PSC CIBA endpoint",
            )
        )
    findings += _not_logged_in(ciba, "PSC-CIBA-01")
    if findings:
        raise NonConformity(f"{ciba.name}: the CIBA login did not succeed", findings)


@pytest.mark.requirement("PSC-CIBA-01")
def test_ciba_refused_by_the_professional_opens_no_session(ciba_denied: Scenario) -> None:
    """When the professional refuses on their device (access_denied), the DUI logs nobody in."""
    scenario = ciba_denied
    scenario.assert_no_findings("PSC-CIBA-01", f"{scenario.name}: CIBA request or polling refused by PSC")
    if not any(e.summary.get("error") == "access_denied" for e in scenario.exchanges):
        raise NonConformity(
            f"{scenario.name}: the refusal was never delivered",
            [
                Finding(
                    "psc.ciba.no_poll",
                    "PSC-CIBA-01",
                    "the DUI did not poll the token endpoint until the professional's answer (access_denied)",
                    location="PSC token endpoint (CIBA grant)",
                )
            ],
        )
    findings = login_refused(scenario, "PSC-CIBA-01", "the professional refused the CIBA request")
    if findings:
        raise NonConformity(f"{scenario.name}: the DUI logged in a professional who refused", findings)
