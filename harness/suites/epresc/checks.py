"""Checks shared by the e-prescription suite's tests."""

from __future__ import annotations

from harness.core.findings import Blocked, Severity
from harness.plugin.evidence import Scenario

__all__ = ["require_retrieval_conformant"]

RET = "EPRESC-RET-01"


def require_retrieval_conformant(scenario: Scenario) -> None:
    """Block a check of what the DUI integrated when its retrieval request broke EPRESC-RET-01.

    A retrieval the teleservice could not serve as asked (wrong resource, identifier form or
    Accept) yields no usable prescription: what the DUI then integrates, reports or administers
    is a consequence of EPRESC-RET-01 (judged on the same exchanges), not a second failure.
    """
    faulty = [
        e.id
        for e in scenario.exchanges
        if e.transaction == "search-type"
        and any(f.severity is Severity.ERROR and f.requirement == RET for f in e.findings)
    ]
    if faulty:
        raise Blocked(
            f"{scenario.name}: the retrieval request was not conformant ({', '.join(faulty)}), so what "
            "the DUI integrated from it cannot be judged on its own",
            (RET,),
        )
