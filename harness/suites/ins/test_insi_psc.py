"""## Requirements
INS-PSC-01 (SC.INS/PSC.01): when its users sign in with Pro Santé Connect, the DUI can call INSi backed
by the professional's PSC authentication, carrying his identity, and its journal of INSi calls shows
that PSC was used and who called.

## Dependencies
PSC simulator (the professional's login, its realm's access tokens), INSi simulator (reads the token
through the PSC realm: :mod:`mocks.insi.psc_context`); the DUI's trigger API (``pscLogin``,
``lookupIns`` with ``{"authentication": "psc"}``, ``getInsiTrace``).

## Methodology
**Stated assumption**: the requirement's CI-SIS reference is a placeholder and no public INSi contract
has a PSC mode. Our model: the same SOAP 1.2 request, over the same TLS connection, carrying the
professional's PSC access token in ``Authorization: Bearer`` (RFC 6750 §2.1). ESSAI-MARTIN Claire logs
in to the DUI with PSC, then the DUI searches BERNARD-ESSAI ANDRE's INS with PSC. Every INSi request
must carry an access token that the PSC realm issued to her (valid, not expired, not revoked), and the
DUI's journal (``GET /insi/trace``) must show a PSC call naming her, as the official scenario
INS/PSC.01.01 asks to show. A DUI whose users do not sign in with PSC is not judged (the requirement
is conditional).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from harness.core.findings import Finding
from harness.core.recorder import Recorder
from harness.plugin.evidence import Scenario
from harness.suites.ins.checks import expect
from harness.suites.ins.persons import person
from harness.sut.driver import SutDriver
from harness.sut.http_trigger import TriggerApiError
from mocks.common.simulator import Simulator
from mocks.insi.app import InsiSimulator
from mocks.insi.psc_context import realm_resolver

#: the test professional (fixtures/psc/professionals.json): médecin coordonnateur ESSAI-MARTIN Claire
PROFESSIONAL = "899900000011"
WHY = "SC.INS/PSC.01, modèle déclaré / stated model: Authorization: Bearer <jeton PSC / PSC access token>"


def _journal(sut: SutDriver, outcome: dict[str, Any] | None) -> dict[str, Any]:
    """The DUI's INSi journal: ``GET /insi/trace``, or the entry the operator read (attended mode)."""
    if outcome is None:
        return {}
    if "journal" in outcome:
        return {"calls": [outcome["journal"]] if outcome["journal"] else []}
    return sut.insi_trace()


@pytest.fixture(scope="module")
def psc_lookup(sut: SutDriver, recorder: Recorder, insi: Simulator, psc: Simulator) -> Iterator[Scenario]:
    if isinstance(insi, InsiSimulator):
        insi.trust_psc(realm_resolver(psc))
    sut.psc_logout()
    psc.update_state({"next_professional": PROFESSIONAL})
    login = sut.psc_login(PROFESSIONAL)
    pid = str(sut.create_person(person("bernard-andre").traits)["person_id"])
    since = recorder.mark()
    refused = None
    outcome = None
    if login.get("outcome") == "logged_in":
        try:
            outcome = sut.lookup_ins_psc(pid)
        except TriggerApiError as exc:
            refused = str(exc)
    scenario = Scenario(
        name="Recherche INSi adossée à PSC / PSC-backed INSi search",
        person_id=pid,
        exchanges=recorder.exchanges(service="INS", since=since),
        data={"login": login, "lookup": outcome, "refused": refused, "trace": _journal(sut, outcome)},
    )
    yield scenario
    sut.psc_logout()
    if isinstance(insi, InsiSimulator):
        insi.trust_psc(None)


@pytest.mark.requirement("INS-PSC-01")
def test_insi_call_backed_by_psc(psc_lookup: Scenario) -> None:
    """SC.INS/PSC.01: the INSi calls carry the PSC token of the professional logged in; the journal names him."""
    login = psc_lookup.data["login"]
    if login.get("outcome") != "logged_in":
        pytest.skip(
            "la DUI n'a pas ouvert de session Pro Santé Connect (exigence conditionnelle, connexion jugée par la "
            f"suite PSC) / the DUI opened no PSC session: {login.get('error') or login.get('outcome')}"
        )
    findings: list[Finding] = []
    if psc_lookup.data["refused"]:
        findings.append(
            Finding(
                "ins.psc.refused",
                "INS-PSC-01",
                f"the DUI refused a PSC-backed INSi search with a professional logged in ({WHY}) — "
                f"réponse / answer: {psc_lookup.data['refused'][:200]}",
                location="trigger API POST /persons/{id}/insi-lookup {authentication: psc}",
            )
        )
    elif not psc_lookup.exchanges:
        findings.append(
            Finding(
                "ins.psc.no_call", "INS-PSC-01", f"no INSi call reached the simulator ({WHY})", location="POST /lps"
            )
        )
    for exchange in psc_lookup.exchanges:
        context = exchange.summary.get("psc") or {}
        where = (exchange.id,)
        if exchange.summary.get("auth_mode") != "PSC":
            findings.append(
                Finding(
                    "ins.psc.no_token",
                    "INS-PSC-01",
                    f"asked for a PSC-backed search, the DUI called INSi in {exchange.summary.get('auth_mode')} mode "
                    f"— envoyé / sent: no Authorization: Bearer; attendu / expected: the PSC access token of "
                    f"{PROFESSIONAL} ({WHY})",
                    location="HTTP Authorization",
                    evidence=where,
                )
            )
        elif context.get("known") is True and context.get("professional") != PROFESSIONAL:
            findings.append(
                Finding(
                    "ins.psc.professional",
                    "INS-PSC-01",
                    f"the PSC token belongs to {context.get('professional')!r} — attendu / expected: "
                    f"{PROFESSIONAL!r}, the professional logged in (SC.INS/PSC.01)",
                    location="HTTP Authorization: Bearer",
                    evidence=where,
                )
            )
    journal = [c for c in psc_lookup.data["trace"].get("calls") or [] if isinstance(c, dict)]
    traced = [c for c in journal if str(c.get("authentication", "")).lower() == "psc"]
    shown = [(c.get("authentication"), c.get("professional")) for c in traced] or "aucun appel PSC / no PSC call"
    if psc_lookup.exchanges and not any(c.get("professional") == PROFESSIONAL for c in traced):
        findings.append(
            Finding(
                "ins.psc.journal",
                "INS-PSC-01",
                "the DUI's INSi journal does not show the PSC-backed call with the professional's identity "
                f"(scenario INS/PSC.01.01) — tracé / traced: "
                f"{shown}"
                f" ; attendu / expected: authentication psc, professional {PROFESSIONAL}",
                location="trigger API GET /insi/trace → calls",
            )
        )
    expect("appel INSi adossé à PSC / PSC-backed INSi call", findings)
    psc_lookup.assert_no_findings("INS-PSC-01", "jeton PSC / PSC token")  # what INSi found in the token
