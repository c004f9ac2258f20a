"""## Requirements
DMP-PSC-01 (SC.DMP/PSC.01, the DMP part of SC.PSC.10): when its user signed in with Pro Santé Connect,
the DUI calls the DMP backed by that PSC authentication and carries the professional's identity.

## Dependencies
PSC simulator (the professional's login, its realm's access tokens), DMP simulator (reads each call's
token through the PSC realm: :mod:`mocks.dmp.psc_context`); the DUI's trigger API (``pscLogin``,
``createPerson``, ``lookupIns``, ``publishDmpDocument``, ``retrieveDmpDocuments``): no operation of its
own, the DUI acts as for any user.

## Methodology
**Stated assumption**: the DMPi integration guide is not public and the requirement's CI-SIS
reference is a placeholder. The CI-SIS volume *Sécurisation transport API REST* (API Pro Santé
Connectées) has the caller present the PSC-derived access token in ``Authorization: Bearer``
(RFC 6750 §2.1) and calls PSC sign-in an *authentification directe*. Our model: the same SOAP
requests over the same mutual-TLS connection carry the professional's PSC access token in
``Authorization: Bearer``, and the VIHF ``Subject/NameID`` is his idNat (``Authentification_Mode``
``DIRECTE`` expected: a warning otherwise). ESSAI-MARTIN Claire signs in to the DUI with PSC; the DUI
qualifies ADRUN ZOE, publishes a document to her DMP (TD0.2, ITI-41) and retrieves the VSM a
hospital put there (TD0.2, ITI-18, ITI-43). Every DMP call of those actions must carry an access token
the PSC realm issued to her (valid, not expired, not revoked) and a VIHF naming her. A DUI whose users
do not sign in with PSC is not judged (the requirement is conditional).
"""

from __future__ import annotations

import pytest

from harness.core.findings import Finding
from harness.plugin.evidence import Scenario
from harness.suites.dmp.checks import expect

WHY = "SC.DMP/PSC.01, modèle déclaré / stated model: Authorization: Bearer <jeton PSC / PSC access token>"


@pytest.mark.requirement("DMP-PSC-01")
def test_dmp_calls_backed_by_psc(psc_dmp: Scenario) -> None:
    """SC.DMP/PSC.01: every DMP call of a PSC-signed-in user carries his PSC token and a VIHF naming him."""
    login = psc_dmp.data["login"]
    if login.get("outcome") != "logged_in":
        pytest.skip(
            "la DUI n'a pas ouvert de session Pro Santé Connect (exigence conditionnelle, connexion jugée par la "
            f"suite PSC) / the DUI opened no PSC session: {login.get('error') or login.get('outcome')}"
        )
    professional = psc_dmp.data["professional"]
    findings = [
        Finding(
            "dmp.psc.refused",
            "DMP-PSC-01",
            f"the DUI refused a DMP action with a professional signed in with PSC ({WHY}) — réponse / answer: {why}",
            location="trigger API POST /persons/{id}/dmp/…",
        )
        for why in psc_dmp.data["refused"]
    ]
    if not psc_dmp.exchanges and not findings:
        findings.append(
            Finding("dmp.psc.no_call", "DMP-PSC-01", f"no DMP call reached the simulator ({WHY})", location="/dmp")
        )
    for exchange in psc_dmp.exchanges:
        context = exchange.summary.get("psc")
        where = (exchange.id,)
        if not context:
            findings.append(
                Finding(
                    "dmp.psc.no_token",
                    "DMP-PSC-01",
                    f"{exchange.transaction}: with {professional} signed in with PSC, the DUI called the DMP without "
                    f"her PSC access token — envoyé / sent: no Authorization: Bearer ; attendu / expected: the PSC "
                    f"access token of {professional} ({WHY})",
                    location="HTTP Authorization",
                    evidence=where,
                )
            )
        elif context.get("known") is True and context.get("professional") != professional:
            findings.append(
                Finding(
                    "dmp.psc.token_professional",
                    "DMP-PSC-01",
                    f"{exchange.transaction}: the PSC token belongs to {context.get('professional')!r} — attendu / "
                    f"expected: {professional!r}, the professional signed in (SC.DMP/PSC.01)",
                    location="HTTP Authorization: Bearer",
                    evidence=where,
                )
            )
    expect("appels DMP adossés à PSC / PSC-backed DMP calls", findings)
    psc_dmp.assert_no_findings("DMP-PSC-01", "jeton PSC et VIHF / PSC token and VIHF")  # what the DMP found
