"""pymap's IMAP connection with the bounds of :class:`~mocks.common.limits.Limits` (issue 17).

pymap 0.36.7 reads a LITERAL+ ``{N+}`` of any size before authentication, waits forever for
a silent client and turns a parser ``RecursionError`` (10,000 nested parentheses in SEARCH)
into ``BYE [SERVERBUG]``. :class:`GuardedImapConnection` keeps pymap's command cycle and adds:

- an idle timeout on every read (``* BYE [UNAVAILABLE]`` then close, RFC 3501 §5.4 autologout),
  the longer ``imap_idle_timeout`` while the client is in IDLE (RFC 2177, issue 13);
- a literal bound checked on the announced size, before a byte of it is read: 64 KiB before
  authentication, the APPEND limit after, and a bound on a whole command (``* BYE [TOOBIG]``:
  a LITERAL+ client sends the bytes without waiting, so the connection cannot continue);
- an over-long line answered the same way instead of a stream error;
- a parenthesis depth bound checked on the raw line before parsing (tagged ``BAD``).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from typing import Any

from pymap.imap import IMAPConnection
from pymap.parsing.command import Command
from pymap.parsing.commands import InvalidCommand
from pymap.parsing.exceptions import NotParseable
from pymap.parsing.response import ResponseBye, ResponseCode
from pymap.parsing.state import ParsingInterrupt, ParsingState

from mocks.common.limits import DEFAULT_LIMITS, LimitExceeded, Limits

__all__ = ["GuardedImapConnection", "paren_depth"]

_TAG = re.compile(rb"[^\s(){%*\"\\\]]+")
_LITERAL_PLUS = re.compile(rb"[~]?{(\d{1,20})\+}\r?\n$")


def paren_depth(line: bytes | memoryview, stop_at: int) -> int:
    """Deepest parenthesis nesting of ``line`` (quoted strings are not skipped: an upper bound)."""
    depth = deepest = 0
    for byte in bytes(line):
        if byte == 0x28:
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > stop_at:
                    return deepest
        elif byte == 0x29 and depth:
            depth -= 1
    return deepest


class _TooDeep(InvalidCommand):
    """A command refused before parsing: its parentheses nest deeper than the limit."""

    def __init__(self, params: Any, limit: int) -> None:
        super().__init__(params, NotParseable(memoryview(b"")))
        self.limit = limit

    @property
    def message(self) -> bytes:
        return b"Parentheses nested deeper than %d levels / parentheses trop imbriquees." % self.limit


class _Refused(InvalidCommand):
    """A command refused with a precise reason (tagged ``BAD``)."""

    def __init__(self, params: Any, reason: str) -> None:
        super().__init__(params, NotParseable(memoryview(b"")))
        self.reason = reason

    @property
    def message(self) -> bytes:
        return self.reason.encode("ascii", "replace")


class GuardedImapConnection(IMAPConnection):
    """One IMAP connection, bounded in time and memory; ``limits`` default to the shared ones."""

    limits: Limits = DEFAULT_LIMITS
    #: called with ``(peer, exception)`` when a STARTTLS handshake fails
    on_tls_failure: Callable[[Any, BaseException], object] | None = None

    _idling = False

    def _literal_limit(self, authenticated: bool) -> int:
        if not authenticated:
            return self.limits.imap_literal_unauthenticated
        return max(self.params.max_append_len or 0, self.limits.imap_command_bytes)

    async def _read(self, reading: Any) -> bytes:
        try:
            timeout = self.limits.imap_idle_timeout if self._idling else self.limits.idle_timeout
            data: bytes = await asyncio.wait_for(reading, timeout)
        except TimeoutError:
            await self._bye(b"UNAVAILABLE", b"Idle timeout, disconnecting / inactivite, deconnexion.")
            raise EOFError() from None
        except (ValueError, asyncio.LimitOverrunError):  # a line longer than the stream's buffer
            await self._bye(b"TOOBIG", b"Line too long / ligne trop longue.")
            raise EOFError() from None
        return data

    async def _bye(self, code: bytes, text: bytes) -> None:
        await self.write_response(ResponseBye(text, ResponseCode.of(code)))

    async def readline(self) -> memoryview:
        authenticated = getattr(self, "_authenticated", False)
        buf = bytearray(await self._read(self.reader.readline()))
        while True:
            if not buf.endswith(b"\n"):
                raise EOFError()
            match = _LITERAL_PLUS.search(buf[-32:]) if buf.endswith((b"+}\n", b"+}\r\n")) else None
            if match is None:
                return memoryview(buf)
            size = int(match.group(1))
            limit = self._literal_limit(authenticated)
            if size > limit or len(buf) + size > limit + self.limits.imap_command_bytes:
                error = LimitExceeded("IMAP literal bytes", limit, size)
                await self._bye(b"TOOBIG", str(error).encode("ascii", "replace"))
                raise EOFError()
            buf += await self._read(self.reader.readexactly(size))
            buf += await self._read(self.reader.readline())

    async def read_continuation(self, literal_length: int) -> memoryview:
        limit = self._literal_limit(getattr(self, "_authenticated", False))
        if literal_length > limit:
            error = LimitExceeded("IMAP literal bytes", limit, literal_length)
            await self._bye(b"TOOBIG", str(error).encode("ascii", "replace"))
            raise EOFError()
        literal = await self._read(self.reader.readexactly(literal_length))
        line = await self.readline()
        return memoryview(literal + bytes(line))

    async def read_idle_done(self, cmd: Any) -> bool:
        """The ``DONE`` that ends IDLE, awaited with the IDLE timeout (RFC 2177 §3)."""
        self._idling = True
        try:
            done: bool = await super().read_idle_done(cmd)
        finally:
            self._idling = False
        return done

    async def read_command(self, state: Any) -> Command:
        """pymap's ``read_command``, with the depth bound before parsing and recursion answered BAD."""
        self._authenticated = getattr(state, "_session", None) is not None
        line = await self.readline()
        limit = self.limits.imap_paren_depth
        tag = _TAG.match(line)
        too_deep = _TooDeep(self.params.copy(tag=tag.group(0) if tag else b"*"), limit)
        if paren_depth(line, limit) > limit:
            return too_deep
        continuations: list[memoryview] = []
        while True:
            params = self.params.copy(ParsingState(continuations=continuations))
            try:
                command, _ = self.commands.parse(line, params)
            except ParsingInterrupt as interrupt:
                announced = getattr(interrupt.expected, "literal_length", 0)
                limit = self._literal_limit(self._authenticated)
                if announced > limit:  # a synchronising literal: refused before the client sends it
                    return _Refused(
                        params.copy(tag=too_deep.tag), str(LimitExceeded("IMAP literal bytes", limit, announced))
                    )
                await self._interrupt(state, interrupt, continuations)
            except RecursionError:  # nesting hidden in literals: still a BAD, never a SERVERBUG
                return too_deep
            else:
                return command

    async def start_tls(self) -> None:
        """STARTTLS; a failed handshake is reported to ``on_tls_failure`` (recorded) before it ends the session."""
        try:
            await super().start_tls()
        except (OSError, EOFError) as exc:  # ssl.SSLError and ConnectionError are OSErrors
            if self.on_tls_failure is not None:
                self.on_tls_failure(self.writer.get_extra_info("peername"), exc)
            raise
