"""## Requirements
INS-REG-17 (rule 17 of the INS implementation guide, SC.INS/va1.02, va1.19, va1.24, va1.25,
va1.29): the anteriority search by birth date, completed by the first characters of a name or
first name, ignores case, accents, apostrophes and hyphens, and looks at every first name field.

## Dependencies
The DUI's trigger API (``createPerson``, ``searchIdentities``); no national service.

## Methodology
D'ALEMBERT-ÉCLAIR HÉLÈNE MARIE-ANGE (F, 1966-08-15) is created, then searched by the date alone,
by ``dalemb`` (apostrophe and hyphen left out), ``eclair`` (second part of the name, accent
left out), ``helene`` (first name without accents), ``marie ange`` (second birth first name,
space for hyphen): she must be listed each time, and not for ``zz``.
"""

from __future__ import annotations

import pytest

from harness.core.findings import Finding
from harness.core.ins import Traits
from harness.plugin.evidence import Scenario
from harness.suites.ins.checks import expect
from harness.suites.ins.rule_messages import rule_finding
from harness.sut.driver import SutDriver

PERSON = Traits("D'ALEMBERT-ÉCLAIR", ("HÉLÈNE", "MARIE-ANGE"), "F", "1966-08-15", "75056")
#: what is typed -> whether the person must be listed
SEARCHES: tuple[tuple[str | None, bool], ...] = (
    (None, True),
    ("dalemb", True),
    ("d'alembert", True),
    ("helene", True),
    ("marie ange", True),
    ("zz", False),
)


@pytest.fixture(scope="module")
def anteriority(sut: SutDriver) -> Scenario:
    created = sut.create_person(PERSON)
    pid = str(created["person_id"])
    results = {
        typed or "": [str(p.get("person_id")) for p in sut.search_identities(PERSON.birth_date, typed)]
        for typed, _ in SEARCHES
    }
    return Scenario(name="Recherche d'antériorité / anteriority search", person_id=pid, data={"results": results})


@pytest.mark.requirement("INS-REG-17")
def test_anteriority_search_ignores_accents_apostrophes_and_hyphens(anteriority: Scenario) -> None:
    """Rule 17: date of birth plus the first characters of any name or first name, typed without accents,
    apostrophes or hyphens, finds the person; unrelated characters do not."""
    findings: list[Finding] = []
    for typed, listed in SEARCHES:
        found = anteriority.person_id in anteriority.data["results"][typed or ""]
        if found != listed:
            shown = f"date {PERSON.birth_date}" + (f" + « {typed} »" if typed else "")
            findings.append(
                rule_finding(
                    "ins.rule17.search",
                    "INS-REG-17",
                    f"anteriority search {shown} for {PERSON.birth_name} {' '.join(PERSON.first_names)}",
                    stored="listée / listed" if found else "non listée / not listed",
                    expected="listée / listed" if listed else "non listée / not listed",
                    location=f"trigger API GET /identity-search?birth_date={PERSON.birth_date}"
                    + (f"&name={typed}" if typed else ""),
                )
            )
    expect("règle 17 / rule 17", findings)
