"""Judgements of the same bytes, made once: a small bounded cache keyed by the SHA-256 of the content.

A validator whose result depends only on its input bytes (and on a few hashable arguments) may
keep its latest results here, so that the same attachment sent again — a document copied to
several recipients, a resent message, a load test — is not read again: a PDF's Data Matrix
rendered and decoded once, an IHE_XDM archive and its CDA judged once. The bound is on the
number of entries and on the bytes they hold (by default the size of their input; a caller
whose result holds more — an archive's documents and their parsed trees — says how much); an
entry heavier than the byte bound is never kept, and the oldest entry leaves first.
Thread-safe: the MSSanté simulator judges messages in a thread pool (two threads may compute
the same entry once each; the results are equal).
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

__all__ = ["DigestCache"]

T = TypeVar("T")


class DigestCache(Generic[T]):
    """The results of ``compute(data)`` for the latest distinct ``(sha256(data), *key)``.

    Args:
        entries: the most entries kept.
        max_bytes: the most bytes the kept entries hold (see :meth:`get`).
    """

    def __init__(self, *, entries: int = 32, max_bytes: int = 16 * 1024 * 1024) -> None:
        self.entries = entries
        self.max_bytes = max_bytes
        self._kept: OrderedDict[tuple[Hashable, ...], tuple[int, T]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, data: bytes, compute: Callable[[], T], *key: Hashable, weight: Callable[[T], int] | None = None) -> T:
        """The kept result for ``data`` and ``key``, else ``compute()`` kept (exceptions are not kept);
        ``weight``: the bytes a result holds (default: ``len(data)``)."""
        index = (hashlib.sha256(data).digest(), len(data), *key)
        with self._lock:
            found = self._kept.get(index)
            if found is not None:
                self._kept.move_to_end(index)
                self.hits += 1
                return found[1]
            self.misses += 1
        result = compute()
        size = weight(result) if weight is not None else len(data)
        if size > self.max_bytes:
            return result
        with self._lock:
            if index not in self._kept:
                self._kept[index] = (size, result)
                self._bytes += size
            while len(self._kept) > self.entries or self._bytes > self.max_bytes:
                _, (gone, _) = self._kept.popitem(last=False)
                self._bytes -= gone
        return result

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()
            self._bytes = 0
