"""Deliveries to an account's IMAP INBOX, handed to pymap when an IMAP session of that account is open.

pymap's in-memory store parses every message it is given (its MIME structure and headers, for
IMAP's FETCH and SEARCH): about a third of the operator's CPU per accepted SMTP message (issue 18),
spent whether or not anybody reads the mailbox. :class:`InboxQueue` keeps the deliveries to an
account without an open IMAP session in arrival order, and hands them to pymap when a session of
that account opens, before the session sees its mailboxes; while a session is open (IDLE, NOOP,
polling), deliveries go to pymap at once. What a client sees is the same — the same messages, the
same order, the same internal dates (the delivery time) and ``\\Recent`` flags — and nothing is
dropped: a pending message is in :class:`~mocks.mssante.mailstore.MailStore` (bounded by its
storage limit, SMTP 452 beyond it) and in the queue until a session takes it.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import datetime

from pymap.backend.dict.mailbox import MailboxSet
from pymap.parsing.message import AppendMessage

__all__ = ["InboxQueue"]


class InboxQueue:
    """The INBOX deliveries of accounts without an open IMAP session; used on the mail event loop only.

    Args:
        mailboxes: an account's pymap folders (created on first use).
    """

    def __init__(self, mailboxes: Callable[[str], Awaitable[MailboxSet]]) -> None:
        self._mailboxes = mailboxes
        self._pending: dict[str, list[AppendMessage]] = {}
        self._sessions: Counter[str] = Counter()
        self._locks: dict[str, asyncio.Lock] = {}

    def pending(self, address: str) -> int:
        """How many deliveries to ``address`` wait for an IMAP session."""
        return len(self._pending.get(address, ()))

    async def deliver(self, address: str, literal: bytes, when: datetime) -> None:
        """Put ``literal`` in the INBOX of ``address``: at once when a session of it is open, else queued."""
        message = AppendMessage(literal, when, frozenset())
        lock = self._lock(address)
        if not self._sessions[address] and not lock.locked():
            self._pending.setdefault(address, []).append(message)  # no await before: arrival order kept
            return
        async with lock:
            await self._flush(address)
            inbox = await (await self._mailboxes(address)).get_mailbox("INBOX")
            await inbox.append(message, recent=True)

    @asynccontextmanager
    async def session(self, address: str) -> AsyncIterator[None]:
        """While an IMAP session of ``address`` is open: its pending deliveries first, then each at once."""
        self._sessions[address] += 1
        try:
            async with self._lock(address):
                await self._flush(address)
            yield
        finally:
            self._sessions[address] -= 1

    def clear(self) -> None:
        """Forget the pending deliveries (the control API's reset of every mailbox)."""
        self._pending.clear()

    def _lock(self, address: str) -> asyncio.Lock:
        lock = self._locks.get(address)
        if lock is None:
            lock = self._locks[address] = asyncio.Lock()
        return lock

    async def _flush(self, address: str) -> None:
        pending = self._pending.pop(address, None)
        if not pending:
            return
        inbox = await (await self._mailboxes(address)).get_mailbox("INBOX")
        for message in pending:
            await inbox.append(message, recent=True)
