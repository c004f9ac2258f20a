"""Checks shared by the INS suite's tests: each returns findings, the test raises them."""

from __future__ import annotations

from typing import Any

from harness.core.findings import Blocked, Finding, NonConformity, Severity
from harness.core.ins import INS_OIDS, OID_INS_C, ins_key, parse_ins
from harness.core.recorder import Exchange
from harness.plugin.evidence import Scenario
from harness.suites.ins.rule_messages import rule_finding

__all__ = [
    "block_on_wrong_key",
    "expect",
    "identity_location",
    "insi_answer",
    "require_insi_accepted",
    "require_insi_calls",
    "require_person_kept",
]


def identity_location(scenario: Scenario, field: str, endpoint: str = "identity") -> str:
    return f"trigger API GET /persons/{scenario.person_id}/{endpoint} → {field}"


def expect(title: str, findings: list[Finding]) -> None:
    """Raise a non-conformity when any finding is present."""
    if findings:
        raise NonConformity(title, findings)


def require_insi_calls(scenario: Scenario, requirement: str) -> list[Exchange]:
    """The scenario's INSi exchanges; a non-conformity on ``requirement`` when there are none."""
    if not scenario.exchanges:
        raise NonConformity(
            f"{scenario.name}: the DUI made no call to the INSi teleservice",
            [
                Finding(
                    "ins.insi.no_call",
                    requirement,
                    "no INSi request reached the simulator after the INS search was asked for",
                    location="INSi simulator POST /lps",
                )
            ],
        )
    return scenario.exchanges


def insi_answer(scenario: Scenario) -> dict[str, Any] | None:
    """The last INSi answer with CR 00 in the scenario (what the DUI should have stored)."""
    for exchange in reversed(scenario.exchanges):
        if exchange.summary.get("cr") == "00" and exchange.summary.get("ins"):
            return {
                "ins": exchange.summary["ins"],
                "oid": exchange.summary.get("oid"),
                "exchange": exchange.id,
                "tiq": exchange.summary.get("tiq"),
                "history": exchange.summary.get("history", []),
            }
    return None


def ins_findings(
    scenario: Scenario, ins: dict[str, Any] | None, where: str, requirement_key: str, requirement_oid: str
) -> list[Finding]:
    """Key and OID checks on an INS object ``{"value", "oid"}`` the DUI gave."""
    if not ins:
        return []
    findings = []
    value, oid = str(ins.get("value") or ""), str(ins.get("oid") or "")
    try:
        parsed = parse_ins(value, oid)
        if not parsed.key_is_valid:
            findings.append(
                rule_finding(
                    "ins.key",
                    requirement_key,
                    "the INS key is not 97 − (NIR mod 97) (Corsica 2A/2B read as 19/18)",
                    stored=f"INS {value}, clé / key {parsed.key}",
                    expected=f"clé / key {ins_key(value[:13]):02d}",
                    location=f"{where}.value",
                )
            )
    except ValueError as exc:
        findings.append(
            rule_finding(
                "ins.format",
                requirement_key,
                f"the INS is malformed: {exc}",
                stored=f"INS {value!r}",
                expected="13 caractères du NIR/NIA + clé de 2 chiffres / 13-character NIR/NIA + 2-digit key",
                location=f"{where}.value",
            )
        )
    if oid == OID_INS_C:
        findings.append(
            rule_finding(
                "ins.oid.insc",
                requirement_oid,
                "the INS comes with the retired INS-C OID",
                stored=f"OID {oid}",
                expected=f"un OID d'INS / an INS OID ({', '.join(sorted(INS_OIDS))})",
                location=f"{where}.oid",
            )
        )
    elif oid not in INS_OIDS:
        findings.append(
            rule_finding(
                "ins.oid.unknown",
                requirement_oid,
                f"INS {value} comes with an OID that is no INS assigning authority",
                stored=f"OID {oid!r}",
                expected=f"un OID d'INS / an INS OID ({', '.join(sorted(INS_OIDS))})",
                location=f"{where}.oid",
            )
        )
    return findings


def require_insi_accepted(scenario: Scenario) -> None:
    """Block (not fail) a check of what the DUI stored when INSi refused every request.

    When the simulator rejected the DUI's requests for a request-level non-conformity
    (INS-INSI-01 to 05), INSi never answered, so what the DUI would have stored cannot be
    judged: the check is *blocked by* those requirements.
    """
    if any(e.summary.get("cr") for e in scenario.exchanges):
        return
    blocking = sorted(
        {
            f.requirement
            for e in scenario.exchanges
            for f in e.findings
            if f.severity is Severity.ERROR and f.requirement.startswith("INS-INSI-")
        }
    )
    if blocking:
        raise Blocked(
            f"{scenario.name}: INSi refused every request of the DUI, so nothing it would have "
            "returned can be compared with what the DUI stored",
            tuple(blocking),
        )


def block_on_wrong_key(scenario: Scenario, stored: dict[str, Any] | None, returned: str | None) -> None:
    """Block a stored-INS comparison whose only difference is an invalid key (INS-KEY-01's failure).

    When the DUI stored INSi's matricule with another, invalid key, the root cause is its key
    computation (INS-KEY-01, judged on its own): whether it stores what INSi returned cannot be
    judged apart from it, so the comparison is *blocked by* INS-KEY-01 rather than a second failure.
    """
    value = str((stored or {}).get("value") or "")
    if not value or not returned or value == returned or value[:13] != returned[:13]:
        return
    try:
        valid = parse_ins(value, str((stored or {}).get("oid") or "")).key_is_valid
    except ValueError:
        return
    if not valid:
        raise Blocked(
            f"{scenario.name}: the DUI stored INSi's matricule {returned[:13]} with the invalid key {value[13:]} "
            f"(INSi returned {returned[13:]}): the key computation is at fault",
            ("INS-KEY-01",),
        )


def require_person_kept(scenario: Scenario) -> None:
    """Block a check of the identity's status or exchange when the DUI deleted the person (INS-RES-04).

    After an INSi failure the person must be kept (INS-RES-04, judged on its own); when the DUI
    deleted it there is no status and no exchanged identity to judge.
    """
    if scenario.data.get("person_lost"):
        raise Blocked(
            f"{scenario.name}: the DUI no longer knows the person after the INSi failure, so its status and "
            "the identity it would exchange cannot be read",
            ("INS-RES-04",),
        )
