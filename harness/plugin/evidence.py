"""Evidence: what a scenario did, and the exchanges and data that prove each verdict.

A conformance test receives a :class:`Scenario` from a fixture that drove the DUI once.
After the test body, the plugin attaches the scenario's exchanges (raw request and
response, parsed summary and findings) and the data read back from the DUI to the Allure
result, so that a reviewer sees the proof beside the verdict.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import allure

from harness.core.findings import Finding, raise_for_findings
from harness.core.recorder import Exchange

__all__ = ["Scenario", "attach_exchange", "attach_scenario"]


@dataclass
class Scenario:
    """One action performed on the DUI and everything observed because of it."""

    name: str
    person_id: str | None = None
    exchanges: list[Exchange] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)

    def findings(self, requirement: str | None = None) -> list[Finding]:
        """Findings the simulators recorded on this scenario's exchanges."""
        found = [f for e in self.exchanges for f in e.findings]
        return [f for f in found if requirement is None or f.requirement == requirement]

    def assert_no_findings(self, requirement: str, title: str) -> None:
        """Fail with the recorded findings of ``requirement``, evidence ids included."""
        located = []
        for exchange in self.exchanges:
            for f in exchange.findings:
                if f.requirement == requirement:
                    located.append(
                        Finding(
                            f.rule,
                            f.requirement,
                            f.message,
                            f.severity,
                            f.location,
                            (*f.evidence, f"exchange {exchange.id}"),
                        )
                    )
        raise_for_findings(title, located, requirement=requirement)


def _pretty(body: bytes) -> str:
    text = body.decode("utf-8", errors="replace")
    return text


def attach_exchange(exchange: Exchange) -> None:
    """Attach one exchange: raw request, raw response, and its summary with findings."""
    exchange.claimed = True
    prefix = f"{exchange.service} {exchange.transaction} #{exchange.id}"
    allure.attach(
        _pretty(exchange.request.raw()),
        name=f"{prefix} — requête / request",
        attachment_type=allure.attachment_type.TEXT,
    )
    if exchange.response is not None:
        allure.attach(
            _pretty(exchange.response.raw()),
            name=f"{prefix} — réponse / response",
            attachment_type=allure.attachment_type.TEXT,
        )
    allure.attach(
        json.dumps(exchange.as_dict(), indent=2, ensure_ascii=False),
        name=f"{prefix} — analyse / analysis",
        attachment_type=allure.attachment_type.JSON,
    )


def attach_scenario(scenario: Scenario) -> None:
    for exchange in scenario.exchanges:
        attach_exchange(exchange)
    if scenario.data:
        allure.attach(
            json.dumps(scenario.data, indent=2, ensure_ascii=False, default=str),
            name=f"{scenario.name} — données relues dans la DUI / data read back from the DUI",
            attachment_type=allure.attachment_type.JSON,
        )


def scenarios_in(values: Iterable[Any]) -> list[Scenario]:
    """The distinct scenarios among a test's fixture values."""
    unique = {id(v): v for v in values if isinstance(v, Scenario)}
    return list(unique.values())
