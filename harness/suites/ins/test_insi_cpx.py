"""## Requirements
INS-INSI-07 (SC.INS.27.MS1, SC.INS/va1.37, SC.INS/va1.58): besides the organisation certificate
(INS-INSI-04), the DUI can call INSi in the individual CPx mode, with an AssertionPs naming the
professional.

## Dependencies
INSi simulator (mutual TLS: a CPx call presents no organisation certificate); the DUI's trigger
API (``lookupIns`` with ``{"authentication": "cpx", "professional": ...}``).

## Methodology
Our model of the CPx mode, from the little public material (the WSDL's ``wsse:Security`` part;
padoa/tlsi-ins: "AssertionPs" in CPx mode): a ``wsse:Security`` header with a SAML 2.0
Assertion (Issuer, IssueInstant, Subject/NameID = the professional's national id); the card's
signature is not verified. The DUI searches ADRUN ZOE as professional 810000000001; every INSi
request must be in CPx mode and name that professional, and INSi must answer it.
"""

from __future__ import annotations

import pytest

from harness.core.findings import Finding
from harness.core.recorder import Recorder
from harness.plugin.evidence import Scenario
from harness.suites.ins.checks import expect
from harness.suites.ins.persons import person
from harness.sut.driver import SutDriver
from mocks.common.simulator import Simulator

PROFESSIONAL = "810000000001"


@pytest.fixture(scope="module")
def cpx_lookup(sut: SutDriver, recorder: Recorder, insi: Simulator) -> Scenario:
    created = sut.create_person(person("adrun-zoe").traits)
    pid = str(created["person_id"])
    since = recorder.mark()
    outcome = sut.lookup_ins_cpx(pid, PROFESSIONAL)
    return Scenario(
        name="Recherche INSi en mode CPx / INSi search in CPx mode",
        person_id=pid,
        exchanges=recorder.exchanges(service="INS", since=since),
        data={"lookup": outcome},
    )


@pytest.mark.requirement("INS-INSI-07")
def test_cpx_mode_names_the_professional(cpx_lookup: Scenario) -> None:
    """SC.INS.27.MS1: a CPx-mode call carries an AssertionPs naming the professional, and INSi answers it."""
    findings: list[Finding] = []
    if not cpx_lookup.exchanges:
        findings.append(
            Finding(
                "ins.cpx.no_call",
                "INS-INSI-07",
                "the DUI made no INSi call in CPx mode (SC.INS.27.MS1, SC.INS/va1.37)",
                location="INSi simulator POST /lps",
            )
        )
    for exchange in cpx_lookup.exchanges:
        summary = exchange.summary
        where = f"exchange {exchange.id}"
        if summary.get("auth_mode") != "CPx":
            findings.append(
                Finding(
                    "ins.cpx.not_cpx",
                    "INS-INSI-07",
                    f"asked for a CPx search, the DUI called INSi in {summary.get('auth_mode')} mode "
                    "(SC.INS.27.MS1) — envoyé / sent: no wsse:Security AssertionPs; attendu / "
                    "expected: AssertionPs naming the professional",
                    location="/soap:Envelope/soap:Header",
                    evidence=(where,),
                )
            )
        elif summary.get("professional") != PROFESSIONAL:
            findings.append(
                Finding(
                    "ins.cpx.professional",
                    "INS-INSI-07",
                    f"the AssertionPs names {summary.get('professional')!r} (SC.INS.27.MS1) — "
                    f"attendu / expected: {PROFESSIONAL!r}, the professional who searched",
                    location="/soap:Envelope/soap:Header/wsse:Security/saml2:Assertion/saml2:Subject",
                    evidence=(where,),
                )
            )
    expect("mode CPx / CPx mode", findings)
    cpx_lookup.assert_no_findings("INS-INSI-07", "mode CPx / CPx mode")  # what INSi found in the AssertionPs
