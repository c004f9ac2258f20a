"""The recorder every simulator shares: each exchange, raw bytes and parsed summary, queryable.

An :class:`Exchange` is one request a DUI sent to a simulated national service and the
answer it got. The simulator tags it with correlation keys (the INS, the traits, a message
id) so that a test can find *its* exchanges, after Inferno's ``tags``. Tests wait for an
exchange with :meth:`Recorder.wait_for` and attach it to the report as evidence.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from harness.core.findings import Finding

__all__ = ["Exchange", "HttpMessage", "Recorder"]

_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]")


@dataclass
class HttpMessage:
    """One side of an exchange, as it crossed the wire (headers and body, raw bytes)."""

    start_line: str
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        lname = name.lower()
        for key, value in self.headers:
            if key.lower() == lname:
                return value
        return None

    def raw(self) -> bytes:
        head = "\r\n".join([self.start_line, *(f"{k}: {v}" for k, v in self.headers)])
        return head.encode("latin-1", errors="replace") + b"\r\n\r\n" + self.body


@dataclass
class Exchange:
    """One request received by a simulator and the response it returned."""

    id: str
    service: str
    transaction: str
    started: datetime
    request: HttpMessage
    response: HttpMessage | None = None
    duration_ms: float = 0.0
    peer: str = ""
    tls_client_subject: str | None = None
    summary: dict[str, Any] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    fault_injected: str | None = None
    claimed: bool = False
    #: what the validators concluded about this exchange, by kind (``"xds"``: the ITI-41 report), so that
    #: the simulator's answer and the suites' verdicts share one result; not written to files
    judgements: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def title(self) -> str:
        return f"{self.service} {self.transaction} #{self.id}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "service": self.service,
            "transaction": self.transaction,
            "started": self.started.isoformat(),
            "duration_ms": round(self.duration_ms, 3),
            "peer": self.peer,
            "tls_client_subject": self.tls_client_subject,
            "summary": self.summary,
            "tags": self.tags,
            "fault_injected": self.fault_injected,
            "status": self.response.start_line if self.response else None,
            "findings": [f.as_dict() for f in self.findings],
        }


class Recorder:
    """Thread-safe store of exchanges, shared by every simulator of a run.

    Args:
        directory: when given, each completed exchange is also written there as
            ``<id>-<service>-<transaction>.request`` / ``.response`` / ``.json`` files.
        limit: exchanges kept in memory at most (oldest dropped first); files are kept.
    """

    def __init__(self, directory: Path | None = None, *, limit: int = 10_000) -> None:
        self._lock = threading.Condition()
        self._exchanges: list[Exchange] = []
        self._ids = itertools.count(1)
        self._limit = limit
        self.directory = directory
        if directory is not None:
            directory.mkdir(parents=True, exist_ok=True)

    def new_id(self) -> str:
        with self._lock:
            return f"{next(self._ids):05d}"

    def record(self, exchange: Exchange) -> Exchange:
        """Store a completed exchange (files first), then wake up whoever waits for it."""
        if self.directory is not None:
            self._write(exchange)
        with self._lock:
            self._exchanges.append(exchange)
            if len(self._exchanges) > self._limit:
                del self._exchanges[: len(self._exchanges) - self._limit]
            self._lock.notify_all()
        return exchange

    def _write(self, exchange: Exchange) -> None:
        assert self.directory is not None
        # Not Path.with_suffix: a transaction such as "ITI-41.b" or "urn:...:1.0.0" would lose its
        # tail; characters a file system may refuse are replaced.
        stem = _SAFE_NAME.sub("_", f"{exchange.id}-{exchange.service}-{exchange.transaction}")
        (self.directory / f"{stem}.request").write_bytes(exchange.request.raw())
        if exchange.response is not None:
            (self.directory / f"{stem}.response").write_bytes(exchange.response.raw())
        (self.directory / f"{stem}.json").write_text(
            json.dumps(exchange.as_dict(), indent=2, ensure_ascii=False), encoding="utf-8"
        )

    def exchanges(
        self,
        service: str | None = None,
        transaction: str | None = None,
        since: str | None = None,
        **tags: str,
    ) -> list[Exchange]:
        """Recorded exchanges matching every given criterion, oldest first.

        Args:
            service: e.g. ``"INS"``.
            transaction: e.g. ``"rechercherInsAvecTraitsIdentite"``.
            since: only exchanges with an id greater than this one (see :meth:`mark`).
            tags: correlation keys that must all match (``birth_name="ADRUN"``).
        """
        with self._lock:
            items = list(self._exchanges)
        return [e for e in items if _matches(e, service, transaction, since, tags)]

    def mark(self) -> str:
        """An id to pass as ``since`` to see only what happens from now on."""
        with self._lock:
            return self._exchanges[-1].id if self._exchanges else "00000"

    def wait_for(
        self,
        predicate: Callable[[list[Exchange]], bool] | None = None,
        /,
        *,
        service: str | None = None,
        transaction: str | None = None,
        since: str | None = None,
        timeout: float = 30.0,
        **tags: str,
    ) -> list[Exchange]:
        """Block until matching exchanges exist (and ``predicate`` holds on them), or time out.

        ``predicate`` is positional-only, so that any tag name can be passed as a keyword
        (``**tags`` from a dict type-checks).

        Returns the matching exchanges, possibly empty when the timeout ran out.
        """
        deadline = time.monotonic() + timeout
        check = predicate or (lambda found: bool(found))
        with self._lock:
            while True:
                found = [e for e in self._exchanges if _matches(e, service, transaction, since, tags)]
                if check(found):
                    return found
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return found
                self._lock.wait(min(remaining, 0.5))

    def unclaimed(self) -> list[Exchange]:
        """Exchanges that no test looked at (reported at the end of a run)."""
        with self._lock:
            return [e for e in self._exchanges if not e.claimed]

    def __iter__(self) -> Iterator[Exchange]:
        with self._lock:
            return iter(list(self._exchanges))

    def __len__(self) -> int:
        with self._lock:
            return len(self._exchanges)


def _matches(
    exchange: Exchange, service: str | None, transaction: str | None, since: str | None, tags: dict[str, str]
) -> bool:
    if service is not None and exchange.service != service:
        return False
    if transaction is not None and exchange.transaction != transaction:
        return False
    if since is not None and _id_order(exchange.id) <= _id_order(since):
        return False
    return all(exchange.tags.get(k) == v for k, v in tags.items())


def _id_order(exchange_id: str) -> tuple[int, str]:
    """Sort key of an id: ``"100000"`` comes after ``"99999"`` (plain string order says before)."""
    return len(exchange_id), exchange_id


def utcnow() -> datetime:
    return datetime.now(UTC)
