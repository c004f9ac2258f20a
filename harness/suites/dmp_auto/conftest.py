"""Scenarios of the DMP as a user drives it: automatic feeding observed, and the DMP's web PS opened (TD0.9).

A professional validates a document in the DUI (trigger operation ``validateDocument``: a change of the
DUI's state, never an order to publish); the DMP simulator may be made unreachable first and brought back
later (an injected fault, then none). The harness then waits — bounded by the run's exchange timeout,
woken by each exchange the simulator records, never by a fixed sleep — for what the DUI sends by itself.
No ``publishDmpDocument`` and no ``retryDmpDocuments`` is called here: what arrives is the DUI's own doing.

A DUI that does not offer ``validateDocument`` (404, 405 or 501) feeds the DMP on demand only: the
scenario records it and the automatic requirements are *not judged*, with that reason.
"""

from __future__ import annotations

from typing import Any

import pytest
import requests

from harness.core.recorder import Exchange, Recorder
from harness.errors import HarnessCheckError
from harness.plugin.evidence import Scenario
from harness.plugin.session import RunContext
from harness.suites.dmp_auto.observe import answered_for, attempted, until_attempts_pause
from harness.suites.identity import require_qualified
from harness.suites.ins.persons import TestPerson, person
from harness.sut.driver import IdentityDocument, SutDriver
from harness.sut.http_trigger import TriggerApiError
from mocks.common.simulator import Simulator
from mocks.dmp import DmpSimulator, webps

CNI = IdentityDocument("CNI", verified=True)
#: answers meaning "no validation step here: this DUI feeds the DMP on demand only"
NOT_OFFERED = (404, 405, 501)
#: seconds the DMP holds its ITI-41 answer while the validation is pending (SC.DMP/ALI/PROG.05): a DUI
#: answering its user only once the DMP has answered is seen waiting for the gate to give up
HOLD = 3.0
#: seconds without a new ITI-41 after which the DUI is taken to have given up its immediate attempts (the
#: DMP then comes back): its order must be pending, and only an automatic resend can send it (PROG.06/07)
QUIET = 1.0


def _qualified(sut: SutDriver, recorder: Recorder, who: TestPerson) -> tuple[str, dict[str, Any]]:
    """Create the person with an identity document checked and run the INSi search: QUAL expected."""
    since = recorder.mark()
    person_id = str(sut.create_person(who.traits, CNI)["person_id"])
    sut.lookup_ins(person_id)
    identity = sut.identity(person_id)
    require_qualified(recorder, since, identity, f"{who.traits.birth_name} {who.traits.first_names[0]}")
    return person_id, identity


def _simulator(dmp: Simulator) -> DmpSimulator:
    if not isinstance(dmp, DmpSimulator):
        raise HarnessCheckError("the DMP simulator of the run is not a DmpSimulator")
    return dmp


def _validate(sut: SutDriver, person_id: str, kind: str) -> dict[str, Any]:
    """``validateDocument``; ``{"on_demand": why}`` when the DUI does not offer it."""
    try:
        return sut.validate_document(person_id, kind)
    except TriggerApiError as exc:
        if exc.status in NOT_OFFERED:
            return {"on_demand": f"validateDocument → HTTP {exc.status}: {exc}"}
        raise


@pytest.fixture(scope="session")
def auto_fed(sut: SutDriver, recorder: Recorder, dmp: Simulator, dui_run: RunContext) -> Scenario:
    """LEFEVRE-ESSAI JEANNE: her PPA is validated in the DUI while the DMP holds its ITI-41 answers; then
    released, the DMP is watched for the DUI's own submission."""
    simulator, who = _simulator(dmp), person("lefevre-jeanne")
    person_id, identity = _qualified(sut, recorder, who)
    if who.ins is None:
        raise HarnessCheckError(f"fixture person {who.id} has no INS")
    since = recorder.mark()
    with simulator.holds.holding("ITI-41", HOLD) as gate:
        validation = _validate(sut, person_id, "PPA")
        foreground = gate.timed_out  # the validation came back only once the DMP's gate had given up
        arrived_before_answer = gate.arrived.is_set()
    data: dict[str, Any] = {
        "identity": identity,
        "validation": validation,
        "expected_ins": who.ins,
        "foreground": foreground,
        "arrived_before_answer": arrived_before_answer,
        "hold": HOLD,
        "wait": dui_run.settings.exchange_timeout,
    }
    if "on_demand" not in validation:
        document_id = str(validation.get("document_id") or "") or None
        recorder.wait_for(
            answered_for(who.ins, document_id),
            service="DMP",
            since=since,
            timeout=dui_run.settings.exchange_timeout,
        )
    return Scenario(
        "Versement automatique à la validation / automatic feeding at validation",
        person_id,
        recorder.exchanges(service="DMP", since=since),
        data,
    )


