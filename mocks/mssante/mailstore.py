"""What every mailbox of the simulated operator received, queryable by tests (thread-safe).

The IMAP server (pymap) keeps its own copy of each message for the mailbox owner's client;
this store is the operator's journal: every message delivered to every address, kept even
when the DUI expunges it through IMAP ("nothing lost"), bounded in total size.
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass
from datetime import datetime
from email.message import Message
from email.parser import BytesHeaderParser
from email.policy import default as default_policy
from typing import Any

from harness.core.recorder import utcnow

__all__ = ["MailStore", "StorageFull", "StoredMessage", "headers_of"]


class StorageFull(Exception):
    """The operator's storage limit is reached (answered 452 4.3.1)."""


@dataclass(frozen=True)
class StoredMessage:
    """One message as delivered to one mailbox."""

    id: str
    address: str
    sender: str
    raw: bytes
    received: datetime
    message_id: str
    subject: str
    origin: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "address": self.address,
            "sender": self.sender,
            "size": len(self.raw),
            "received": self.received.isoformat(),
            "message_id": self.message_id,
            "subject": self.subject,
            "origin": self.origin,
        }


def headers_of(head: Message) -> tuple[str, str]:
    """``(Message-ID, Subject)`` of a parsed message or header block (policy ``default``)."""
    try:
        return str(head.get("Message-ID", "") or "").strip(), str(head.get("Subject", "") or "")
    except (ValueError, TypeError, IndexError):
        return "", ""


def _headers(raw: bytes) -> tuple[str, str]:
    return headers_of(BytesHeaderParser(policy=default_policy).parsebytes(raw[: 256 * 1024]))


class MailStore:
    """Messages per mailbox address.

    Args:
        max_total_bytes: the operator's storage; a delivery beyond it raises :class:`StorageFull`.
    """

    def __init__(self, max_total_bytes: int = 256 * 1024 * 1024) -> None:
        self.max_total_bytes = max_total_bytes
        self._lock = threading.Lock()
        self._messages: list[StoredMessage] = []
        self._ids = itertools.count(1)
        self._total = 0

    def add(
        self, address: str, sender: str, raw: bytes, *, origin: str, headers: tuple[str, str] | None = None
    ) -> StoredMessage:
        """Keep ``raw`` for ``address``; ``headers``: its ``(Message-ID, Subject)`` when the caller already parsed
        it (:func:`headers_of`; the SMTP path: the operator's checks parsed it), else read here."""
        message_id, subject = headers if headers is not None else _headers(raw)
        with self._lock:
            if self._total + len(raw) > self.max_total_bytes:
                raise StorageFull(f"operator storage of {self.max_total_bytes} bytes is full")
            stored = StoredMessage(
                f"m{next(self._ids):05d}", address.lower(), sender, raw, utcnow(), message_id, subject, origin
            )
            self._messages.append(stored)
            self._total += len(raw)
        return stored

    def messages(self, address: str | None = None, *, message_id: str | None = None) -> list[StoredMessage]:
        with self._lock:
            items = list(self._messages)
        return [
            m
            for m in items
            if (address is None or m.address == address.lower()) and (message_id is None or m.message_id == message_id)
        ]

    def get(self, stored_id: str) -> StoredMessage | None:
        with self._lock:
            return next((m for m in self._messages if m.id == stored_id), None)

    def addresses(self) -> dict[str, int]:
        with self._lock:
            counts: dict[str, int] = {}
            for m in self._messages:
                counts[m.address] = counts.get(m.address, 0) + 1
        return counts

    def clear(self) -> None:
        with self._lock:
            self._messages.clear()
            self._total = 0
