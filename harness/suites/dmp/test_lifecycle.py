"""## Requirements
DMP-DEL-01 (SC.DMP/CONF.03, SC.DMP.02.MS1): a published document fed by mistake is deleted from the
DMP; DMP-TD03-01 (SC.DMP/CONF.05): no TD0.3 authorisation request to feed or delete; DMP-OPP-01
(SC.DMP/CONF.09): the person's opposition to feeding is recorded and enforced.

## Dependencies
DMP simulator. **The deletion and TD0.3 wire formats are not public**: the simulator models the
deletion (TD3.3c) as an ITI-57 availability-status update to ``urn:asip:ci-sis:2010:StatusType:Deleted``
and TD0.3 as a SOAP operation of its own (``mocks/dmp/td03.py``), which it offers and flags.

## Methodology
Deletion: an N1 document is published, then the DUI is asked to delete it: an accepted ITI-57 must
set the registered entry to Deleted, and the DUI must report the document deleted. TD0.3: no
TD0.3 call may appear in the feeding scenarios (DLU, PPA, N1) nor in the deletion. Opposition: the
opposition of a person is recorded through the trigger API (or by the operator), then the DUI is
asked to publish her PPA: no ITI-41 may reach the DMP and the document must not be reported
published.
"""

from __future__ import annotations

import pytest

from harness.core.findings import Finding
from harness.errors import HarnessCheckError
from harness.plugin.evidence import Scenario
from harness.suites.dmp.checks import expect, require, require_first_published, status_of
from harness.validators.xds.ebrim import STATUS_DELETED
from mocks.common.simulator import Simulator
from mocks.dmp import DmpSimulator


@pytest.mark.requirement("DMP-DEL-01")
def test_a_document_fed_by_mistake_is_deleted_from_the_dmp(deleted: Scenario, dmp: Simulator) -> None:
    """An accepted ITI-57 sets the published entry to Deleted; the DUI reports the document deleted."""
    require_first_published(deleted, "DMP-DEL-01")
    if not isinstance(dmp, DmpSimulator):
        raise HarnessCheckError("the DMP simulator of the run is not a DmpSimulator")
    ids = set(deleted.data.get("deletion_exchanges") or [])
    updates = require(
        Scenario(deleted.name, deleted.person_id, [e for e in deleted.exchanges if e.id in ids], deleted.data),
        "ITI-57",
        "DMP-DEL-01",
    )
    changes = [
        c
        for e in updates
        if e.summary.get("status") == "Success"
        for c in e.summary.get("status_changes") or []
        if c.get("status") == STATUS_DELETED
    ]
    findings = []
    first = deleted.data["first"]
    entries = dmp.registry.entries_by_unique_id(str(first.get("document_id", "")))
    if not changes or not entries or entries[-1].status != STATUS_DELETED:
        findings.append(
            Finding(
                "dmp.delete.not_deleted",
                "DMP-DEL-01",
                f"no accepted ITI-57 set the document {first.get('document_id')} to {STATUS_DELETED} "
                f"(registry status: {entries[-1].status if entries else 'absent'})",
                location="DMP registry",
            )
        )
    deletion = deleted.data.get("deletion") or {}
    if status_of(deletion) != "deleted":
        findings.append(
            Finding(
                "dmp.delete.status",
                "DMP-DEL-01",
                f"the DUI reports the document {status_of(deletion) or 'without a status'}, not deleted",
                location=f"trigger API POST /persons/{deleted.person_id}/dmp/documents/…/delete → status",
            )
        )
    expect(deleted.name, findings)


@pytest.mark.requirement("DMP-TD03-01")
@pytest.mark.parametrize("scenario", ["dlu_published", "ppa_published", "n1_published", "deleted"], indirect=True)
def test_no_td03_to_feed_or_delete(scenario: Scenario) -> None:
    """No TD0.3 access authorisation request when feeding or deleting (SC.DMP/CONF.05)."""
    expect(
        f"{scenario.name}: TD0.3",
        [
            Finding(
                "dmp.td03.used",
                "DMP-TD03-01",
                "the DUI asked a TD0.3 access authorisation, which feeding and deletion do not need (SC.DMP/CONF.05)",
                location=f"exchange {e.id}",
            )
            for e in scenario.exchanges
            if e.transaction == "TD0.3"
        ],
    )


@pytest.mark.requirement("DMP-OPP-01")
def test_no_feeding_after_an_opposition(opposed: Scenario) -> None:
    """The person opposed feeding: no ITI-41, and the document is not reported published."""
    recorded = opposed.data["opposition"]
    if "error" in recorded:
        expect(
            opposed.name,
            [
                Finding(
                    "dmp.opposition.not_recorded",
                    "DMP-OPP-01",
                    f"the DUI could not record the opposition: {recorded['error']}",
                    location=f"trigger API PUT /persons/{opposed.person_id}/dmp/opposition",
                )
            ],
        )
    findings = [
        Finding(
            "dmp.opposition.fed",
            "DMP-OPP-01",
            f"the person opposed feeding the DMP, yet the DUI sent ITI-41 #{e.id} ({e.summary.get('status')})",
            location=f"exchange {e.id}",
        )
        for e in opposed.exchanges
        if e.transaction == "ITI-41"
    ]
    if status_of(opposed.data["publication"]) == "published":
        findings.append(
            Finding(
                "dmp.opposition.status",
                "DMP-OPP-01",
                "the DUI reports the document published despite the opposition",
                location=f"trigger API POST /persons/{opposed.person_id}/dmp/documents → status",
            )
        )
    expect(opposed.name, findings)
