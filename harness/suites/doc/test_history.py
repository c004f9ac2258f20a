"""## Requirements
DMP-HISTO-01 (SC.DMP/HISTO.03: a historical document is dated, in its CDA and its XDS metadata,
by the date of the act) and DMP-HISTO-02 (SC.DMP/HISTO.04: when its author left the RPPS, the
legal entity is one of the authors of the DocumentEntry and of the SubmissionSet).

## Dependencies
The scenario ``historical_published``: the ESMS feeds the DMP with the report of a consultation
of 14 March 2019 whose author has since left the RPPS.

## Methodology
The ITI-41 requests of the scenario: the CDA ``documentationOf/serviceEvent/effectiveTime``
(``low`` or ``@value``) and the DocumentEntry ``serviceStartTime`` must start with the act's date
(20190314), not the day it is sent. Among the authors of the DocumentEntry and of the
SubmissionSet, an ``authorPerson`` must be the legal entity as the referencing scenario shows it
(XCN.2 its label, XCN.3 ``(structure de soins)``, ``(service)`` or ``(unité fonctionnelle)``),
and the initial author (an RPPS, assigning authority 1.2.250.1.71.4.2.1) must stay.
"""

from __future__ import annotations

import pytest

from harness.core.findings import Finding
from harness.plugin.evidence import Scenario
from harness.suites.dmp.checks import expect
from harness.suites.doc.produced import produced
from harness.validators.cda.pack import CdaPack
from harness.validators.xds.ebrim import RegistryObject

REQ_DATE, REQ_AUTHOR = "DMP-HISTO-01", "DMP-HISTO-02"
CDA = {"cda": "urn:hl7-org:v3"}
SERVICE_START = "cda:documentationOf/cda:serviceEvent/cda:effectiveTime/cda:low/@value | " + (
    "cda:documentationOf/cda:serviceEvent/cda:effectiveTime/@value"
)
#: XCN.3 of a legal entity as authorPerson (the referencing scenario of SC.DMP/HISTO.04)
LEGAL_KINDS = ("(structure de soins)", "(service)", "(unité fonctionnelle)")
RPPS = "1.2.250.1.71.4.2.1"


def _day(scenario: Scenario) -> str:
    return str(scenario.data["historical"]["act_date"]).replace("-", "")


@pytest.mark.requirement(REQ_DATE)
@pytest.mark.parametrize("scenario", ["historical_published"], indirect=True)
def test_a_historical_document_is_dated_by_its_act(scenario: Scenario, cda_pack: CdaPack | None) -> None:
    """serviceEvent/effectiveTime (CDA) and serviceStartTime (XDS) give the date of the act, not of the sending."""
    day, found = _day(scenario), []
    for exchange, report in produced(scenario, REQ_DATE, cda_pack):
        evidence = (f"exchange {exchange.id}",)
        for entry in report.submission.documents if report.submission else []:
            start = entry.slot("serviceStartTime")
            if not start.startswith(day):
                found.append(
                    Finding(
                        "dmp.histo.service-start",
                        REQ_DATE,
                        f"serviceStartTime {start or '(none)'} is not the date of the act {day}",
                        location=f"{entry.location}/rim:Slot[@name='serviceStartTime']",
                        evidence=evidence,
                    )
                )
        for entry_id, cda in report.cda.items():
            values = cda.root.xpath(SERVICE_START, namespaces=CDA) if cda.root is not None else []
            dates = [str(v) for v in values] if isinstance(values, list) else []
            if not any(d.startswith(day) for d in dates):
                found.append(
                    Finding(
                        "dmp.histo.service-event",
                        REQ_DATE,
                        f"documentationOf/serviceEvent/effectiveTime {', '.join(dates) or '(none)'} is not the date of "
                        f"the act {day}",
                        location=f"document {entry_id}: /ClinicalDocument/documentationOf/serviceEvent/effectiveTime",
                        evidence=evidence,
                    )
                )
    expect(f"{scenario.name}: dated by the act", found)


def _author_problems(obj: RegistryObject, what: str) -> list[str]:
    persons = [p for author in obj.authors for p in author.slots.get("authorPerson", [])]
    comps = [p.split("^") for p in persons]
    problems = []
    if not any(len(c) > 2 and c[1].strip() and c[2].strip() in LEGAL_KINDS for c in comps):
        problems.append(
            f"the {what} has no author for the legal entity (authorPerson XCN.2 its label, XCN.3 one of "
            f"{', '.join(LEGAL_KINDS)}); authors: {', '.join(persons) or '(none)'}"
        )
    if not any(len(c) > 8 and RPPS in c[8] for c in comps):
        problems.append(f"the {what} lost its initial author (an authorPerson of authority {RPPS})")
    return problems


@pytest.mark.requirement(REQ_AUTHOR)
@pytest.mark.parametrize("scenario", ["historical_published"], indirect=True)
def test_the_legal_entity_authors_a_historical_document(scenario: Scenario, cda_pack: CdaPack | None) -> None:
    """The legal entity is an author of the DocumentEntry and of the SubmissionSet, the initial author kept."""
    found = []
    for exchange, report in produced(scenario, REQ_AUTHOR, cda_pack):
        submission = report.submission
        objects = [(d, "DocumentEntry") for d in submission.documents] if submission else []
        objects += [(s, "SubmissionSet") for s in submission.submission_sets] if submission else []
        found += [
            Finding(
                "dmp.histo.legal-author",
                REQ_AUTHOR,
                problem,
                location=f"{obj.location}/rim:Classification",
                evidence=(f"exchange {exchange.id}",),
            )
            for obj, what in objects
            for problem in _author_problems(obj, what)
        ]
    expect(f"{scenario.name}: the legal entity among the authors", found)
