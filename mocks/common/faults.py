"""Fault injection shared by every simulator: force an answer for the next calls.

A fault applies to one operation (or all, with ``operation=None``), for ``times`` calls
(or until cleared, with ``times=None``). Kinds common to every service:

* ``http_status``: answer with this HTTP status (e.g. 503) and a short body;
* ``delay``: wait ``seconds`` before handling the request normally;
* service-specific kinds (``soap_fault``, ``force_result``…) carry their ``params``.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Fault", "FaultPlan"]

COMMON_KINDS = ("http_status", "delay")


@dataclass
class Fault:
    kind: str
    operation: str | None = None
    times: int | None = 1
    params: dict[str, Any] = field(default_factory=dict)

    def describe(self) -> str:
        """How a recorded exchange names the fault applied to it (``Exchange.fault_injected``):
        ``kind``, or ``kind {params}``."""
        return f"{self.kind} {self.params}" if self.params else self.kind

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "operation": self.operation, "times": self.times, "params": self.params}


class FaultPlan:
    """The faults waiting to be applied by one simulator (thread-safe)."""

    def __init__(self, kinds: tuple[str, ...] = ()) -> None:
        self.kinds = COMMON_KINDS + kinds
        self._faults: list[Fault] = []
        self._lock = threading.Lock()

    def add(self, kind: str, operation: str | None = None, times: int | None = 1, **params: Any) -> Fault:
        if kind not in self.kinds:
            raise ValueError(f"unknown fault kind {kind!r}; known: {', '.join(self.kinds)}")
        if times is not None and times < 1:
            raise ValueError("times must be a positive number of calls, or null for every call")
        fault = Fault(kind, operation, times, dict(params))
        with self._lock:
            self._faults.append(fault)
        return fault

    def take(self, operation: str) -> Fault | None:
        """The first fault that applies to ``operation``, consuming one of its uses."""
        with self._lock:
            for fault in self._faults:
                if fault.operation in (None, operation):
                    if fault.times is not None:
                        fault.times -= 1
                        if fault.times == 0:
                            self._faults.remove(fault)
                    return fault
        return None

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def pending(self) -> list[Fault]:
        with self._lock:
            return list(self._faults)
