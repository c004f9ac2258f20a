"""Scenarios of the Pro Santé Connect suite: each makes the DUI log in once; several tests judge it.

A scenario logs the DUI out, selects the professional on the simulator (so that a DUI that
sends no ``login_hint`` works too), optionally prepares a deliberately bad answer of PSC
(an ID token with a wrong signature, another issuer…, a forged ``state``, another userinfo
``sub``), asks the DUI through the trigger API to log in as that professional, and reads the
DUI's session back. It returns a :class:`harness.plugin.evidence.Scenario` with every PSC
exchange of the login (discovery, authorization, token, JWKS, userinfo).
"""

from __future__ import annotations

from typing import Any

import pytest

from harness.core.recorder import Recorder
from harness.plugin.evidence import Scenario
from harness.sut.driver import SutDriver
from mocks.common.simulator import Simulator

#: the test professional of each scenario (fixtures/psc/professionals.json)
NOMINAL = "899900000011"
OTHER = "899900000029"


def run_login(
    name: str, sut: SutDriver, recorder: Recorder, psc: Simulator, professional: str, fault: str | None = None
) -> Scenario:
    sut.psc_logout()
    psc.update_state({"next_professional": professional})
    since = recorder.mark()
    if fault is not None:
        psc.faults.add(fault)
    try:
        outcome = sut.psc_login(professional)
    finally:
        psc.faults.clear()
    session = sut.psc_session()
    exchanges = recorder.exchanges(service="PSC", since=since)
    return Scenario(
        name=name,
        person_id=None,
        exchanges=exchanges,
        data={"professional": professional, "fault": fault, "outcome": outcome, "session": session},
    )


@pytest.fixture(scope="session")
def nominal(sut: SutDriver, recorder: Recorder, psc: Simulator) -> Scenario:
    """Médecin coordonnateur ESSAI-MARTIN Claire logs in; PSC answers correctly throughout."""
    return run_login("Connexion PSC / PSC login", sut, recorder, psc, NOMINAL)


def _bad(name: str, fault: str) -> Any:
    """A session fixture named ``fault``: the other professional logs in while PSC answers with ``fault``."""

    def scenario(sut: SutDriver, recorder: Recorder, psc: Simulator) -> Scenario:
        return run_login(name, sut, recorder, psc, OTHER, fault)

    scenario.__doc__ = f"Infirmier ESSAI-BERNARD Louis logs in; PSC answers with fault {fault!r}."
    return pytest.fixture(scope="session", name=fault)(scenario)


bad_signature = _bad("Jeton à signature invalide / ID token with a bad signature", "bad_signature")
alg_none = _bad("Jeton non signé (alg none) / unsigned ID token (alg none)", "alg_none")
wrong_issuer = _bad("Jeton d'un autre émetteur / ID token from another issuer", "wrong_issuer")
wrong_audience = _bad("Jeton pour un autre client / ID token for another client", "wrong_audience")
expired = _bad("Jeton expiré / expired ID token", "expired")
wrong_nonce = _bad("Jeton avec un autre nonce / ID token with another nonce", "wrong_nonce")
wrong_state = _bad(
    "Réponse d'autorisation avec un autre state / authorization answer with a forged state", "wrong_state"
)
userinfo_other_sub = _bad("userinfo d'un autre professionnel / userinfo of another professional", "userinfo_other_sub")


@pytest.fixture
def scenario(request: pytest.FixtureRequest) -> Scenario:
    """The scenario named by indirect parametrization: ``parametrize("scenario", [...], indirect=True)``."""
    value: Scenario = request.getfixturevalue(request.param)
    return value
