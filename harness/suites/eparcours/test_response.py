"""## Requirements
EPARCOURS-RESP-01 (the DUI reads the consumer's answer: 200 + transaction-response, or an
error + OperationOutcome, in which case nothing is considered transmitted).

## Dependencies
e-parcours simulator and its ``reject`` fault (HTTP 422 + OperationOutcome, nothing stored);
the DUI's trigger API (export outcome and the exports it holds).

## Methodology
An accepted export must be reported accepted with the locations the consumer assigned; a
refused one must be reported refused, never as done, and the consumer must have stored
nothing from it. When the consumer refused the "accepted" scenario because of another
requirement, that check is blocked by the requirement that caused the refusal.
"""

from __future__ import annotations

import pytest

from harness.core.findings import Blocked, Finding, Severity
from harness.errors import SimulatorError
from harness.plugin.evidence import Scenario
from harness.suites.fhir_checks import expect, require_calls

SERVICE = "EPARCOURS"
REQ = "EPARCOURS-RESP-01"


def _last_status(scenario: Scenario) -> tuple[int, list[str], str]:
    exchange = require_calls(scenario, SERVICE, REQ, "flux 1 request")[-1]
    return int(exchange.summary.get("status") or 0), list(exchange.summary.get("created") or []), exchange.id


@pytest.mark.requirement(REQ)
@pytest.mark.parametrize("scenario", ["export_qualified", "export_provisional"], indirect=True)
def test_accepted_export_is_reported_with_the_assigned_ids(scenario: Scenario) -> None:
    """200 + transaction-response: the DUI says accepted and keeps the locations it was given."""
    status, created, exchange_id = _last_status(scenario)
    if status != 200:
        blocking = sorted(
            {
                f.requirement
                for e in scenario.exchanges
                if e.service == SERVICE
                for f in e.findings
                if f.severity is Severity.ERROR and f.requirement != REQ
            }
        )
        if blocking:
            raise Blocked(f"the consumer refused the bundle (HTTP {status}) for other requirements", tuple(blocking))
        raise SimulatorError(
            f"{scenario.name}: le simulateur a répondu HTTP {status} sans constat expliquant "
            "pourquoi / the "
            f"e-parcours simulator answered HTTP {status} without a finding naming why (exchange "
            f"{exchange_id}): the accepted path could not be observed"
        )
    outcome = scenario.data.get("export") or {}
    exports = scenario.data.get("exports") or []
    findings = []
    if outcome.get("outcome") != "accepted":
        findings.append(
            Finding(
                "tddui.response.accepted",
                REQ,
                f"the consumer answered 200 with a transaction-response but the DUI reports {outcome.get('outcome')!r}",
                location=f"trigger API export outcome (exchange {exchange_id})",
            )
        )
    reported = list(outcome.get("created") or [])
    if reported and sorted(reported) != sorted(created):
        findings.append(
            Finding(
                "tddui.response.ids",
                REQ,
                f"the DUI keeps the locations {reported}, the consumer assigned {created}",
                location="trigger API export outcome.created",
            )
        )
    if not any(e.get("status") == "accepted" for e in exports):
        findings.append(
            Finding(
                "tddui.response.kept",
                REQ,
                "the export is not recorded as accepted in the DUI",
                location=f"trigger API GET /persons/{scenario.person_id}/eparcours/exports",
            )
        )
    expect("accepted export", findings)


@pytest.mark.requirement(REQ)
def test_refused_export_is_reported_and_nothing_is_stored(export_refused: Scenario) -> None:
    """HTTP 422 + OperationOutcome: the DUI reports the refusal; the consumer stored nothing."""
    status, _, exchange_id = _last_status(export_refused)
    outcome = export_refused.data.get("export") or {}
    exports = export_refused.data.get("exports") or []
    if status < 400:  # the harness's own fault injection failed: nothing about the DUI was observed
        raise SimulatorError(
            "le refus injecté n'a pas été appliqué / the injected refusal was not applied (HTTP "
            f"{status}, "
            f"exchange {exchange_id})"
        )
    if export_refused.data.get("store_before") != export_refused.data.get("store_after"):
        raise SimulatorError(
            "le simulateur a enregistré des ressources du lot refusé / the e-parcours simulator "
            "stored resources from "
            "the bundle it refused"
        )
    findings = []
    if outcome.get("outcome") not in ("refused", "error"):
        findings.append(
            Finding(
                "tddui.response.refused",
                REQ,
                f"the consumer answered HTTP {status} with an "
                f"OperationOutcome but the DUI reports the export {outcome.get('outcome')!r} "
                "(refused or error expected)",
                location="trigger API export outcome",
            )
        )
    if any(e.get("status") == "accepted" for e in exports):
        findings.append(
            Finding(
                "tddui.response.refused",
                REQ,
                "a refused export is recorded as accepted",
                location=f"trigger API GET /persons/{export_refused.person_id}/eparcours/exports",
            )
        )
    expect("refused export", findings)
