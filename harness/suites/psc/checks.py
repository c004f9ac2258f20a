"""Checks shared by the Pro Santé Connect suite: each returns findings or raises a verdict."""

from __future__ import annotations

from harness.core.findings import Blocked, Finding, NonConformity, Severity
from harness.core.recorder import Exchange
from harness.plugin.evidence import Scenario

__all__ = [
    "authorize_exchanges",
    "blocking_requirements",
    "login_refused",
    "professional_of",
    "require_authorization_request",
    "require_bad_token_delivered",
    "require_nominal_login",
    "token_exchanges",
]


def authorize_exchanges(scenario: Scenario) -> list[Exchange]:
    return [e for e in scenario.exchanges if e.transaction == "authorize"]


def token_exchanges(scenario: Scenario) -> list[Exchange]:
    return [e for e in scenario.exchanges if e.transaction == "token"]


def professional_of(answer: dict[str, object] | None) -> str | None:
    """The idNat a trigger API answer (PscLoginOutcome or PscSession) names, if any."""
    professional = (answer or {}).get("professional")
    if isinstance(professional, dict):
        value = professional.get("id_nat")
        return str(value) if value else None
    return None


def blocking_requirements(
    scenario: Scenario, prefixes: tuple[str, ...] = ("PSC-AUTHZ-", "PSC-TOKEN-")
) -> tuple[str, ...]:
    """Requirements whose ERROR findings made PSC refuse the DUI's requests in this scenario."""
    return tuple(
        sorted(
            {
                f.requirement
                for e in scenario.exchanges
                if e.summary.get("rejected")
                for f in e.findings
                if f.severity is Severity.ERROR and f.requirement.startswith(prefixes)
            }
        )
    )


def require_authorization_request(scenario: Scenario, requirement: str) -> list[Exchange]:
    """The scenario's authorization requests; a non-conformity on ``requirement`` when there are none."""
    found = authorize_exchanges(scenario)
    if not found:
        raise NonConformity(
            f"{scenario.name}: the DUI never called the PSC authorization endpoint",
            [
                Finding(
                    "psc.no_authorize",
                    requirement,
                    "no authorization request reached the Pro Santé Connect simulator after the login was asked for",
                    location="PSC simulator /auth",
                )
            ],
        )
    return found


def require_nominal_login(scenario: Scenario, requirement: str) -> None:
    """Block a check when PSC refused the DUI's requests (another requirement is already failed)."""
    require_authorization_request(scenario, requirement)
    if any(e.summary.get("issued") for e in token_exchanges(scenario)):
        return
    blocking = tuple(r for r in blocking_requirements(scenario) if r != requirement)
    if blocking:
        raise Blocked(
            f"{scenario.name}: Pro Santé Connect refused the DUI's requests, so no token was issued", blocking
        )


def require_bad_token_delivered(scenario: Scenario, requirement: str, defect: str) -> Exchange:
    """The token exchange that carried the deliberately bad ID token ``defect``."""
    require_authorization_request(scenario, requirement)
    for exchange in token_exchanges(scenario):
        if exchange.summary.get("id_token_defect") == defect:
            return exchange
    blocking = blocking_requirements(scenario)
    if blocking:
        raise Blocked(
            f"{scenario.name}: Pro Santé Connect refused the DUI's requests before the bad ID token "
            f"({defect}) could be delivered",
            blocking,
        )
    raise NonConformity(
        f"{scenario.name}: the DUI never exchanged its authorization code",
        [
            Finding(
                "psc.no_token_request",
                requirement,
                f"the DUI made no successful token request, so the {defect} ID token "
                "prepared by the simulator was never delivered and its validation cannot be observed",
                location="PSC simulator token endpoint",
            )
        ],
    )


def login_refused(scenario: Scenario, requirement: str, what: str) -> list[Finding]:
    """Findings when the DUI logged the professional in although it had to refuse ``what``."""
    outcome, session = scenario.data.get("outcome") or {}, scenario.data.get("session") or {}
    evidence = tuple(f"exchange {e.id}" for e in scenario.exchanges if e.fault_injected)
    findings = []
    if outcome.get("outcome") == "logged_in":
        findings.append(
            Finding(
                "psc.accepted",
                requirement,
                f"the DUI logged {professional_of(outcome)} in although {what}",
                location="trigger API POST /psc/login → outcome",
                evidence=evidence,
            )
        )
    if session.get("logged_in"):
        findings.append(
            Finding(
                "psc.session_open",
                requirement,
                f"after the login the DUI has an open session for {professional_of(session)} although {what}",
                location="trigger API GET /psc/session → logged_in",
                evidence=evidence,
            )
        )
    return findings
