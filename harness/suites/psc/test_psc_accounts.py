"""## Requirements
PSC-LINK-01: when the DUI offers another login than Pro Santé Connect, its accounts are linked
around the RPPS (SubjectNameID): a professional reaches the same account whichever login they use
(SC.PSC.02, EXI PSC 19).

## Dependencies
The Pro Santé Connect simulator and the DUI's trigger API (``GET /psc/capabilities``,
``POST /psc/local-accounts``, ``POST /psc/local-login``, the ``account`` of ``POST /psc/login``).

## Methodology
A DUI whose only login is PSC leaves the requirement not judged (the official proof is then a
screenshot of its login page). Otherwise: the local account of ESSAI-MARTIN Claire is recorded
with her RPPS; she logs in with PSC, then with the local login: both must open that account. Then
ESSAI-BERNARD Louis logs in with PSC: he must not land in it.
"""

from __future__ import annotations

from typing import Any

import pytest

from harness.core.findings import Finding, NonConformity
from harness.core.recorder import Recorder
from harness.plugin.evidence import Scenario
from harness.suites.psc.checks import require_nominal_login
from harness.suites.psc.conftest import NOMINAL, OTHER, require_mode, run_login
from harness.sut.driver import SutDriver
from mocks.common.simulator import Simulator

LOCAL_LOGIN = "essai.martin.claire"
PSC_ONLY = (
    "la DUI n'offre que Pro Santé Connect comme connexion (GET /psc/capabilities other_authentication: "
    "false) : rapprochement non applicable, preuve par capture de la mire, exigence non jugée / PSC is the "
    "DUI's only login: no account to link (the proof is a screenshot of the login page), requirement not judged"
)


@pytest.fixture(scope="session")
def linking(sut: SutDriver, recorder: Recorder, psc: Simulator, capabilities: dict[str, Any]) -> Scenario:
    """Claire's local account, her PSC login, her local login; then Louis's PSC login."""
    if not capabilities.get("other_authentication"):
        pytest.skip(PSC_ONLY)
    require_mode(capabilities, "web")
    local = sut.psc_local_account(LOCAL_LOGIN, NOMINAL)
    claire = run_login("Rapprochement de comptes / account linking", sut, recorder, psc, NOMINAL)
    again = sut.psc_local_login(LOCAL_LOGIN)
    louis = run_login("Rapprochement de comptes / account linking", sut, recorder, psc, OTHER)
    sut.psc_logout()
    return Scenario(
        name=claire.name,
        person_id=None,
        exchanges=[*claire.exchanges, *louis.exchanges],
        data={
            **claire.data,
            "local": local,
            "local_login": again,
            "other_outcome": louis.data["outcome"],
            "other_session": louis.data["session"],
        },
    )


def _account(*answers: dict[str, Any] | None) -> str | None:
    for answer in answers:
        value = (answer or {}).get("account")
        if value:
            return str(value)
    return None


@pytest.mark.requirement("PSC-LINK-01")
def test_accounts_are_linked_around_the_rpps(linking: Scenario) -> None:
    """The PSC login and the local login of one professional open the same account; another's does not."""
    require_nominal_login(linking, "PSC-LINK-01")
    data = linking.data
    local = _account(data["local"])
    via_psc = _account(data["outcome"], data["session"])
    if local is None or via_psc is None:
        pytest.skip(
            "la DUI ne dit pas quel compte elle ouvre (account), exigence non jugée / the DUI does not say "
            "which account it opens (account), requirement not judged"
        )
    findings = []
    if via_psc != local:
        findings.append(
            Finding(
                "psc.link.psc_account",
                "PSC-LINK-01",
                f"the PSC login of {NOMINAL} opened account {via_psc!r}, not the local account {local!r} "
                "recorded with the same RPPS (SubjectNameID)",
                location="trigger API POST /psc/login → account",
            )
        )
    again = _account(data["local_login"])
    if again != local:
        findings.append(
            Finding(
                "psc.link.local_account",
                "PSC-LINK-01",
                f"the local login {LOCAL_LOGIN!r} opened account {again!r}, not {local!r}",
                location="trigger API POST /psc/local-login → account",
            )
        )
    other = _account(data["other_outcome"], data["other_session"])
    if other is not None and other == local:
        findings.append(
            Finding(
                "psc.link.other_professional",
                "PSC-LINK-01",
                f"the PSC login of another professional ({OTHER}) opened the account of {NOMINAL}",
                location="trigger API POST /psc/login → account",
            )
        )
    if findings:
        raise NonConformity(f"{linking.name}: the accounts are not linked around the RPPS", findings)
