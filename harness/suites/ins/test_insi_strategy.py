"""## Requirements
INS-INSI-06: the search strategy when INSi finds no identity (01) or several (02).

## Dependencies
INSi simulator identity base: HOUILLES (01 for every first name, qualification case) and
the synthetic twins DUPONT-ESSAI LOUISE ANNE / LOUISE MARIE (02 with LOUISE alone).

## Methodology
The DUI is asked once to search the INS. The harness reads the sequence of INSi requests it
made: after a 01 or 02 it must query again with the other birth first names and with the
full list of first names, and stop at the first 00.
"""

from __future__ import annotations

import pytest

from harness.core.findings import Blocked, Finding
from harness.plugin.evidence import Scenario
from harness.suites.ins.checks import (
    block_on_wrong_key,
    expect,
    identity_location,
    require_insi_accepted,
    require_insi_calls,
)
from harness.suites.ins.persons import person


def _sent_first_names(scenario: Scenario) -> list[list[str]]:
    return [list(e.summary.get("traits", {}).get("first_names") or []) for e in scenario.exchanges]


@pytest.mark.requirement("INS-INSI-06")
def test_ambiguous_answer_leads_to_a_query_with_more_first_names(ambiguous: Scenario) -> None:
    """After 02 for LOUISE alone, the DUI queries again with more first names until INSi answers 00."""
    exchanges = require_insi_calls(ambiguous, "INS-INSI-06")
    require_insi_accepted(ambiguous)
    crs = [e.tags.get("cr") for e in exchanges]
    findings = []
    if "00" not in crs:
        findings.append(
            Finding(
                "ins.strategy.no_retry",
                "INS-INSI-06",
                f"INSi answered {crs} and the DUI never obtained a single identity: after 02 it must query "
                f"again with the full list of birth first names; first names sent: {_sent_first_names(ambiguous)}",
                location="INSi requests RECSANSVITALE/Prenom",
            )
        )
    expect("INSi 02: the DUI must query again with more first names", findings)


@pytest.mark.requirement("INS-RES-01")
def test_ins_found_after_an_ambiguous_answer_is_stored(ambiguous: Scenario) -> None:
    """When the retry after 02 obtains 00, the DUI stores that single INS (DUPONT-ESSAI LOUISE ANNE)."""
    require_insi_accepted(ambiguous)
    if not any(e.tags.get("cr") == "00" for e in ambiguous.exchanges):
        raise Blocked(f"{ambiguous.name}: INSi never answered 00, nothing to compare", ("INS-INSI-06",))
    expected = person("dupont-louise-anne")
    ins = (ambiguous.data["identity"] or {}).get("ins") or {}
    block_on_wrong_key(ambiguous, ins, expected.ins)
    findings = []
    if ins.get("value") != expected.ins:
        findings.append(
            Finding(
                "ins.strategy.stored",
                "INS-RES-01",
                f"INSi finally answered 00 with INS {expected.ins}, the DUI stored {ins.get('value')!r}",
                location=identity_location(ambiguous, "ins.value"),
            )
        )
    expect("the INS obtained after a retry must be stored", findings)


@pytest.mark.requirement("INS-INSI-06")
def test_no_identity_found_after_every_first_name_and_the_full_list(not_found: Scenario) -> None:
    """For HOUILLES the DUI tries each birth first name and the full list before concluding 01."""
    require_insi_calls(not_found, "INS-INSI-06")
    require_insi_accepted(not_found)
    first_names = person("houilles-pierre").traits.first_names
    sent = _sent_first_names(not_found)
    tried = {name for query in sent for value in query for name in [value]}
    missing = [n for n in first_names if n not in tried]
    full_list = " ".join(first_names)
    findings = []
    if missing:
        findings.append(
            Finding(
                "ins.strategy.first_names",
                "INS-INSI-06",
                f"after 01 the DUI never queried with the birth first name(s) {missing}; queries sent: {sent}",
                location="INSi requests RECSANSVITALE/Prenom",
            )
        )
    if full_list not in tried and not any(q == list(first_names) for q in sent):
        findings.append(
            Finding(
                "ins.strategy.full_list",
                "INS-INSI-06",
                f"after 01 the DUI never queried with the full list {full_list!r}; queries sent: {sent}",
                location="INSi requests RECSANSVITALE/Prenom",
            )
        )
    expect("INSi 01: the DUI must try every birth first name and the full list", findings)
