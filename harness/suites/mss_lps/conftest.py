"""Fixtures of the API LPS suite: the scenarios of :mod:`harness.suites.mss_lps.scenarios`, played once.

* ``per_org_runs``: the ``MSS-LPS-SEGUR-PER-ORG`` scenarios, with the first personal mailbox of
  ``fixtures/mssante/lps-mailboxes.json`` and its owner (a test professional of the PSC simulator),
  played in order as far as the tests ask (:class:`~harness.suites.mss_lps.scenarios.PerOrgRuns`);
* ``application_run``: the ``MSS-LPS-SEGUR-APP`` scenario, with a synthetic person of this suite.
"""

from __future__ import annotations

import pytest

from harness.core.ins import Traits
from harness.core.recorder import Recorder
from harness.errors import HarnessCheckError
from harness.plugin.evidence import Scenario
from harness.plugin.session import RunContext
from harness.suites.mss_lps.scenarios import PerOrgRuns, per_org_steps, play_application
from harness.sut.driver import SutDriver
from mocks.common.simulator import Simulator

#: an invented person of this suite only (no INS: the document's content is not judged here)
PERSON = Traits("LPS-MSSESSAI", ("BRUNO",), "M", "1949-11-02", "75056")


@pytest.fixture(scope="session")
def per_org_runs(dui_run: RunContext, sut: SutDriver, recorder: Recorder, mss: Simulator, psc: Simulator) -> PerOrgRuns:
    lps = getattr(mss, "lps", None)
    mailbox = next((m for m in lps.mailboxes.values() if m.kind == "personal"), None) if lps is not None else None
    if mailbox is None or not mailbox.owners:
        pytest.skip("the operator simulator has no API LPS mailbox (fixtures/mssante/lps-mailboxes.json)")
    recipient = mss.directory.with_role("harness").address  # type: ignore[attr-defined]
    steps = per_org_steps(
        sut,
        recorder,
        mss,
        psc,
        professional=sorted(mailbox.owners)[0],
        mailbox=mailbox.address,
        recipient=recipient,
        settle=min(dui_run.settings.exchange_timeout, 2.0),
    )
    return PerOrgRuns(steps)


def _scenario(runs: PerOrgRuns, name: str) -> Scenario:
    """Scenario ``name``; skipped (not judged) when the DUI has no API LPS or its PSC login did not succeed."""
    nominal = runs.get("nominal")
    if nominal is None:  # always the first scenario played
        raise HarnessCheckError("the API LPS scenarios did not play their first one (nominal)")
    connect = nominal.data["connect"]
    if connect.get("trigger_error"):
        pytest.skip(
            "the DUI offers no API LPS trigger operation (mssLpsConnect: "
            f"{str(connect.get('error'))[:200]}): not judged (input not provided)"
        )
    found = runs.get(name)
    if found is None:
        pytest.skip(
            f"the PSC login did not succeed (mssLpsConnect: {connect.get('outcome')} {connect.get('error') or ''}): "
            "not judged"
        )
    return found


@pytest.fixture
def nominal(per_org_runs: PerOrgRuns) -> Scenario:
    return _scenario(per_org_runs, "nominal")


@pytest.fixture
def operator_ended(per_org_runs: PerOrgRuns) -> Scenario:
    return _scenario(per_org_runs, "operator-ended")


@pytest.fixture
def auth_error(per_org_runs: PerOrgRuns) -> Scenario:
    return _scenario(per_org_runs, "auth-error")


@pytest.fixture
def expired(per_org_runs: PerOrgRuns) -> Scenario:
    return _scenario(per_org_runs, "expired")


@pytest.fixture
def token_state(per_org_runs: PerOrgRuns) -> Scenario:
    return _scenario(per_org_runs, "state")


@pytest.fixture
def logout(per_org_runs: PerOrgRuns) -> Scenario:
    return _scenario(per_org_runs, "logout")


@pytest.fixture(scope="session")
def application_run(dui_run: RunContext, sut: SutDriver, recorder: Recorder, mss: Simulator) -> Scenario:
    if dui_run.pki is None:
        pytest.skip("simulators without TLS (--no-tls): no client certificate, SC.MSS/CONF.12 not judged")
    person = str(sut.create_person(PERSON, None)["person_id"])
    recipient = mss.directory.with_role("harness").address  # type: ignore[attr-defined]
    return play_application(sut, recorder, person, recipient, min(dui_run.settings.exchange_timeout, 2.0))
