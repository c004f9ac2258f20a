"""The recorder every simulator shares: each exchange, raw bytes and parsed summary, queryable.

An :class:`Exchange` is one request a DUI sent to a simulated national service and the
answer it got. The simulator tags it with correlation keys (the INS, the traits, a message
id) so that a test can find *its* exchanges, after Inferno's ``tags``. Tests wait for an
exchange with :meth:`Recorder.wait_for` and attach it to the report as evidence.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import shutil
import tempfile
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from harness.core.findings import Finding

__all__ = ["TRUNCATED_KEEP", "Exchange", "HttpMessage", "Recorder"]

_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]")
#: bytes of a body kept once the recorder's byte limit is reached
TRUNCATED_KEEP = 4096


class HttpMessage:
    """One side of an exchange, as it crossed the wire (headers and body, raw bytes).

    A large body may be *spooled*: kept in a file (0600) instead of memory, read back on
    access, so that thousands of large exchanges do not stay resident (issue 17).
    """

    __slots__ = ("_body", "_spool", "headers", "size", "start_line")

    def __init__(self, start_line: str, headers: list[tuple[str, str]], body: bytes) -> None:
        self.start_line = start_line
        self.headers = headers
        self._body: bytes | None = body
        self._spool: Path | None = None
        self.size = len(body)

    @property
    def body(self) -> bytes:
        if self._body is not None:
            return self._body
        assert self._spool is not None
        try:
            return self._spool.read_bytes()
        except OSError:
            return b""  # the spool folder was removed (end of run): the files under reports/ still hold it

    @body.setter
    def body(self, value: bytes) -> None:
        self._body, self._spool, self.size = value, None, len(value)

    @property
    def spooled(self) -> bool:
        return self._spool is not None

    def spool_to(self, path: Path) -> None:
        """Move the body to ``path`` (written 0600) and drop it from memory."""
        if self._body is None:
            return
        _write_private(path, self._body)
        self._spool, self._body = path, None

    def header(self, name: str) -> str | None:
        lname = name.lower()
        for key, value in self.headers:
            if key.lower() == lname:
                return value
        return None

    def raw(self) -> bytes:
        head = "\r\n".join([self.start_line, *(f"{k}: {v}" for k, v in self.headers)])
        return head.encode("latin-1", errors="replace") + b"\r\n\r\n" + self.body

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, HttpMessage):
            return NotImplemented
        return (self.start_line, self.headers, self.body) == (other.start_line, other.headers, other.body)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"HttpMessage({self.start_line!r}, {len(self.headers)} headers, {self.size} bytes)"


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


#: what an exchange costs in memory besides its bodies (headers, summary, findings, the judgements the suites
#: read, their objects), bytes: measured 70-75 kB an exchange under ``serve``'s INSi + ITI-41 load (2026-12-06,
#: ``benchmarks/run.py --only serve``); 4 kB let ``serve`` keep eight times more than its bound (RSS +75 kB an
#: exchange over 2,600 exchanges), 64 kB keeps it flat
EXCHANGE_OVERHEAD = 64 * 1024


class Recorder:
    """Thread-safe store of exchanges, shared by every simulator of a run.

    Bounded (issue 17): bodies larger than ``spool_threshold`` are kept in files, not in memory;
    past ``max_body_bytes`` of bodies over the run, a body keeps only its first
    :data:`TRUNCATED_KEEP` bytes; past ``max_files`` exchanges, no more files are written. Each
    cut is noted on the exchange (``summary["evidence_truncated"]``) and in
    :meth:`truncation_note`, which the run's report prints.

    Args:
        directory: when given, each completed exchange is also written there as
            ``<id>-<service>-<transaction>.request`` / ``.response`` / ``.json`` files (0600).
        limit: exchanges kept in memory at most (oldest dropped first); files are kept.
        spool_threshold: bodies larger than this (bytes) are spooled to a private temporary folder.
        max_body_bytes: bodies kept over the run (memory, spool and files), in bytes.
        max_files: exchanges written to ``directory`` at most.
        memory_bytes: when given, exchanges kept in memory are also bounded by size: the bodies held
            in memory (spooled ones excluded) plus :data:`EXCHANGE_OVERHEAD` each; past it the oldest
            leave memory (their files remain). ``serve`` runs for days: its memory must stay flat
            whatever the size of the exchanges (issue 18), which a count alone does not give.
    """

    def __init__(
        self,
        directory: Path | None = None,
        *,
        limit: int = 10_000,
        spool_threshold: int = 64 * 1024,
        max_body_bytes: int = 256 * 1024 * 1024,
        max_files: int = 50_000,
        memory_bytes: int | None = None,
    ) -> None:
        self._lock = threading.Condition()
        self._exchanges: deque[Exchange] = deque()
        self._ids = itertools.count(1)
        self._limit = limit
        self.spool_threshold = spool_threshold
        self.max_body_bytes = max_body_bytes
        self.max_files = max_files
        self._kept_bytes = 0
        self.memory_bytes = memory_bytes
        self._held: dict[int, int] = {}  # id(exchange) -> bytes it holds in memory (memory_bytes only)
        self._held_total = 0
        self._files = 0
        self.truncated = 0  # bodies cut to their first bytes
        self.unwritten = 0  # exchanges kept in memory only (max_files reached)
        self.dropped = 0  # exchanges dropped from memory (limit reached; their files remain)
        self._spool_dir: Path | None = None
        self.directory = directory
        if directory is not None:
            directory.mkdir(parents=True, exist_ok=True)
            directory.chmod(0o700)  # exchanges hold patient test data and tokens: owner only

    def new_id(self) -> str:
        with self._lock:
            return f"{next(self._ids):05d}"

    def record(self, exchange: Exchange) -> Exchange:
        """Store a completed exchange (bounded, files first), then wake up whoever waits for it."""
        self._bound(exchange)
        if self.directory is not None:
            with self._lock:
                write = self._files < self.max_files
                self._files += 1 if write else 0
                self.unwritten += 0 if write else 1
            if write:
                self._write(exchange)
            else:
                exchange.summary["evidence_truncated"] = {
                    **exchange.summary.get("evidence_truncated", {}),
                    "files": f"not written: the recorder's limit of {self.max_files} exchange files was reached",
                }
        self._spool(exchange)
        with self._lock:
            self._exchanges.append(exchange)
            excess = len(self._exchanges) - self._limit
            if self.memory_bytes is not None:
                excess = max(excess, self._hold(exchange))
            if excess > 0:
                self.dropped += excess
                for _ in range(excess):  # a deque: dropping the oldest moves nothing (a list moved all 10,000)
                    old = self._exchanges.popleft()
                    self._held_total -= self._held.pop(id(old), 0)
            self._lock.notify_all()
        return exchange

    def _hold(self, exchange: Exchange) -> int:
        """Account for ``exchange`` in memory; how many of the oldest must leave to stay under ``memory_bytes``."""
        assert self.memory_bytes is not None
        held = EXCHANGE_OVERHEAD + sum(
            m.size for m in (exchange.request, exchange.response) if m is not None and not m.spooled
        )
        self._held[id(exchange)] = held
        self._held_total += held
        total, excess = self._held_total, 0
        while total > self.memory_bytes and excess < len(self._exchanges) - 1:
            total -= self._held.get(id(self._exchanges[excess]), 0)
            excess += 1
        return excess

    def _bound(self, exchange: Exchange) -> None:
        """Cut a body to its first bytes once ``max_body_bytes`` of bodies were kept over the run."""
        for side, message in (("request", exchange.request), ("response", exchange.response)):
            if message is None:
                continue
            size = message.size
            with self._lock:
                cut = self._kept_bytes + size > self.max_body_bytes
                self._kept_bytes += min(size, TRUNCATED_KEEP) if cut else size
                self.truncated += 1 if cut else 0
            if cut:
                message.body = message.body[:TRUNCATED_KEEP]
                exchange.summary.setdefault("evidence_truncated", {})[side] = (
                    f"preuve tronquée / evidence truncated: {size} bytes received, the first {TRUNCATED_KEEP} "
                    f"kept (recorder limit of {self.max_body_bytes} bytes of bodies per run reached)"
                )

    def _spool(self, exchange: Exchange) -> None:
        for side, message in (("request", exchange.request), ("response", exchange.response)):
            if message is None or message.size <= self.spool_threshold or message.spooled:
                continue
            with self._lock:
                if self._spool_dir is None:
                    self._spool_dir = Path(tempfile.mkdtemp(prefix="dui-harness-spool-"))  # 0700
                    weakref.finalize(self, shutil.rmtree, self._spool_dir, True)
                folder = self._spool_dir
            message.spool_to(folder / f"{_SAFE_NAME.sub('_', exchange.id)}.{side}")

    def truncation_note(self) -> str | None:
        """One bilingual line when evidence was cut or not written during the run, else None."""
        parts = []
        if self.truncated:
            parts.append(
                f"{self.truncated} body(ies) truncated to {TRUNCATED_KEEP} bytes "
                f"(limit {self.max_body_bytes} bytes of bodies)"
            )
        if self.unwritten:
            parts.append(f"{self.unwritten} exchange(s) not written to files (limit {self.max_files})")
        if self.dropped:
            bound = f"{self._limit} exchanges" + (f" or {self.memory_bytes} bytes" if self.memory_bytes else "")
            parts.append(f"{self.dropped} exchange(s) dropped from memory (limit {bound}; files kept)")
        if not parts:
            return None
        return "preuves tronquées / evidence truncated: " + "; ".join(parts)

    def _write(self, exchange: Exchange) -> None:
        assert self.directory is not None
        # Not Path.with_suffix: a transaction such as "ITI-41.b" or "urn:...:1.0.0" would lose its
        # tail; characters a file system may refuse are replaced.
        stem = _SAFE_NAME.sub("_", f"{exchange.id}-{exchange.service}-{exchange.transaction}")
        _write_private(self.directory / f"{stem}.request", exchange.request.raw())
        if exchange.response is not None:
            _write_private(self.directory / f"{stem}.response", exchange.response.raw())
        _write_private(
            self.directory / f"{stem}.json",
            json.dumps(exchange.as_dict(), indent=2, ensure_ascii=False).encode("utf-8"),
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


def _write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` readable and writable by its owner only (0600)."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        os.fchmod(handle.fileno(), 0o600)
        handle.write(data)


def utcnow() -> datetime:
    return datetime.now(UTC)
