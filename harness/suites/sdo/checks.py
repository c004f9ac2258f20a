"""Shared steps of the SdO suite: the DUI's declaration, the exchanges of one flux, the blocking rules.

Exchanging with the SI-SdO concerns the DUI of a disability-sector ESMS: a DUI whose trigger API answers
``POST /sdo/decisions/sync`` with 404 or 501 leaves every SDO requirement *not judged*, with that reason,
never failed.
"""

from __future__ import annotations

from typing import Any

import pytest

from harness.core.findings import Blocked, Finding, NonConformity
from harness.core.recorder import Exchange
from harness.plugin.evidence import Scenario
from harness.sut.driver import SutDriver

__all__ = ["NOT_DECLARED", "SERVICE", "dui_decisions", "expect", "of_flux", "require_flux"]

SERVICE = "SDO"
NOT_DECLARED = (
    "la DUI ne déclare pas d'échange avec le SI-SdO (POST /sdo/decisions/sync : 404/501 ; ESMS hors secteur "
    "handicap), exigence non jugée / the DUI declares no exchange with the SI-SdO (POST /sdo/decisions/sync: "
    "404/501; ESMS outside the disability sector), requirement not judged"
)


#: flux -> the registered rule whose requirement the flux's absence breaks (harness.core.rules)
_RULES = {"1": "sdo.flux1", "2": "sdo.consent", "3": "sdo.flux3", "4": "sdo.task", "5": "sdo.flux5"}


def dui_decisions(sut: SutDriver) -> list[dict[str, Any]]:
    """Flux 1 run by the DUI: the decisions it holds; *skip* (not judged, with the reason) when it declares none."""
    decisions = sut.sdo_sync_decisions()
    if decisions is None:
        pytest.skip(NOT_DECLARED)
    return decisions


def expect(title: str, findings: list[Finding]) -> None:
    if findings:
        raise NonConformity(title, findings)


def of_flux(scenario: Scenario, *flux: str) -> list[Exchange]:
    return [e for e in scenario.exchanges if e.tags.get("flux") in flux]


def require_flux(scenario: Scenario, requirement: str, flux: str, what: str) -> list[Exchange]:
    """The exchanges of ``flux``; a non-conformity of ``requirement`` when the DUI sent none."""
    found = of_flux(scenario, flux)
    if not found:
        expect(
            scenario.name,
            [
                Finding(
                    f"{_RULES[flux[0]]}.absent",
                    requirement,
                    f"the SI-SdO simulator received no {what} (flux {flux}) from the DUI",
                    location="SI-SdO simulator",
                )
            ],
        )
    return found


def blocked_without_consent(scenario: Scenario, consent: Scenario) -> None:
    """Flux 3 needs the accord of flux 2: blocked by SDO-ACC-01 when the SI-SdO did not accept it."""
    if not any(int(e.summary.get("status") or 0) == 201 for e in of_flux(consent, "2")):
        raise Blocked(
            f"{scenario.name}: the SI-SdO accepted no accord for the decision, so it returns no evaluation",
            ("SDO-ACC-01",),
        )
