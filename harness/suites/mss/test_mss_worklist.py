"""## Requirements
MSS-WL-01 (a received document the DUI cannot attach to a person is kept in a work list for
manual attachment: SC.MSS.25.MS1, SC.MSS/UX.09).

## Dependencies
The receiving scenarios (``received_all``: unknown person, no INS, INS not matching, incomplete
traits) and the DUI's trigger API operation ``listMssWorklist`` (or the operator).

## Methodology
After the DUI fetched the messages of the receiving scenarios, its work list must hold the
document of every message it rightly did not integrate (902 to 905), by its CDA id.
"""

from __future__ import annotations

import pytest

from harness.core.findings import Blocked, Finding
from harness.plugin.evidence import Scenario
from harness.suites.mss.checks import expect
from harness.suites.mss.conftest import REJECTED
from harness.sut.driver import SutDriver
from harness.validators.cda import read_header
from harness.validators.safexml import parse_xml


@pytest.fixture(scope="session")
def worklist(sut: SutDriver, received_all: dict[str, Scenario]) -> list[str]:
    """The CDA ids of the DUI's work list once the receiving scenarios were fetched."""
    return [str(item.get("document_id", "")) for item in sut.mss_worklist()]


@pytest.mark.requirement("MSS-WL-01")
@pytest.mark.parametrize("case", REJECTED)
def test_a_document_not_attached_is_kept_for_manual_attachment(
    case: str, worklist: list[str], received_all: dict[str, Scenario]
) -> None:
    scenario = received_all[case]
    integrated = [d for docs in scenario.data["documents"].values() for d in docs]
    document_id = read_header(parse_xml(scenario.data["document"].encode("utf-8"))).document_id
    if any(str(d.get("document_id")) == document_id for d in integrated):
        raise Blocked(f"{scenario.name}: the document was integrated for a person", ("MSS-RCV-02",))
    findings = (
        []
        if document_id in worklist
        else [
            Finding(
                "mss.worklist.missing",
                "MSS-WL-01",
                f"the document {document_id} the DUI did not attach to anybody "
                f"({scenario.data['expected']}) is not in its work list ({len(worklist)} item(s))",
                location="listMssWorklist",
            )
        ]
    )
    expect(f"{scenario.name}: work list", findings)
