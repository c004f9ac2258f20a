"""Root causes on the identity side, shared by the suites that need a qualified person first.

The DMP, MSSanté, e-parcours and e-prescription scenarios start by having the DUI qualify a
person (identity document checked, INSi 00). When that fails because of an INS requirement
(INSi refused the DUI's requests, or the DUI stored the INS with an invalid key), what those
scenarios then observe is a consequence: their checks are *blocked* by the INS requirement,
named, not failed a second time.
"""

from __future__ import annotations

from typing import Any

from harness.core.findings import Blocked, Severity
from harness.core.ins import parse_ins
from harness.core.recorder import Exchange, Recorder

__all__ = ["identity_blockers", "require_qualified"]


def identity_blockers(identity: dict[str, Any] | None, insi: list[Exchange]) -> tuple[tuple[str, ...], str]:
    """The INS requirements that keep this person from a usable qualified identity, and why (empty: none)."""
    identity = identity or {}
    ins = identity.get("ins") or {}
    value = str(ins.get("value") or "")
    answers = [e.summary for e in insi if e.summary.get("cr") == "00" and e.summary.get("ins")]
    if identity.get("status") == "QUAL" and value:
        try:
            valid = parse_ins(value, str(ins.get("oid") or "")).key_is_valid
        except ValueError:
            valid = False
        if not valid:
            return ("INS-KEY-01",), (
                f"the DUI qualified the person with INS {value}, whose key is invalid: every "
                "exchange naming that INS (mailbox, DMP, documents) is built on a wrong INS"
            )
        active = str(answers[-1]["ins"]) if answers else value
        if value != active:
            history = [str(h.get("ins")) if isinstance(h, dict) else str(h) for h in answers[-1].get("history") or []]
            blocking = "INS-HIST-01" if value in history else "INS-RES-01"
            return (blocking,), (
                f"the DUI holds INS {value} where INSi returned the active INS {active}: every "
                "exchange naming the person uses another INS"
            )
        return (), ""
    refused = sorted(
        {
            f.requirement
            for e in insi
            for f in e.findings
            if f.severity is Severity.ERROR and f.requirement.startswith("INS-")
        }
    )
    if refused and not answers:
        return tuple(refused), (
            "INSi refused the DUI's requests, so the person could not be qualified: nothing "
            "that needs a qualified identity can be judged"
        )
    if insi and not answers and all(e.summary.get("cr") in ("01", "02") for e in insi):
        return ("INS-INSI-06",), (
            "INSi found no single identity with the DUI's queries for a person it knows (the "
            "strategy retries each birth first name): the person could not be qualified"
        )
    return (), ""


def require_qualified(recorder: Recorder, since: str, identity: dict[str, Any] | None, who: str) -> None:
    """Block the scenario when its person is not usably qualified because of an INS requirement."""
    blocking, why = identity_blockers(identity, recorder.exchanges(service="INS", since=since))
    if blocking:
        raise Blocked(f"{who}: {why}", blocking)
