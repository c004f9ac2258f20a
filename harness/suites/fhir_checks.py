"""Checks shared by the e-parcours and e-prescription suites: calls made, findings recorded."""

from __future__ import annotations

import json
from typing import Any

from harness.core.findings import Finding, NonConformity
from harness.core.recorder import Exchange
from harness.plugin.evidence import Scenario

__all__ = ["body_of", "calls", "expect", "require_calls"]


def expect(title: str, findings: list[Finding]) -> None:
    """Raise a non-conformity when any finding is present."""
    if findings:
        raise NonConformity(title, findings)


def calls(scenario: Scenario, service: str, transaction: str | None = None) -> list[Exchange]:
    """The scenario's exchanges with one simulator (optionally one transaction/interaction)."""
    return [
        e for e in scenario.exchanges if e.service == service and (transaction is None or e.transaction == transaction)
    ]


def require_calls(
    scenario: Scenario, service: str, requirement: str, what: str, transaction: str | None = None
) -> list[Exchange]:
    """The scenario's calls to ``service``; a non-conformity on ``requirement`` when there are none."""
    found = calls(scenario, service, transaction)
    if not found:
        raise NonConformity(
            f"{scenario.name}: the DUI made no call to {service}",
            [
                Finding(
                    f"{service.lower()}.no_call",
                    requirement,
                    f"no {what} reached the {service} simulator",
                    location=f"{service} simulator",
                )
            ],
        )
    return found


def body_of(exchange: Exchange) -> Any:
    """The JSON body of a recorded request (None when it is not JSON)."""
    try:
        return json.loads(exchange.request.body)
    except ValueError:
        return None
