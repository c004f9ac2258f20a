"""## Requirements
PSC-USER-01: the professional the DUI logs in is the one Pro Santé Connect's userinfo names.

## Dependencies
The Pro Santé Connect simulator and its test professionals (synthetic, RPPS-like idNat
``8…``), the DUI's trigger API.

## Methodology
After a correct login, the DUI must have called userinfo with the access token (Bearer) and
identify the professional by ``SubjectNameID``: the idNat it reports (login outcome and
session) must be the one userinfo returned. In another login, userinfo answers the claims of
another professional (another ``sub``): the DUI must refuse it (OIDC Core §5.3.2).
"""

from __future__ import annotations

import pytest

from harness.core.findings import Finding, NonConformity
from harness.plugin.evidence import Scenario
from harness.suites.psc.checks import login_refused, professional_of, require_nominal_login


@pytest.mark.requirement("PSC-USER-01")
def test_logged_in_professional_is_the_userinfo_subject(nominal: Scenario) -> None:
    """The DUI reads userinfo with the access token and logs in its SubjectNameID."""
    require_nominal_login(nominal, "PSC-USER-01")
    nominal.assert_no_findings("PSC-USER-01", f"{nominal.name}: userinfo request refused by PSC")
    answered = [e for e in nominal.exchanges if e.transaction == "userinfo" and e.summary.get("subject_name_id")]
    findings = []
    if not answered:
        findings.append(
            Finding(
                "psc.userinfo.not_called",
                "PSC-USER-01",
                "the DUI never obtained the userinfo claims (SubjectNameID, SubjectRefPro) of the professional",
                location="PSC userinfo endpoint",
            )
        )
    expected = answered[-1].summary["subject_name_id"] if answered else nominal.data["professional"]
    evidence = tuple(f"exchange {e.id}" for e in answered[-1:])
    for where, answer in (
        ("POST /psc/login → professional.id_nat", nominal.data["outcome"]),
        ("GET /psc/session → professional.id_nat", nominal.data["session"]),
    ):
        shown = professional_of(answer)
        if shown != expected:
            findings.append(
                Finding(
                    "psc.userinfo.professional",
                    "PSC-USER-01",
                    f"the DUI reports {shown!r} as the "
                    f"logged-in professional; userinfo's SubjectNameID is {expected!r}",
                    location=f"trigger API {where}",
                    evidence=evidence,
                )
            )
    if findings:
        raise NonConformity(f"{nominal.name}: the logged-in professional is not PSC's", findings)


@pytest.mark.requirement("PSC-USER-01")
def test_userinfo_of_another_subject_is_refused(userinfo_other_sub: Scenario) -> None:
    """A userinfo answer whose sub is not the ID token's is refused."""
    scenario = userinfo_other_sub
    require_nominal_login(scenario, "PSC-USER-01")
    swapped = [e for e in scenario.exchanges if e.transaction == "userinfo" and e.summary.get("answered_for")]
    if not swapped:
        raise NonConformity(
            f"{scenario.name}: the DUI never called userinfo",
            [
                Finding(
                    "psc.userinfo.not_called",
                    "PSC-USER-01",
                    "no userinfo request reached PSC after the token exchange, "
                    "so the professional's identity was not read from userinfo",
                    location="PSC userinfo endpoint",
                )
            ],
        )
    findings = login_refused(
        scenario, "PSC-USER-01", "userinfo described another professional (another sub) than the ID token"
    )
    if findings:
        raise NonConformity(f"{scenario.name}: the DUI took another professional's userinfo", findings)
