"""Scenarios of the Pro Santé Connect suite: each makes the DUI log in once; several tests judge it.

Every scenario runs in a PSC mode the DUI declares (``GET /psc/capabilities``; web only when it
does not say): the web-mode scenarios are not judged for a DUI offering only the native or CIBA
mode (SC.PSC.01 asks for at least one). A scenario logs the DUI out, selects the professional
on the simulator (so that a DUI that sends no ``login_hint`` works too), optionally prepares a
deliberately bad answer of PSC (an ID token with a wrong signature, another issuer…, a forged
``state``, another userinfo ``sub``), asks the DUI through the trigger API to log in as that
professional, and reads the DUI's session back. It returns a
:class:`harness.plugin.evidence.Scenario` with every PSC
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
    name: str,
    sut: SutDriver,
    recorder: Recorder,
    psc: Simulator,
    professional: str,
    fault: str | None = None,
    mode: str = "web",
) -> Scenario:
    sut.psc_logout()
    psc.update_state({"next_professional": professional})
    since = recorder.mark()
    if fault is not None:
        psc.faults.add(fault)
    try:
        outcome = sut.psc_login(professional, mode) if mode != "web" else sut.psc_login(professional)
    finally:
        psc.faults.clear()
    session = sut.psc_session()
    exchanges = recorder.exchanges(service="PSC", since=since)
    return Scenario(
        name=name,
        person_id=None,
        exchanges=exchanges,
        data={"professional": professional, "fault": fault, "outcome": outcome, "session": session, "mode": mode},
    )


@pytest.fixture(scope="session")
def nominal(sut: SutDriver, recorder: Recorder, psc: Simulator, capabilities: dict[str, Any]) -> Scenario:
    """Médecin coordonnateur ESSAI-MARTIN Claire logs in; PSC answers correctly throughout."""
    require_mode(capabilities, "web")
    return run_login("Connexion PSC / PSC login", sut, recorder, psc, NOMINAL)


def _bad(name: str, fault: str) -> Any:
    """A session fixture named ``fault``: the other professional logs in while PSC answers with ``fault``."""

    def scenario(sut: SutDriver, recorder: Recorder, psc: Simulator, capabilities: dict[str, Any]) -> Scenario:
        require_mode(capabilities, "web")
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


@pytest.fixture(scope="session")
def capabilities(sut: SutDriver) -> dict[str, Any]:
    """The PSC modes the DUI declares and whether it has another login (GET /psc/capabilities)."""
    return sut.psc_capabilities()


@pytest.fixture(scope="session")
def lifecycle(sut: SutDriver, recorder: Recorder, psc: Simulator, capabilities: dict[str, Any]) -> Scenario:
    """Médecin coordonnateur ESSAI-MARTIN Claire logs in, the DUI renews its tokens twice, then logs out."""
    require_mode(capabilities, "web")
    login = run_login(
        "Session PSC : renouvellement et déconnexion / PSC session: refresh and logout", sut, recorder, psc, NOMINAL
    )
    since = recorder.mark()
    refreshes = [sut.psc_refresh() for _ in range(2)]
    refreshed = recorder.exchanges(service="PSC", since=since)
    middle = recorder.mark()
    sut.psc_logout()
    after = sut.psc_session()
    logout = recorder.exchanges(service="PSC", since=middle)
    return Scenario(
        name=login.name,
        person_id=None,
        exchanges=[*login.exchanges, *refreshed, *logout],
        data={
            **login.data,
            "refreshes": refreshes,
            "refresh_exchanges": [e.id for e in refreshed],
            "logout_exchanges": [e.id for e in logout],
            "after_logout": after,
        },
    )


@pytest.fixture(scope="session")
def native(sut: SutDriver, recorder: Recorder, psc: Simulator, capabilities: dict[str, Any]) -> Scenario:
    """ESSAI-MARTIN Claire logs in from the native application (external browser, loopback redirect)."""
    require_mode(capabilities, "native")
    return run_login(
        "Connexion PSC en application native / PSC native-app login", sut, recorder, psc, NOMINAL, mode="native"
    )


@pytest.fixture(scope="session")
def ciba(sut: SutDriver, recorder: Recorder, psc: Simulator, capabilities: dict[str, Any]) -> Scenario:
    """ESSAI-MARTIN Claire logs in by CIBA and approves the request on her device after one poll."""
    require_mode(capabilities, "ciba")
    return run_login("Connexion PSC par CIBA / PSC CIBA login", sut, recorder, psc, NOMINAL, mode="ciba")


@pytest.fixture(scope="session")
def ciba_denied(sut: SutDriver, recorder: Recorder, psc: Simulator, capabilities: dict[str, Any]) -> Scenario:
    """ESSAI-BERNARD Louis refuses the CIBA request on his device: the DUI must not log him in."""
    require_mode(capabilities, "ciba")
    psc.update_state({"ciba_consent": "deny", "ciba_polls_before_consent": 0})
    try:
        return run_login(
            "CIBA refusé par le professionnel / CIBA denied by the professional", sut, recorder, psc, OTHER, mode="ciba"
        )
    finally:
        psc.update_state({"ciba_consent": "approve", "ciba_polls_before_consent": 1})


def require_mode(capabilities: dict[str, Any], mode: str) -> None:
    """*Skip* (not judged, with the reason) when the DUI does not declare ``mode``."""
    if mode not in (capabilities.get("modes") or []):
        pytest.skip(
            f"la DUI ne déclare pas la modalité PSC « {mode} » (GET /psc/capabilities), exigence non jugée / "
            f"the DUI does not declare the PSC mode {mode!r} (GET /psc/capabilities), requirement not judged"
        )


@pytest.fixture
def scenario(request: pytest.FixtureRequest) -> Scenario:
    """The scenario named by indirect parametrization: ``parametrize("scenario", [...], indirect=True)``."""
    value: Scenario = request.getfixturevalue(request.param)
    return value
