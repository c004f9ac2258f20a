"""A DUI that feeds the DMP on demand only: the automatic requirements are *not judged*, never passed.

The four checks of ``harness/suites/dmp_auto`` are called on scenarios where the DUI answered
``validateDocument`` with 404/501 (``{"on_demand": why}``), and on one where it sent nothing by itself.
"""

from __future__ import annotations

from typing import Any

import pytest

from harness.core.findings import Blocked, NonConformity
from harness.plugin.evidence import Scenario
from harness.suites.dmp_auto import test_automatic_feeding as auto
from harness.suites.dmp_auto import test_web_access as web

ON_DEMAND = {"validation": {"on_demand": "validateDocument → HTTP 501"}}


def _resent(**data: Any) -> Scenario:
    base = {"tried_during_outage": [], "documents_during_outage": [], "documents_after": [], "back": "00010"}
    return Scenario("outage", "p1", [], {**base, **data})


@pytest.mark.parametrize(
    "check",
    [
        auto.test_a_validated_document_is_sent_by_itself,
        auto.test_the_automatic_sending_runs_in_the_background,
    ],
)
def test_feeding_on_demand_only_is_not_judged(check: Any) -> None:
    with pytest.raises(pytest.skip.Exception, match="requirement not judged"):
        check(Scenario("fed", "p1", [], dict(ON_DEMAND)))


@pytest.mark.parametrize(
    "check",
    [
        auto.test_the_order_is_kept_pending_while_the_dmp_is_unreachable,
        auto.test_the_pending_order_is_sent_once_the_dmp_is_back,
    ],
)
def test_resending_on_demand_only_is_not_judged(check: Any) -> None:
    with pytest.raises(pytest.skip.Exception, match="requirement not judged"):
        check(_resent(**ON_DEMAND))


def test_a_validated_document_never_sent_fails_and_blocks_the_others() -> None:
    # given a DUI that accepted the validation but sent nothing to the DMP by itself
    fed = Scenario("fed", "p1", [], {"validation": {"document_id": "1.2.3"}, "expected_ins": "1", "wait": 1.0})
    with pytest.raises(NonConformity):
        auto.test_a_validated_document_is_sent_by_itself(fed)
    with pytest.raises(Blocked, match="DMP-AUTO-01"):
        auto.test_the_automatic_sending_runs_in_the_background(fed)
    resent = _resent(validation={"document_id": "1.2.3"}, expected_ins="1", wait=1.0)
    with pytest.raises(Blocked, match="DMP-AUTO-01"):
        auto.test_the_order_is_kept_pending_while_the_dmp_is_unreachable(resent)


def test_web_access_not_offered_is_not_judged() -> None:
    scenario = Scenario("web", "p1", [], {"opened": {"dashboard": {"on_demand": "getDmpWebAccess → HTTP 404"}}})
    with pytest.raises(pytest.skip.Exception, match="requirement not judged"):
        web.test_the_dmp_web_ps_opens_from_the_dui(scenario)
