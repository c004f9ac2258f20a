"""Held answers: the DMP keeps its answer to a transaction until the harness releases it (bounded).

How the harness tells a DUI that feeds the DMP in the background from one that makes the user wait
(SC.DMP/ALI/PROG.05) without a timed assertion: while the gate of ITI-41 is closed, the DMP receives the
DUI's submission but does not answer it. A DUI sending in the background answers the user's validation
at once, while the gate is still closed; a DUI sending in the foreground cannot answer before the DMP
has, so its validation comes back only once the gate gave up (``bound`` seconds): the gate says so
(``timed_out``). Every held request is answered normally afterwards.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["Gate", "Holds"]


class Gate:
    """One closed gate: requests of its transaction wait for :meth:`release`, at most ``bound`` seconds."""

    def __init__(self, bound: float) -> None:
        self.bound = bound
        self.released = threading.Event()
        self.arrived = threading.Event()
        self.timed_out = False

    def pass_through(self) -> None:
        """Called by the simulator before answering a held request (in a worker thread)."""
        self.arrived.set()
        if not self.released.wait(self.bound):
            self.timed_out = True
            self.released.set()  # given up once: the later requests pass at once

    def release(self) -> None:
        self.released.set()


class Holds:
    """The simulator's closed gates, by transaction (``ITI-41``…)."""

    def __init__(self) -> None:
        self._gates: dict[str, Gate] = {}
        self._lock = threading.Lock()

    def gate(self, operation: str) -> Gate | None:
        with self._lock:
            return self._gates.get(operation)

    @contextmanager
    def holding(self, operation: str, bound: float) -> Iterator[Gate]:
        """Hold the answers to ``operation`` inside the block (released, at the latest, when it ends)."""
        gate = Gate(bound)
        with self._lock:
            self._gates[operation] = gate
        try:
            yield gate
        finally:
            with self._lock:
                self._gates.pop(operation, None)
            gate.release()
