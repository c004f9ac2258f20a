"""The PSC-backed DMP scenario: a professional signs in with PSC, then the DUI feeds and consults the DMP.

The DMP simulator resolves the Bearer tokens through the PSC simulator's realm for the length of
the scenario (:meth:`mocks.dmp.app.DmpSimulator.trust_psc`, read only), then forgets it, as the
INSi PSC scenario does.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

import pytest

from harness.core.recorder import Recorder
from harness.errors import HarnessCheckError
from harness.plugin.evidence import Scenario
from harness.suites.dmp.conftest import dmp_exchanges, qualify
from harness.suites.ins.persons import person
from harness.sut.driver import SutDriver
from harness.sut.http_trigger import TriggerApiError
from mocks.common.simulator import Simulator
from mocks.dmp import DmpSimulator
from mocks.dmp.psc_context import realm_resolver

#: the test professional (fixtures/psc/professionals.json): médecin coordonnateur ESSAI-MARTIN Claire
PROFESSIONAL = "899900000011"
#: ADRUN ZOE: qualified by INSi, in no other DMP scenario; a hospital put her VSM in her DMP
PATIENT = "adrun-zoe"


def _seed_vsm(dmp: DmpSimulator) -> dict[str, Any]:
    who = person(PATIENT)
    if who.ins is None or who.oid is None:
        raise HarnessCheckError(f"fixture person {who.id} has no INS or OID")
    t = who.traits
    traits = {
        "birth_name": t.birth_name,
        "first_names": list(t.first_names),
        "sex": t.sex,
        "birth_date": t.birth_date,
        "birth_place": t.birth_place,
    }
    return dmp.seed("VSM", who.ins, who.oid, traits)


def _step(data: dict[str, Any], name: str, act: Callable[[], Any]) -> None:
    """Ask the DUI for one DMP action; a refusal of the trigger API is kept (judged by the test)."""
    try:
        data[name] = act()
    except TriggerApiError as exc:
        data["refused"].append(f"{name}: {str(exc)[:200]}")


@pytest.fixture(scope="module")
def psc_dmp(sut: SutDriver, recorder: Recorder, dmp: Simulator, psc: Simulator) -> Iterator[Scenario]:
    """ESSAI-MARTIN Claire signs in with PSC; the DUI publishes ADRUN ZOE's N1 document and retrieves her VSM."""
    if not isinstance(dmp, DmpSimulator):
        raise HarnessCheckError("the DMP simulator of the run is not a DmpSimulator")
    dmp.trust_psc(realm_resolver(psc))
    try:
        sut.psc_logout()
        psc.update_state({"next_professional": PROFESSIONAL})
        login = sut.psc_login(PROFESSIONAL)
        data: dict[str, Any] = {"login": login, "refused": [], "professional": PROFESSIONAL}
        exchanges: list[Any] = []
        person_id = None
        if login.get("outcome") == "logged_in":
            person_id, data["identity"] = qualify(sut, recorder, person(PATIENT))
            data["seeded"] = _seed_vsm(dmp)
            since = recorder.mark()
            _step(data, "publication", partial(sut.dmp_publish, person_id, "N1"))
            _step(data, "retrieval", partial(sut.dmp_retrieve, person_id, "VSM"))
            exchanges = dmp_exchanges(recorder, since)
        yield Scenario("Appels DMP adossés à PSC / PSC-backed DMP calls", person_id, exchanges, data)
    finally:
        sut.psc_logout()
        dmp.trust_psc(None)
