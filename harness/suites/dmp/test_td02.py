"""## Requirements
DMP-TD02-01: the DUI checks that the patient's DMP exists and that access is authorised
(TD0.2) before feeding it; on NON_EXISTE, EXPIRE or INTERDIT it submits nothing, keeps the
document and reports the status. DMP-TD02-02 (SC.DMP/UX.08): the same check before consulting
(ITI-18, ITI-43); on a refusal the DUI does not consult.

## Dependencies
DMP simulator. **The TD0.2 wire format is not public**: the simulator models it as a SOAP 1.2
operation of its own (``urn:dui-harness:dmp:td02Exist``, see ``mocks/dmp/td02.py`` and the
README); the statuses (VALIDE, EXPIRE, INTERDIT, NON_EXISTE) are the public facts.

## Methodology
The DLU publication (DMP VALIDE) must start with a TD0.2 call. Then, for each refusal status
set on the person's INS, the DUI is asked to publish a DLU: no ITI-41 may reach the DMP, and
the DUI must report the document as not published while keeping it. The retrievals (FLUDR, VSM)
must start with a TD0.2 call, and with a refusal status no ITI-18 or ITI-43 may reach the DMP.
"""

from __future__ import annotations

import pytest

from harness.core.findings import Finding
from harness.plugin.evidence import Scenario
from harness.suites.dmp.checks import expect, require, status_of


@pytest.mark.requirement("DMP-TD02-01")
def test_td02_before_feeding(dlu_published: Scenario) -> None:
    """TD0.2 is asked before the ITI-41 submission."""
    asked = require(dlu_published, "TD0.2", "DMP-TD02-01")
    submitted = [e for e in dlu_published.exchanges if e.transaction == "ITI-41"]
    if submitted and submitted[0].id < asked[0].id:
        expect(
            "TD0.2 avant alimentation / TD0.2 before feeding",
            [
                Finding(
                    "dmp.td02.order",
                    "DMP-TD02-01",
                    f"the ITI-41 #{submitted[0].id} came before the TD0.2 #{asked[0].id}",
                    location=f"exchange {submitted[0].id}",
                )
            ],
        )


@pytest.mark.requirement("DMP-TD02-01")
def test_no_feeding_when_td02_refuses(td02_refused: Scenario) -> None:
    """NON_EXISTE / EXPIRE / INTERDIT: no ITI-41, the document kept and reported not published."""
    status = td02_refused.data["td02"]
    require(td02_refused, "TD0.2", "DMP-TD02-01")
    findings = [
        Finding(
            "dmp.td02.fed",
            "DMP-TD02-01",
            f"TD0.2 answered {status}, yet the DUI sent ITI-41 #{e.id} ({e.summary.get('status')})",
            location=f"exchange {e.id}",
        )
        for e in td02_refused.exchanges
        if e.transaction == "ITI-41"
    ]
    publication = td02_refused.data["publication"]
    where = f"trigger API POST /persons/{td02_refused.person_id}/dmp/documents"
    if status_of(publication) == "published":
        findings.append(
            Finding(
                "dmp.td02.status",
                "DMP-TD02-01",
                f"TD0.2 answered {status} but the DUI reports the document as published",
                location=f"{where} → status",
            )
        )
    kept = [d for d in td02_refused.data["documents"] if d.get("document_id") == publication.get("document_id")]
    if not kept:
        findings.append(
            Finding(
                "dmp.td02.lost",
                "DMP-TD02-01",
                "the document that could not be fed is no longer in the DUI",
                location=f"trigger API GET /persons/{td02_refused.person_id}/dmp/documents",
            )
        )
    expect(f"TD0.2 {status}", findings)


@pytest.mark.requirement("DMP-TD02-02")
@pytest.mark.parametrize("scenario", ["retrieved_fludr", "retrieved_vsm"], indirect=True)
def test_td02_before_consultation(scenario: Scenario) -> None:
    """TD0.2 is asked before the first ITI-18 of a retrieval."""
    queries = require(scenario, "ITI-18", "DMP-TD02-02")
    asked = [e for e in scenario.exchanges if e.transaction == "TD0.2" and e.id < queries[0].id]
    if not asked:
        expect(
            "TD0.2 avant consultation / TD0.2 before consultation",
            [
                Finding(
                    "dmp.td02.consultation",
                    "DMP-TD02-02",
                    f"the DUI consulted the DMP (ITI-18 #{queries[0].id}) without asking TD0.2 first",
                    location=f"exchange {queries[0].id}",
                )
            ],
        )


@pytest.mark.requirement("DMP-TD02-02")
def test_no_consultation_when_td02_refuses(consult_refused: Scenario) -> None:
    """NON_EXISTE / EXPIRE / INTERDIT: no ITI-18 or ITI-43 after the refusal."""
    status = consult_refused.data["td02"]
    consulted = [e for e in consult_refused.exchanges if e.transaction in ("ITI-18", "ITI-43")]
    if consulted and not any(e.transaction == "TD0.2" for e in consult_refused.exchanges):
        require(consult_refused, "TD0.2", "DMP-TD02-02")
    expect(
        f"Consultation, TD0.2 {status}",
        [
            Finding(
                "dmp.td02.consulted",
                "DMP-TD02-02",
                f"TD0.2 answered {status}, yet the DUI sent {e.transaction} #{e.id}",
                location=f"exchange {e.id}",
            )
            for e in consulted
        ],
    )
