"""## Requirements
PSC-REFRESH-01 (the DUI renews its PSC tokens with the rotated refresh token, so that the PSC
identity stays usable for its service calls, SC.PSC.10) and PSC-LOGOUT-01 (logging out of the DUI
ends the Pro Santé Connect session: RP-Initiated Logout with ``id_token_hint``).

## Dependencies
The Pro Santé Connect simulator (refresh tokens that rotate, a rotated one presented again revokes
the whole family; an end_session_endpoint) and the DUI's trigger API (``POST /psc/session/refresh``,
``DELETE /psc/session``).

## Methodology
The DUI logs in (web mode), is asked twice to renew its tokens, then to log out. Each refresh must
present the refresh token of the previous answer (rotation): a replay is refused by PSC with a
finding and kills the session. At logout, the DUI must call PSC's end_session_endpoint with the ID
token as ``id_token_hint`` (without it PSC asks the professional to confirm and the session stays),
and a registered ``post_logout_redirect_uri``; then no session is left in the DUI.
"""

from __future__ import annotations

import pytest

from harness.core.findings import Finding, NonConformity
from harness.core.recorder import Exchange
from harness.plugin.evidence import Scenario
from harness.suites.psc.checks import require_nominal_login, token_exchanges

NOT_REFRESHED = (
    "la DUI ne renouvelle pas ses jetons PSC (aucun appel refresh_token : elle reconnecte le professionnel), "
    "exigence non jugée / the DUI does not renew its PSC tokens (no refresh_token call: it logs the "
    "professional in again), requirement not judged"
)


def _window(scenario: Scenario, key: str) -> list[Exchange]:
    wanted = set(scenario.data.get(key) or ())
    return [e for e in scenario.exchanges if e.id in wanted]


@pytest.mark.requirement("PSC-REFRESH-01")
def test_refresh_presents_the_rotated_token(lifecycle: Scenario) -> None:
    """Each refresh presents the refresh token PSC gave last; none is replayed; PSC renews the tokens."""
    require_nominal_login(lifecycle, "PSC-REFRESH-01")
    refreshes = [e for e in _window(lifecycle, "refresh_exchanges") if e.summary.get("grant_type") == "refresh_token"]
    if not refreshes:
        pytest.skip(NOT_REFRESHED)
    lifecycle.assert_no_findings("PSC-REFRESH-01", f"{lifecycle.name}: refresh refused by PSC")
    findings = []
    for exchange in refreshes:
        presented = exchange.summary.get("refresh_token")
        if not exchange.summary.get("issued"):
            findings.append(
                Finding(
                    "psc.refresh.refused",
                    "PSC-REFRESH-01",
                    f"PSC refused the refresh ({exchange.summary.get('error')}: "
                    f"{exchange.summary.get('error_description')}); refresh token presented: {presented}",
                    location="PSC token endpoint (grant_type=refresh_token)",
                    evidence=(f"exchange {exchange.id}",),
                )
            )
    claimed = [r for r in lifecycle.data.get("refreshes") or [] if r.get("refreshed")]
    if len(claimed) > sum(1 for e in refreshes if e.summary.get("issued")):
        findings.append(
            Finding(
                "psc.refresh.claimed",
                "PSC-REFRESH-01",
                "the DUI answered refreshed: true more often than PSC renewed its tokens",
                location="trigger API POST /psc/session/refresh → refreshed",
            )
        )
    if findings:
        raise NonConformity(f"{lifecycle.name}: the tokens were not renewed as PSC rotates them", findings)


@pytest.mark.requirement("PSC-LOGOUT-01")
def test_logout_ends_the_psc_session(lifecycle: Scenario) -> None:
    """Logging out of the DUI ends the PSC session (end_session_endpoint with id_token_hint)."""
    require_nominal_login(lifecycle, "PSC-LOGOUT-01")
    lifecycle.assert_no_findings("PSC-LOGOUT-01", f"{lifecycle.name}: logout request refused by PSC")
    logouts = [e for e in _window(lifecycle, "logout_exchanges") if e.transaction == "logout"]
    sessions = {e.summary.get("session") for e in token_exchanges(lifecycle) if e.summary.get("issued")}
    findings = []
    if not logouts:
        findings.append(
            Finding(
                "psc.logout.not_called",
                "PSC-LOGOUT-01",
                "the DUI logged out without calling PSC's end_session_endpoint: the PSC session stays open "
                "(the next PSC login would not ask the professional again; OIDC RP-Initiated Logout 1.0 §2)",
                location="PSC end_session_endpoint",
            )
        )
    elif not any(e.summary.get("session_ended") and e.summary.get("session") in sessions for e in logouts):
        hinted = any(e.summary.get("id_token_hint") for e in logouts)
        findings.append(
            Finding(
                "psc.logout.session_left",
                "PSC-LOGOUT-01",
                "the logout request did not end the PSC session of this login"
                + ("" if hinted else ": no id_token_hint, so PSC asks the professional to confirm (§2: RECOMMENDED)"),
                location="PSC end_session_endpoint id_token_hint",
                evidence=tuple(f"exchange {e.id}" for e in logouts),
            )
        )
    if (lifecycle.data.get("after_logout") or {}).get("logged_in"):
        findings.append(
            Finding(
                "psc.logout.dui_session",
                "PSC-LOGOUT-01",
                "after the logout the DUI still reports an open session",
                location="trigger API GET /psc/session → logged_in",
            )
        )
    if findings:
        raise NonConformity(f"{lifecycle.name}: the logout left a session open", findings)
