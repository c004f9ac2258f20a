"""What the automatic-feeding scenarios look for in the DMP simulator's recording."""

from __future__ import annotations

import time
from collections.abc import Callable

from harness.core.findings import Severity
from harness.core.recorder import Exchange, Recorder

__all__ = ["accepted", "after", "answered_for", "attempted", "faulty", "refused", "until_attempts_pause"]


def accepted(found: list[Exchange], ins: str, document_id: str | None) -> list[Exchange]:
    """The ITI-41 of ``found`` the DMP accepted for ``ins`` (registering ``document_id`` when it is known)."""
    return [
        e
        for e in found
        if e.transaction == "ITI-41"
        and e.tags.get("ins") == ins
        and e.summary.get("status") == "Success"
        and (not document_id or any(r.get("unique_id") == document_id for r in e.summary.get("registered") or []))
    ]


def refused(found: list[Exchange]) -> list[Exchange]:
    """The ITI-41 of ``found`` the DMP itself refused (not an injected outage): a failure of another check."""
    return [
        e
        for e in found
        if e.transaction == "ITI-41" and e.fault_injected is None and e.summary.get("status") != "Success"
    ]


def faulty(found: list[Exchange]) -> list[Exchange]:
    """The exchanges of ``found`` the DMP refused as non-conformant (security context, metadata…): an error
    answer or a Failure with ERROR findings (a call only flagged, e.g. a TD0.3 answered, is not one)."""
    return [
        e
        for e in found
        if (e.summary.get("rejected") or e.summary.get("status") == "Failure")
        and any(f.severity is Severity.ERROR for f in e.findings)
    ]


def attempted(found: list[Exchange]) -> bool:
    """Predicate: the DUI tried an ITI-41, or the DMP judged one of its calls non-conformant (it may never try)."""
    return any(e.transaction == "ITI-41" for e in found) or bool(faulty(found))


def answered_for(ins: str, document_id: str | None) -> Callable[[list[Exchange]], bool]:
    """Predicate for :meth:`~harness.core.recorder.Recorder.wait_for`: the DMP accepted such an ITI-41, or
    refused one of the DUI's, or judged one of its calls non-conformant (waiting longer would change nothing)."""
    return lambda found: bool(accepted(found, ins, document_id) or refused(found) or faulty(found))


def after(exchange_id: str, mark: str) -> bool:
    """``exchange_id`` was recorded after ``mark`` (ids grow in length past 99999)."""
    return (len(exchange_id), exchange_id) > (len(mark), mark)


def until_attempts_pause(recorder: Recorder, since: str, *, quiet: float, limit: float) -> list[Exchange]:
    """The DUI's ITI-41 since ``since``, once they pause: none new for ``quiet`` seconds (``limit`` at most).

    Woken by each recorded exchange (:meth:`~harness.core.recorder.Recorder.wait_for`), no polling: the
    outage lasts until the DUI has given up its immediate attempts and must hold the order (SC.DMP/ALI/PROG.06).
    """
    deadline = time.monotonic() + limit
    found = recorder.exchanges(service="DMP", transaction="ITI-41", since=since)
    while (remaining := deadline - time.monotonic()) > 0:
        count = len(found)
        found = recorder.wait_for(
            _more_than(count),
            service="DMP",
            transaction="ITI-41",
            since=since,
            timeout=min(quiet, remaining),
        )
        if len(found) <= count:
            break
    return found


def _more_than(count: int) -> Callable[[list[Exchange]], bool]:
    return lambda found: len(found) > count
