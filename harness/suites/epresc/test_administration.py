"""## Requirements
EPRESC-ADM-01 (each administration sent as a MedicationAdministration for the right line and
resident) and EPRESC-RES-01 (service unavailable: nothing lost, retried or reported).

ASSUMPTION: the execution data payload is modelled on FHIR R4 by dui-harness.

## Dependencies
e-prescription simulator (``http_status`` 503 faults on ``search-type`` and ``create``); the
DUI's trigger API (record and list administrations).

## Methodology
After integrating a prescription the DUI records an administration; the simulator judges the
MedicationAdministration against the line it points at. Then the teleservice goes down while
the DUI retrieves and records: the DUI must integrate nothing, keep the administration, report
it as not transmitted, and get it to the teleservice once it is back.
"""

from __future__ import annotations

from typing import Any

import pytest

from harness.core.findings import Finding
from harness.plugin.evidence import Scenario
from harness.suites.epresc.checks import require_retrieval_conformant
from harness.suites.fhir_checks import calls, expect, require_calls

SERVICE = "EPRESC"
RES = "EPRESC-RES-01"


@pytest.mark.requirement("EPRESC-ADM-01")
def test_administration_is_sent_for_the_right_line_and_resident(presc_known: Scenario) -> None:
    """A completed MedicationAdministration, subject = the prescription's patient, request = the line."""
    require_retrieval_conformant(presc_known)
    creates = require_calls(presc_known, SERVICE, "EPRESC-ADM-01", "MedicationAdministration", "create")
    presc_known.assert_no_findings("EPRESC-ADM-01", "MedicationAdministration")
    administered = presc_known.data.get("administered") or {}
    findings = []
    if not any(e.summary.get("status") == 201 for e in creates):
        findings.append(
            Finding(
                "epresc.adm.created",
                "EPRESC-ADM-01",
                "the teleservice created no administration",
                location="e-prescription simulator",
            )
        )
    if administered.get("status") != "transmitted":
        findings.append(
            Finding(
                "epresc.adm.status",
                "EPRESC-ADM-01",
                f"the DUI reports the administration {administered.get('status')!r}, the teleservice answered 201",
                location="trigger API administration",
            )
        )
    expect("administration recorded", findings)


@pytest.mark.requirement(RES)
def test_unavailable_service_integrates_nothing_and_loses_nothing(presc_unavailable: Scenario) -> None:
    """503 on retrieval: reported, nothing integrated; 503 on an administration: kept, then transmitted."""
    require_retrieval_conformant(presc_unavailable)
    data, findings = presc_unavailable.data, []
    if (data.get("retrieval_down") or {}).get("outcome") == "integrated" or data.get("prescriptions_down"):
        findings.append(
            Finding(
                "epresc.res.retrieval",
                RES,
                "the DUI integrated something while the teleservice answered 503",
                location="trigger API prescriptions",
            )
        )
    if data.get("administered_down") is None:
        findings.append(
            Finding(
                "epresc.res.blocked",
                RES,
                f"the prescription could not be integrated once the service was back: {data.get('retrieval')}",
                location="trigger API outcome",
            )
        )
        expect("service unavailable", findings)
    down: dict[str, Any] = data["administered_down"]
    if down.get("status") == "transmitted":
        findings.append(
            Finding(
                "epresc.res.claimed",
                RES,
                "the administration is reported transmitted while the teleservice answered 503",
                location="trigger API administration",
            )
        )
    held_down = [
        a for a in data.get("administrations_down") or [] if a.get("administration_id") == down.get("administration_id")
    ]
    if not held_down:
        findings.append(
            Finding(
                "epresc.res.lost",
                RES,
                "the administration recorded while the teleservice was unavailable is no longer held by the DUI",
                location=f"trigger API GET /persons/{presc_unavailable.person_id}/administrations",
            )
        )
    final = {a.get("administration_id"): a for a in data.get("administrations") or []}
    kept = final.get(down.get("administration_id"))
    if held_down and (kept is None or kept.get("status") not in ("transmitted", "pending", "failed")):
        findings.append(
            Finding(
                "epresc.res.lost",
                RES,
                "the administration disappeared after the service came back",
                location="trigger API administrations",
            )
        )
    accepted = [e for e in calls(presc_unavailable, SERVICE, "create") if e.summary.get("status") == 201]
    if kept is not None and kept.get("status") == "transmitted" and len(accepted) < 2:
        findings.append(
            Finding(
                "epresc.res.claimed",
                RES,
                f"the DUI says both administrations are transmitted, the teleservice created {len(accepted)}",
                location="e-prescription simulator",
            )
        )
    expect("service unavailable", findings)
