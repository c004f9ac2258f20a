"""The end of the operator simulator's event loop: its sessions cancelled, its connections' sockets let go.

When the simulator stops, its listeners are closed, then its open client connections, then every task
still running on its loop (SMTP and IMAP sessions, TLS handshakes) is cancelled. :func:`released` waits
for those events themselves — each cancelled task ended, each closed connection's socket closed — instead
of a fixed pause, bounded by the same ``limit`` (a TLS connection waiting for its peer's ``close_notify``
is left to the loop's end): an idle simulator stops at once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

__all__ = ["RELEASE_LIMIT", "released"]

#: at most this long for the cancelled sessions and the closed sockets (seconds): the former fixed pause
RELEASE_LIMIT = 0.05
#: between two looks at sockets still open (a connection's socket closes on a later turn of the loop)
_TURN = 0.002


def _socket_open(transport: asyncio.BaseTransport) -> bool:
    """Whether ``transport``'s socket is still open (``fileno`` -1 once the loop closed it)."""
    sock = transport.get_extra_info("socket")
    try:
        return sock is not None and sock.fileno() != -1
    except OSError:
        return False


async def released(
    tasks: Iterable[asyncio.Task[object]], transports: Iterable[asyncio.BaseTransport], limit: float = RELEASE_LIMIT
) -> None:
    """Until ``tasks`` (cancelled) ended and ``transports`` (closed) let their sockets go, at most ``limit`` s."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    pending = [t for t in tasks if not t.done()]
    if pending:
        await asyncio.wait(pending, timeout=limit)
    open_ = [t for t in transports if _socket_open(t)]
    while open_ and loop.time() < deadline:
        await asyncio.sleep(min(_TURN, max(0.0, deadline - loop.time())))
        open_ = [t for t in open_ if _socket_open(t)]
