"""What the SI-SdO checks on the searches an ESMS sends (flux 1.1, 3.1 and 5.1 of the IG's pages).

* flux 1.1 ``GET [base]/DocumentReference?type=57830-2&_lastUpdated=gt[instant]&_elements=id``;
* flux 3.1 ``GET [base]/DocumentReference?identifier=[idNat_Decision]&type=51848-0``;
* flux 5.1 ``GET [base]/Task?_lastUpdated=gt[instant]``.

The instant is a full FHIR ``instant`` with its time zone, whose ``+`` is sent escaped (``%2B``: a raw
``+`` reaches the server as a space); the window is J-1 in nominal use and J-30 at the first
connection (``built/en/st_flux1.md``, ``built/fr/st_flux5.md``), so an instant older than 30 days or in
the future is a finding.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from harness.core.findings import Finding
from harness.core.rules import rule
from harness.validators.fhir.sdo import DECISION, EVALUATION

__all__ = ["DEC", "EVA", "NOT", "judge_document_search", "judge_task_search", "search_flux"]

DEC, EVA, NOT = "SDO-DEC-01", "SDO-EVA-01", "SDO-NOT-01"
#: the first connection looks back 30 days; one more day of slack for clocks and time zones
_OLDEST = timedelta(days=31)
_FUTURE = timedelta(minutes=5)


def _values(query: Sequence[tuple[str, str]], name: str) -> list[str]:
    return [v for k, v in query if k == name]


def search_flux(query: Sequence[tuple[str, str]]) -> str:
    """``"1.1"`` (decisions), ``"3.1"`` (an evaluation) or ``""`` for a DocumentReference search."""
    types = {v.split("|")[-1] for v in _values(query, "type")}
    if types == {EVALUATION}:
        return "3.1"
    if types == {DECISION}:
        return "1.1"
    return ""


def _last_updated(query: Sequence[tuple[str, str]], requirement: str, flux: str, now: datetime) -> list[Finding]:
    rule_id = f"sdo.flux{flux[0]}.lastupdated"
    found = _values(query, "_lastUpdated")
    if len(found) != 1:
        return [
            Finding(
                rule_id,
                requirement,
                f"flux {flux}: {len(found)} _lastUpdated parameter(s); exactly one gt[instant] expected "
                "(J-1, or J-30 at the first connection)",
                location="query _lastUpdated",
            )
        ]
    value = found[0]
    if " " in value:
        return [
            Finding(
                rule_id,
                requirement,
                f"flux {flux}: _lastUpdated {value!r} holds a space: the '+' of the time zone must be sent as %2B",
                location="query _lastUpdated",
            )
        ]
    if not value.startswith("gt"):
        return [
            Finding(
                rule_id, requirement, f"flux {flux}: _lastUpdated {value!r} without the prefix gt", location="query"
            )
        ]
    try:
        moment = datetime.fromisoformat(value[2:].replace("Z", "+00:00"))
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None or "T" not in value:
        return [
            Finding(
                rule_id,
                requirement,
                f"flux {flux}: _lastUpdated {value!r} is not gt + a full instant with its time zone",
                location="query _lastUpdated",
            )
        ]
    if not now - _OLDEST <= moment <= now + _FUTURE:
        return [
            Finding(
                rule_id,
                requirement,
                f"flux {flux}: _lastUpdated {value!r} is outside the window the IG allows (J-1 nominal, "
                "J-30 at the first connection, never in the future)",
                location="query _lastUpdated",
            )
        ]
    return []


@rule("sdo.flux1", requirement=DEC, summary="flux 1.1: decisions searched by type, _lastUpdated gt and _elements=id")
def judge_document_search(
    query: Sequence[tuple[str, str]], known: set[str], now: datetime | None = None
) -> list[Finding]:
    """Findings on a ``DocumentReference`` search: flux 1.1 (type 57830-2, ``_lastUpdated=gt…``,
    ``_elements=id``) or flux 3.1 (``identifier`` = a known idNat_Decision, type 51848-0)."""
    now = now or datetime.now(UTC)
    flux = search_flux(query)
    if flux == "3.1":
        return judge_evaluation_search(query, known)
    out = []
    if not flux:
        out.append(
            Finding(
                "sdo.flux1.type",
                DEC,
                f"DocumentReference searched with type {_values(query, 'type')}: flux 1.1 asks type=57830-2 "
                "(decisions), flux 3.1 type=51848-0 (evaluation)",
                location="query type",
            )
        )
    out += _last_updated(query, DEC, "1.1", now)
    if _values(query, "_elements") != ["id"]:
        out.append(
            Finding(
                "sdo.flux1.elements",
                DEC,
                f"flux 1.1: _elements {_values(query, '_elements')}; the search asks only the ids (_elements=id), "
                "each decision is then read (flux 1.3)",
                location="query _elements",
            )
        )
    return out


@rule("sdo.flux3", requirement=EVA, summary="flux 3.1: the evaluation searched by the decision's idNat_Decision")
def judge_evaluation_search(query: Sequence[tuple[str, str]], known: set[str]) -> list[Finding]:
    """Flux 3.1: exactly one ``identifier`` whose value is the idNat_Decision of a decision the SdO notified."""
    idents = [v.split("|")[-1] for v in _values(query, "identifier")]
    if len(idents) != 1 or idents[0] not in known:
        return [
            Finding(
                "sdo.flux3.identifier",
                EVA,
                f"flux 3.1: identifier {idents}; the evaluation is searched by the idNat_Decision of its decision "
                f"(known: {sorted(known)})",
                location="query identifier",
            )
        ]
    return []


@rule("sdo.flux5", requirement=NOT, summary="flux 5.1: notifications searched with _lastUpdated=gt[instant]")
def judge_task_search(query: Sequence[tuple[str, str]], now: datetime | None = None) -> list[Finding]:
    """Flux 5.1: ``GET [base]/Task?_lastUpdated=gt[instant]`` (J-1, J-30 at the first connection)."""
    return _last_updated(query, NOT, "5.1", now or datetime.now(UTC))
