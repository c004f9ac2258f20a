"""## Requirements
INS-REG-16 (rule 16 of the INS implementation guide, SC.INS/va1.27, SC.INS.06A): the accesses to an
identity and the changes made to it are traced with date, time, kind of change and professional.

## Dependencies
The DUI's trigger API (``createPerson``, ``getIdentity``, ``updateTraits``, ``getIdentityAudit``).

## Methodology
As the official scenario INS/va1.27.01, on a provisional identity (no INSi return, so no lock of rule
26): AUDIT-ESSAI MARC is created, read, then his birth name changed. The DUI's trace of that identity
must hold an access and a change, the change with its date and time (ISO 8601, within ten minutes of
the harness's clock around the scenario), its kind (what changed) and the professional who made it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from harness.core.findings import Finding
from harness.core.ins import Traits
from harness.plugin.evidence import Scenario
from harness.suites.ins.checks import expect
from harness.suites.ins.rule_messages import rule_finding
from harness.sut.driver import SutDriver

PERSON = Traits("AUDIT-ESSAI", ("MARC",), "M", "1971-09-23", "75056")
SKEW = dt.timedelta(minutes=10)
CHANGE_ACTIONS = ("modification", "update", "change")


@pytest.fixture(scope="module")
def audited(sut: SutDriver) -> Scenario:
    start = dt.datetime.now(dt.UTC)
    pid = str(sut.create_person(PERSON)["person_id"])
    sut.identity(pid)
    changed = sut.update_traits(pid, {"birth_name": "AUDIT-ESSAI-BIS"})
    if changed.get("refused"):  # a DUI may keep strict traits to identity managers: the official scenario's note
        changed = sut.update_traits(pid, {"birth_name": "AUDIT-ESSAI-BIS"}, identity_manager=True)
    audit = sut.identity_audit(pid)
    return Scenario(
        name="Trace des accès et modifications / access and change trace",
        person_id=pid,
        data={"audit": audit, "changed": changed, "start": start, "end": dt.datetime.now(dt.UTC)},
    )


def _instant(value: Any) -> dt.datetime | None:
    """A date *and time* (ISO 8601); a bare date does not say the hour rule 16 asks for."""
    if not isinstance(value, str) or "T" not in value.upper():
        return None
    try:
        at = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return at if at.tzinfo is not None else at.replace(tzinfo=dt.UTC)


@pytest.mark.requirement("INS-REG-16")
def test_accesses_and_changes_are_traced(audited: Scenario) -> None:
    """Rule 16: an access and a change of the identity are traced with date-time, kind and professional."""
    if audited.data["changed"].get("refused"):
        pytest.skip(
            "la DUI a refusé de modifier le nom de naissance d'une identité provisoire, même à un gestionnaire "
            "d'identités : aucune modification à tracer / the DUI refused the change even to an identity manager"
        )
    entries = [e for e in (audited.data["audit"].get("entries") or []) if isinstance(e, dict)]
    where = f"trigger API GET /persons/{audited.person_id}/identity-audit → entries"
    findings: list[Finding] = []
    kinds = sorted({str(e.get("action")) for e in entries})
    if not any(e.get("action") == "access" for e in entries):
        findings.append(
            rule_finding(
                "ins.rule16.access",
                "INS-REG-16",
                "the identity was read but no access is traced",
                stored=f"traces / entries: {kinds or 'aucune / none'}",
                expected="une trace « access » / an 'access' entry",
                location=where,
            )
        )
    changes = [e for e in entries if str(e.get("action")).lower() in CHANGE_ACTIONS]
    if not changes:
        findings.append(
            rule_finding(
                "ins.rule16.change",
                "INS-REG-16",
                "the birth name was changed but no change is traced",
                stored=f"traces / entries: {kinds or 'aucune / none'}",
                expected="une trace « modification » / a 'modification' entry",
                location=where,
            )
        )
    for index, entry in enumerate(changes):
        at = _instant(entry.get("at"))
        start, end = audited.data["start"], audited.data["end"]
        missing = [
            label
            for label, ok in (
                ("date et heure / date and time", at is not None and start - SKEW <= at <= end + SKEW),
                ("type de modification / kind of change", bool(str(entry.get("detail") or "").strip())),
                ("professionnel / professional", bool(str(entry.get("professional") or "").strip())),
            )
            if not ok
        ]
        if missing:
            findings.append(
                rule_finding(
                    "ins.rule16.fields",
                    "INS-REG-16",
                    f"the trace of the change lacks: {', '.join(missing)}",
                    stored=f"at={entry.get('at')!r}, detail={entry.get('detail')!r}, "
                    f"professional={entry.get('professional')!r}",
                    expected=f"date-heure ISO 8601 entre / ISO 8601 date-time between {start:%H:%M:%S} and "
                    f"{end:%H:%M:%S} UTC, type de modification, professionnel / kind of change, professional",
                    location=f"{where}[{index}]",
                )
            )
    expect("règle 16 / rule 16", findings)