@pytest.fixture(scope="session")
def auto_resent(sut: SutDriver, recorder: Recorder, dmp: Simulator, dui_run: RunContext) -> Scenario:
    """BERNARD-ESSAI ANDRE: his PPA is validated while the DMP answers HTTP 503 to every ITI-41 (unreachable)
    until the DUI's attempts pause; once the DMP answers again, nobody acts: the DMP is watched for the DUI's
    own resending."""
    simulator, who = _simulator(dmp), person("bernard-andre")
    person_id, identity = _qualified(sut, recorder, who)
    if who.ins is None:
        raise HarnessCheckError(f"fixture person {who.id} has no INS")
    wait = dui_run.settings.exchange_timeout
    since = recorder.mark()
    simulator.faults.add("http_status", "ITI-41", None, status=503)
    try:
        validation = _validate(sut, person_id, "PPA")
        tried: list[Exchange] = []
        if "on_demand" not in validation and any(
            e.transaction == "ITI-41" for e in recorder.wait_for(attempted, service="DMP", since=since, timeout=wait)
        ):  # the DUI's first attempt; the outage lasts until its attempts pause
            tried = until_attempts_pause(recorder, since, quiet=QUIET, limit=wait)
        during = sut.dmp_documents(person_id)
    finally:
        simulator.faults.clear()
    back = recorder.mark()
    data: dict[str, Any] = {
        "identity": identity,
        "validation": validation,
        "expected_ins": who.ins,
        "tried_during_outage": [e.id for e in tried],
        "documents_during_outage": during,
        "back": back,
        "wait": wait,
    }
    document_id = str(validation.get("document_id") or "") or None
    held = not document_id or any(d.get("document_id") == document_id for d in during)
    if "on_demand" not in validation and tried and held:  # a document the DUI dropped will not come back
        recorder.wait_for(answered_for(who.ins, document_id), service="DMP", since=back, timeout=wait)
    data["documents_after"] = sut.dmp_documents(person_id)
    return Scenario(
        "Renvoi automatique après indisponibilité / automatic resending after an outage",
        person_id,
        recorder.exchanges(service="DMP", since=since),
        data,
    )


def _open(access: dict[str, Any], simulator: DmpSimulator) -> dict[str, Any]:
    """Play the browser: post the DUI's form to the URL it built, only when it is the simulated DMP's entry
    (nothing else is ever contacted); the outcome is what the DMP answered, or why nothing was opened."""
    if access.get("opened_by_operator") or "refused_by_dui" in access or "on_demand" in access:
        return access
    url = str(access.get("url", ""))
    expected = simulator.url + webps.PATH
    if url.split("?", 1)[0] != expected:
        return {**access, "not_opened": f"URL {url!r} is not the DMP's contextual entry {expected}"}
    verify: str | bool = str(simulator.trust_ca) if simulator.trust_ca is not None else True
    form = access.get("form") or {}
    with requests.Session() as browser:
        browser.trust_env = False
        answer = browser.request(str(access.get("method", "POST")), url, data=form, verify=verify, timeout=15)
    return {**access, "http_status": answer.status_code}


def _web_access(sut: SutDriver, mode: str, person_id: str | None) -> dict[str, Any]:
    try:
        return sut.dmp_web_access(mode, person_id)
    except TriggerApiError as exc:
        if exc.status in NOT_OFFERED and mode == "dashboard":
            return {"on_demand": f"getDmpWebAccess → HTTP {exc.status}: {exc}"}
        if exc.status is not None:
            return {"refused_by_dui": f"HTTP {exc.status}: {exc}", "status": exc.status}
        raise


@pytest.fixture(scope="session")
def web_access(sut: SutDriver, recorder: Recorder, dmp: Simulator) -> Scenario:
    """The DMP's web PS opened from the DUI (TD0.9): the dashboard, DUPONT-ESSAI LOUISE ANNE's DMP (qualified
    INS), then HOUILLES PIERRE's (INSi 01: not qualified, his DMP must not be opened)."""
    simulator, who = _simulator(dmp), person("dupont-louise-anne")
    person_id, identity = _qualified(sut, recorder, who)
    created = sut.create_person(person("houilles-pierre").traits, CNI)
    unqualified = str(created["person_id"])
    sut.lookup_ins(unqualified)
    since = recorder.mark()
    opened: dict[str, Any] = {}
    for name, mode, pid in (("dashboard", "dashboard", None), ("patient", "patient", person_id)):
        mark = recorder.mark()
        opened[name] = _open(_web_access(sut, mode, pid), simulator)
        opened[name]["exchanges"] = [e.id for e in recorder.exchanges(service="DMP", transaction="TD0.9", since=mark)]
        if "on_demand" in opened[name]:
            break
    if "on_demand" not in opened["dashboard"]:
        mark = recorder.mark()
        opened["unqualified"] = _open(_web_access(sut, "patient", unqualified), simulator)
        opened["unqualified"]["exchanges"] = [
            e.id for e in recorder.exchanges(service="DMP", transaction="TD0.9", since=mark)
        ]
    return Scenario(
        "Accès contextuel au web PS DMP (TD0.9) / contextual DMP web PS access",
        person_id,
        recorder.exchanges(service="DMP", since=since),
        {
            "identity": identity,
            "expected_ins": who.ins,
            "unqualified_identity": sut.identity(unqualified),
            "opened": opened,
        },
    )
