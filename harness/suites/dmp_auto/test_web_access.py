"""## Requirements
DMP-WEB-01 (SC.DMP.03.MS1): from the DUI, a contextual access to the DMP's web PS (TD0.9) opens the
dashboard, and the DMP home page of a person whose INS is qualified; never the DMP of a person whose INS is
not qualified.

## Dependencies
Trigger operation ``getDmpWebAccess`` (optional: 404/501 leaves the requirement *not judged*, to be
demonstrated); DMP simulator serving the contextual entry (:mod:`mocks.dmp.webps`, format assumed: the DMP
integration guide SEL-MP-037 is not public). The VIHF of the access is judged by DMP-VIHF-01/02: its faults
*block* this requirement.

## Methodology
The DUI builds what its « Consulter le DMP » action opens (URL and form); the harness plays the browser,
only against the simulated DMP's entry, and reads what the DMP received and served: the dashboard, the
qualified person's DMP (resource-id = her INS), and nothing for the person whose identity is not qualified
(the DUI refuses, or the access names no INS). In attended mode the operator clicks and the DMP's recording
is read the same way.
"""

from __future__ import annotations

from typing import Any

import pytest

from harness.core.findings import Blocked, Finding, Severity
from harness.plugin.evidence import Scenario
from harness.suites.dmp.checks import expect

NOT_JUDGED = "exigence non jugée / requirement not judged"


def _served(scenario: Scenario, step: dict[str, Any]) -> list[Any]:
    ids = set(step.get("exchanges") or [])
    return [e for e in scenario.exchanges if e.id in ids]


@pytest.mark.requirement("DMP-WEB-01")
def test_the_dmp_web_ps_opens_from_the_dui(web_access: Scenario) -> None:
    """Dashboard and qualified person's DMP served by the DMP; the unqualified person's DMP never opened."""
    opened = web_access.data["opened"]
    why = opened["dashboard"].get("on_demand")
    if why:
        pytest.skip(
            f"{NOT_JUDGED}: la DUI n'expose pas son accès contextuel au DMP (à montrer) / the DUI does not "
            f"expose its contextual DMP access (to be demonstrated): {why}"
        )
    exchanges = [e for step in opened.values() for e in _served(web_access, step)]
    blocking = sorted(
        {
            f.requirement
            for e in exchanges
            for f in e.findings
            if f.severity is Severity.ERROR and f.requirement.startswith("DMP-VIHF")
        }
    )
    if blocking:
        raise Blocked(
            f"{web_access.name}: le VIHF de l'accès est refusé / the access's VIHF is refused", tuple(blocking)
        )
    findings = []
    expected = {"dashboard": ("TABLEAU_DE_BORD", ""), "patient": ("DOSSIER_PATIENT", web_access.data["expected_ins"])}
    for name, (mode, ins) in expected.items():
        step = opened[name]
        served = [e for e in _served(web_access, step) if e.response is not None and e.summary.get("mode")]
        ok = [e for e in served if e.summary.get("mode") == mode and e.summary.get("ins", "") == ins and not e.findings]
        if not ok:
            what = (
                step.get("refused_by_dui")
                or step.get("not_opened")
                or (
                    "; ".join(
                        f"{e.summary.get('mode')} INS {e.summary.get('ins') or '-'} ({e.summary.get('error', 'ok')})"
                        for e in served
                    )
                    or "nothing reached the DMP"
                )
            )
            findings.append(
                Finding(
                    f"dmp.webps.{name}",
                    "DMP-WEB-01",
                    f"l'accès contextuel « {name} » n'ouvre pas {mode}"
                    + (f" de l'INS {ins}" if ins else "")
                    + f" / the contextual access {name!r} does not open {mode}: {what} (TD0.9, SC.DMP.03.MS1)",
                    location=f"trigger API getDmpWebAccess mode {name} → DMP {name} page",
                )
            )
    step = opened.get("unqualified", {})
    leaked = [
        e for e in _served(web_access, step) if e.summary.get("mode") == "DOSSIER_PATIENT" and e.summary.get("ins")
    ]
    if leaked:
        findings.append(
            Finding(
                "dmp.webps.unqualified",
                "DMP-WEB-01",
                f"le DMP d'un usager à l'identité {web_access.data['unqualified_identity'].get('status')} (INS non "
                f"qualifié) est ouvert (INS {leaked[0].summary.get('ins')}) / the DMP of a person whose INS is not "
                "qualified is opened (SC.DMP.03.MS1: the patient record only for a qualified INS)",
                location=f"exchange {leaked[0].id}",
            )
        )
    expect("Accès contextuel au web PS DMP / contextual DMP web PS access", findings)
