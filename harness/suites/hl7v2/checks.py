"""Shared steps of the HL7 v2 suite: the DUI's declaration, the feeds sent, the messages it emits.

Exchanging HL7 v2 is optional for a DUI (the Ségur requirements apply "when the system exchanges
HL7 v2"): a DUI whose trigger API declares no MLLP endpoint (``GET /hl7v2/endpoint`` answering 404
or 501) leaves every HL7 v2 requirement *not judged*, with that reason, never failed.
"""

from __future__ import annotations

from typing import Any

import pytest

from harness.core.findings import Finding, NonConformity
from harness.core.recorder import Exchange
from harness.plugin.evidence import Scenario
from harness.sut.driver import SutDriver

__all__ = ["NOT_DECLARED", "by_local_id", "dui_endpoint", "expect", "require_messages"]

SERVICE = "HL7V2"
NOT_DECLARED = (
    "la DUI ne déclare pas d'échange HL7 v2 (GET /hl7v2/endpoint : 404/501), exigence non jugée / the "
    "DUI declares no HL7 v2 exchange (GET /hl7v2/endpoint: 404/501), requirement not judged"
)


def dui_endpoint(sut: SutDriver) -> dict[str, Any]:
    """The DUI's MLLP endpoint; *skip* (not judged, with the reason) when it declares none."""
    endpoint = sut.hl7v2_endpoint()
    if endpoint is None:
        pytest.skip(NOT_DECLARED)
    return endpoint


def expect(title: str, findings: list[Finding]) -> None:
    if findings:
        raise NonConformity(title, findings)


def require_messages(scenario: Scenario, requirement: str, count: int) -> list[Exchange]:
    """The ADT messages the DUI sent to the simulator; a non-conformity when fewer than ``count`` arrived."""
    found = [e for e in scenario.exchanges if e.tags.get("direction") == "from-dui"]
    if len(found) < count:
        raise NonConformity(
            f"{scenario.name}: the DUI sent {len(found)} of {count} ADT messages",
            [
                Finding(
                    "hl7.emit.missing",
                    requirement,
                    f"the HL7 v2 simulator received {len(found)} message(s) from the DUI, "
                    f"{count} expected (trigger API emitHl7v2Identity: {scenario.data.get('emissions')})",
                    location="HL7 v2 simulator MLLP listener",
                )
            ],
        )
    return found


def by_local_id(identities: list[dict[str, Any]], local_id: str) -> list[dict[str, Any]]:
    """The stored identities that hold the sender identifier ``local_id``."""
    return [i for i in identities if local_id in (i.get("local_ids") or [])]
