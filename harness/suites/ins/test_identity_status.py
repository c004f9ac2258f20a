"""## Requirements
RNIV EXI SI 07 (one status among PROV, RECUP, VALI, QUAL, earned by INSi and a document
check) and EXI SI 08 (the INS is exchanged only for a qualified identity).

## Dependencies
INSi simulator; the DUI's trigger API (identity and exchange-identity read-back).

## Methodology
The harness drives identities through each combination of INSi answer and document check
and reads back the status the DUI gives them, and the identity it would write in an
outgoing exchange.
"""

from __future__ import annotations

import pytest

from harness.core.findings import Finding
from harness.core.ins import IdentityStatus
from harness.plugin.evidence import Scenario
from harness.suites.ins.checks import expect, identity_location, require_insi_accepted, require_person_kept
from harness.suites.ins.rule_messages import rule_finding

STATUSES = {s.value for s in IdentityStatus}


def _status(scenario: Scenario, key: str = "identity") -> str | None:
    value = (scenario.data.get(key) or {}).get("status")
    return str(value) if value is not None else None


def _status_findings(scenario: Scenario, expected: str, why: str, key: str = "identity") -> list[Finding]:
    status = _status(scenario, key)
    if status not in STATUSES:
        return [
            rule_finding(
                "rniv.status.invalid",
                "EXI SI 07",
                f"{why}: the status is none of the four RNIV statuses",
                stored=f"statut / status {status!r}",
                expected=f"PROV, RECUP, VALI ou / or QUAL (ici / here {expected})",
                location=identity_location(scenario, "status"),
            )
        ]
    if status != expected:
        return [
            rule_finding(
                "rniv.status.wrong",
                "EXI SI 07",
                f"{why}: wrong identity status",
                stored=f"statut / status {status}",
                expected=f"statut / status {expected}",
                location=identity_location(scenario, "status"),
            )
        ]
    return []


@pytest.mark.requirement("EXI SI 07")
def test_insi_and_document_give_a_qualified_identity(found_qualified: Scenario) -> None:
    """INSi 00 and an ID card checked: Identité qualifiée (QUAL)."""
    require_insi_accepted(found_qualified)
    expect("QUAL needs INSi and a document", _status_findings(found_qualified, "QUAL", "INSi 00 + document"))


@pytest.mark.requirement("EXI SI 07")
def test_insi_without_document_gives_a_recovered_identity(found_unverified: Scenario) -> None:
    """INSi 00 without a document check: Identité récupérée (RECUP), not QUAL."""
    require_insi_accepted(found_unverified)
    expect("RECUP", _status_findings(found_unverified, "RECUP", "INSi 00, no document"))


@pytest.mark.requirement("EXI SI 07")
def test_document_without_insi_never_gives_a_qualified_identity(document_without_insi: Scenario) -> None:
    """An ID card checked while INSi finds no identity: Identité validée (VALI), never QUAL."""
    expect("VALI", _status_findings(document_without_insi, "VALI", "document checked, INSi 01"))


@pytest.mark.requirement("EXI SI 07", "INS-RES-04")
def test_insi_unavailable_with_document_gives_a_validated_identity(unavailable: Scenario) -> None:
    """An ID card checked while INSi is unavailable: VALI, never QUAL."""
    require_person_kept(unavailable)
    expect("VALI when INSi is down", _status_findings(unavailable, "VALI", "document checked, INSi unavailable"))


@pytest.mark.requirement("EXI SI 07")
def test_document_checked_after_insi_qualifies_the_identity(document_after_insi: Scenario) -> None:
    """RECUP after INSi, then the ID card is checked: the identity becomes QUAL."""
    require_insi_accepted(document_after_insi)
    findings = _status_findings(document_after_insi, "RECUP", "INSi 00 before the document", "identity_before_document")
    findings += _status_findings(document_after_insi, "QUAL", "INSi 00 then document checked")
    expect("RECUP then QUAL", findings)


@pytest.mark.requirement("EXI SI 08")
def test_qualified_identity_is_exchanged_with_its_ins(found_qualified: Scenario) -> None:
    """A qualified identity is written in outgoing exchanges with its INS and OID."""
    require_insi_accepted(found_qualified)
    stored = (found_qualified.data.get("identity") or {}).get("ins")
    shared = (found_qualified.data.get("exchange_identity") or {}).get("ins")
    findings = []
    # the value only: the OID that goes with it is INS-OID-01's, judged on the same exchange
    if stored and (shared or {}).get("value") != stored.get("value"):
        findings.append(
            rule_finding(
                "rniv.share.qual",
                "EXI SI 08",
                "a qualified identity is exchanged without its INS",
                stored=f"INS échangé / exchanged {(shared or {}).get('value')!r}",
                expected=f"INS {stored.get('value')} ({stored.get('oid')})",
                location=identity_location(found_qualified, "ins", "exchange-identity"),
            )
        )
    expect("qualified identity exchanged with its INS", findings)


@pytest.mark.requirement("EXI SI 08")
@pytest.mark.parametrize("scenario", ["found_unverified", "unavailable", "not_found"], indirect=True)
def test_unqualified_identity_is_exchanged_without_ins(scenario: Scenario) -> None:
    """RECUP, VALI or PROV: the DUI exchanges the traits, never the INS."""
    require_person_kept(scenario)
    shared = scenario.data.get("exchange_identity") or {}
    status = _status(scenario)
    findings = []
    if shared.get("ins"):
        findings.append(
            rule_finding(
                "rniv.share.unqualified",
                "EXI SI 08",
                f"an identity of status {status} is exchanged with its INS",
                stored=f"INS échangé / exchanged {shared['ins']!r}",
                expected="aucun INS échangé hors identité qualifiée / no INS unless QUAL",
                location=identity_location(scenario, "ins", "exchange-identity"),
            )
        )
    expect("the INS is exchanged only for a qualified identity", findings)
