"""## Requirements
DMP-CONS-01 (SC.DMP/CONF.06): the person's choice about the consultation of her DMP is traced (date and
author); while she objects, the DUI sends no consultation transaction (ITI-18, ITI-43); once her
non-opposition is recorded, it consults. DMP-CONS-02 (SC.DMP/UX.50): without an opposition and with no
authorisation positioned, the DUI positions the professional's individual access authorisation by itself
(TD0.3, after TD0.2, before ITI-18); never while the person objects.

## Dependencies
Trigger operations ``setDmpConsultationConsent`` / ``getDmpConsultationConsent`` (or the operator) and
``retrieveDmpDocuments``; DMP simulator. **The TD0.2 and TD0.3 wire formats are not public**: the
simulator models them (``mocks/dmp/td02.py``, ``mocks/dmp/td03.py``); for an INS of the state's
``td03_grants``, a TD0.3 while TD0.2 answers NON_EXISTE adds the authorisation (TD0.2 then VALIDE).

## Methodology
Official scenario DMP/CONF.06.01: SANTONI-ESSAI PAUL's opposition is recorded and its trace read, the DUI
is asked to retrieve his VSM and the DMP is watched (2 s from the DUI's answer, woken by each exchange,
sooner over once a consultation came; LEFEVRE's steps and watch run meanwhile): no ITI-18 or ITI-43 may
come for his INS; his non-opposition is then recorded and the DUI asked again: its ITI-18 is
awaited (run's exchange timeout). Official scenario DMP/UX.50.01: BERNARD-ESSAI ANDRE does not object and
TD0.2 says NON_EXISTE; the only action is the consultation asked: TD0.2, then an accepted TD0.3, then
ITI-18 are expected. LEFEVRE-ESSAI JEANNE objects, no authorisation is positioned: no TD0.3 may come.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from harness.core.findings import Blocked, Finding, Severity
from harness.core.recorder import Exchange
from harness.plugin.evidence import Scenario
from harness.suites.dmp.checks import expect, require

WHERE = "trigger API {method} /persons/{person}/dmp/consultation-consent"


def _of(scenario: Scenario, key: str) -> list[Exchange]:
    ids = set(scenario.data.get(key) or [])
    return [e for e in scenario.exchanges if e.id in ids]


def _trace_findings(scenario: Scenario, key: str, opposed: bool) -> list[Finding]:
    """The choice ``key`` recorded and its trace: the choice itself, a date-time and an author."""
    choice: dict[str, Any] = scenario.data[key]
    said = "opposition" if opposed else "non-opposition"
    if "error" in choice:
        where = WHERE.format(method="PUT", person=scenario.person_id)
        return [Finding("dmp.consent.not_recorded", "DMP-CONS-01", f"{said}: {choice['error']}", location=where)]
    trace, where = choice["trace"], WHERE.format(method="GET", person=scenario.person_id)
    if "error" in trace:
        return [Finding("dmp.consent.no_trace", "DMP-CONS-01", f"{said}: {trace['error']}", location=where)]
    findings = []
    if "opposed" in trace and trace["opposed"] is not opposed:
        findings.append(
            Finding(
                "dmp.consent.wrong_choice",
                "DMP-CONS-01",
                f"the {said} was recorded, the trace says opposed={trace['opposed']}",
                location=f"{where} → opposed",
            )
        )
    when = str(trace.get("recorded_at") or "").strip()
    if not when or not (trace.get("declared_by_operator") or _is_datetime(when)):
        findings.append(
            Finding(
                "dmp.consent.no_date",
                "DMP-CONS-01",
                f"the trace of the {said} has no date of recording ({when or 'absent'!r})",
                location=f"{where} → recorded_at",
            )
        )
    if not str(trace.get("recorded_by") or "").strip():
        findings.append(
            Finding(
                "dmp.consent.no_author",
                "DMP-CONS-01",
                f"the trace of the {said} does not name who recorded it",
                location=f"{where} → recorded_by",
            )
        )
    return findings


def _is_datetime(value: str) -> bool:
    try:
        dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


@pytest.mark.requirement("DMP-CONS-01")
def test_the_choice_about_consultation_is_traced(consent_recorded: Scenario) -> None:
    """The opposition, then the non-opposition, are recorded with their date and author."""
    expect(
        "Trace du choix / trace of the choice",
        _trace_findings(consent_recorded, "opposition", True) + _trace_findings(consent_recorded, "consent", False),
    )


@pytest.mark.requirement("DMP-CONS-01")
def test_no_consultation_under_opposition(consent_recorded: Scenario) -> None:
    """While the person objects, no ITI-18 or ITI-43 reaches the DMP for her INS."""
    if "error" in consent_recorded.data["opposition"]:
        expect("Opposition à la consultation", _trace_findings(consent_recorded, "opposition", True))
    expect(
        "Consultation sous opposition / consultation under opposition",
        [
            Finding(
                "dmp.consent.consulted",
                "DMP-CONS-01",
                f"the person objects to the consultation of her DMP, yet the DUI sent {e.transaction} #{e.id}",
                location=f"exchange {e.id}",
            )
            for e in _of(consent_recorded, "opposed_exchanges")
            if e.transaction in ("ITI-18", "ITI-43")
        ],
    )


@pytest.mark.requirement("DMP-CONS-01")
def test_consultation_once_the_consent_is_recorded(consent_recorded: Scenario) -> None:
    """Once her non-opposition is recorded, the DUI consults (ITI-18)."""
    after = _of(consent_recorded, "consent_exchanges")
    consulted = [e for e in after if e.transaction == "ITI-18"]
    refused = sorted({f.requirement for e in after for f in e.findings if f.severity is Severity.ERROR})
    if not consulted and refused:
        raise Blocked(
            f"{consent_recorded.name}: no ITI-18 after the DMP refused the DUI's earlier calls", tuple(refused)
        )
    expect(
        "Consultation après consentement / consultation after consent",
        []
        if consulted
        else [
            Finding(
                "dmp.consent.not_consulted",
                "DMP-CONS-01",
                "the person's non-opposition was recorded, yet the DUI asked to consult her DMP sent no ITI-18 "
                f"(answer: {str(consent_recorded.data.get('after_consent'))[:300]})",
                location="DMP simulator, ITI-18",
            )
        ],
    )


@pytest.mark.requirement("DMP-CONS-02")
def test_authorisation_positioned_without_user_action(authorisation_positioned: Scenario) -> None:
    """No opposition, no authorisation positioned: TD0.2, then TD0.3 accepted, then ITI-18."""
    scenario = authorisation_positioned
    queries = require(scenario, "ITI-18", "DMP-CONS-02")
    first = queries[0].id
    checks = [e for e in scenario.exchanges if e.transaction == "TD0.2" and e.id < first]
    if not checks:
        raise Blocked(
            f"{scenario.name}: ITI-18 #{first} without a TD0.2 first: whether an authorisation was missing "
            "was never asked",
            ("DMP-TD02-02",),
        )
    added = [
        e
        for e in scenario.exchanges
        if e.transaction == "TD0.3" and e.tags.get("authorisation") == "added" and checks[0].id < e.id < first
    ]
    if not added:
        expect(
            "Autorisation individuelle / individual authorisation",
            [
                Finding(
                    "dmp.td03.not_positioned",
                    "DMP-CONS-02",
                    f"TD0.2 #{checks[0].id} answered {checks[0].tags.get('autorisation')} and the person does not "
                    f"object, yet no TD0.3 positioned the authorisation before ITI-18 #{first}",
                    location=f"exchange {first}",
                )
            ],
        )


@pytest.mark.requirement("DMP-CONS-02")
def test_no_authorisation_under_opposition(authorisation_under_opposition: Scenario) -> None:
    """The person objects: no TD0.3, even with no authorisation positioned."""
    scenario = authorisation_under_opposition
    if "error" in scenario.data["opposition"]:
        raise Blocked(f"{scenario.name}: the opposition could not be recorded", ("DMP-CONS-01",))
    asked = [e for e in scenario.exchanges if e.transaction == "TD0.3"]
    consulted = [e for e in scenario.exchanges if e.transaction in ("ITI-18", "ITI-43")]
    if asked and consulted:
        raise Blocked(
            f"{scenario.name}: the DUI consulted the DMP under the opposition ({consulted[0].transaction} "
            f"#{consulted[0].id}): the TD0.3 #{asked[0].id} follows from that",
            ("DMP-CONS-01",),
        )
    expect(
        "Autorisation sous opposition / authorisation under opposition",
        [
            Finding(
                "dmp.td03.under_opposition",
                "DMP-CONS-02",
                f"the person objects to the consultation of her DMP, yet the DUI positioned an authorisation "
                f"(TD0.3 #{e.id})",
                location=f"exchange {e.id}",
            )
            for e in asked
        ],
    )
