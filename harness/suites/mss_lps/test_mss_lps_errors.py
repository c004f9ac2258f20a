"""## Requirements
SC.MSS/CONF.08 (ANS test-case family ``MSS-LPS-SEGUR-PER-ORG``, Référentiel socle MSSanté #2 ECO.1.2.3): the
technical errors met while connecting and authenticating to the operator (SMTP/IMAP) do not disturb the
system's other functions (outside the mail).

## Dependencies
A DUI with the API LPS trigger operations and a Pro Santé Connect client (else not judged, input not
provided); the INSi simulator answers the identity of the test base the DUI registers meanwhile.

## Methodology
Scenario ``auth-error`` (:mod:`harness.suites.mss_lps.errors`): the operator answers every SMTP ``AUTH``
with ``454 4.7.0`` while the DUI is asked to send a message; the error still standing, the DUI is asked to
register a person, search their INS with INSi, read the identity back and say who it is. Each of these must
be answered (no trigger-API error) and the INSi search must reach INSi. How the DUI reports the mail error
itself is not judged here (any outcome but a message accepted). Not judged when no ``AUTH`` of the DUI met
the error (an SMTP session kept open across the window).
"""

from __future__ import annotations

import pytest

from harness.core.findings import Finding, NonConformity
from harness.plugin.evidence import Scenario
from harness.suites.mss_lps.errors import OTHER_STEPS

ERRORS = "SC.MSS/CONF.08"

#: what each step is, in the findings
STEP_NAMES = {
    "create_person": "registering a person (POST /persons)",
    "lookup_ins": "searching the INS with INSi (POST /persons/{id}/insi-lookup)",
    "identity": "reading the identity (GET /persons/{id}/identity)",
    "info": "saying who it is (GET /info)",
}


@pytest.mark.requirement(ERRORS)
def test_an_authentication_error_leaves_the_other_functions_working(auth_error: Scenario) -> None:
    """While the operator fails every SMTP ``AUTH``, the DUI's functions outside the mail keep answering."""
    scenario = auth_error
    data = scenario.data
    if not data.get("auth_faulted"):
        pytest.skip(
            "the DUI sent no SMTP AUTH while the operator failed them (a session kept open?): the technical "
            "error never reached it, SC.MSS/CONF.08 not judged"
        )
    evidence = tuple(f"exchange {e.id}" for e in scenario.exchanges)
    findings = []
    for step in OTHER_STEPS:
        outcome = data.get(step)
        if outcome is None:
            continue  # not asked: the person could not be registered (its own finding below)
        if not outcome["ok"]:
            findings.append(
                Finding(
                    f"mss.lps.errors.{step}",
                    ERRORS,
                    f"after the operator's technical error at authentication ({data['fault'][:40]}…), "
                    f"{STEP_NAMES[step]} failed: {outcome['error']}",
                    location="trigger API",
                    evidence=evidence,
                )
            )
    insi = [e for e in scenario.exchanges if e.service == "INS"]
    if data.get("lookup_ins", {}).get("ok") and not insi:
        findings.append(
            Finding(
                "mss.lps.errors.insi",
                ERRORS,
                "after the operator's technical error at authentication, the DUI answered the INS search "
                "without calling INSi",
                location="INSi",
                evidence=evidence,
            )
        )
    if findings:
        raise NonConformity("an MSSanté authentication error disturbed the DUI's other functions", findings)
