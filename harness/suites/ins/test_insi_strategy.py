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

from harness.core.findings import Blocked
from harness.plugin.evidence import Scenario
from harness.suites.ins.checks import (
    block_on_wrong_key,
    expect,
    identity_location,
    require_insi_accepted,
    require_insi_calls,
)
from harness.suites.ins.persons import person
from harness.suites.ins.rule_messages import rule_finding


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
            rule_finding(
                "ins.strategy.no_retry",
                "INS-INSI-06",
                f"INSi answered {crs} and the DUI never obtained a single identity: after 02 it must query again",
                stored=f"prénoms envoyés / first names sent {_sent_first_names(ambiguous)}",
                expected="une nouvelle interrogation avec la liste complète des prénoms de naissance / a new query "
                "with the full list of birth first names",
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
            rule_finding(
                "ins.strategy.stored",
                "INS-RES-01",
                "INSi finally answered 00 after the retry, but the DUI did not store that INS",
                stored=f"INS {ins.get('value')!r}",
                expected=f"INS {expected.ins}",
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
            rule_finding(
                "ins.strategy.first_names",
                "INS-INSI-06",
                "after CR 01 the DUI did not query with each other birth first name",
                stored=f"prénoms envoyés / first names sent {sent}",
                expected=f"aussi / also {missing}",
                location="INSi requests RECSANSVITALE/Prenom",
            )
        )
    if full_list not in tried and not any(q == list(first_names) for q in sent):
        findings.append(
            rule_finding(
                "ins.strategy.full_list",
                "INS-INSI-06",
                "after CR 01 the DUI did not query with the full list of birth first names",
                stored=f"prénoms envoyés / first names sent {sent}",
                expected=f"aussi / also {full_list!r}",
                location="INSi requests RECSANSVITALE/Prenom",
            )
        )
    expect("INSi 01: the DUI must try every birth first name and the full list", findings)
