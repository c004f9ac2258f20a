"""Helpers of the ``python -m mocks.<service>`` entry points: serve until Ctrl-C or SIGTERM."""

from __future__ import annotations

import signal
import threading
from typing import Protocol

__all__ = ["wait_until_stopped"]


class _Stoppable(Protocol):
    def stop(self) -> None: ...


def wait_until_stopped(*servers: _Stoppable) -> int:
    """Block until Ctrl-C or SIGTERM, then stop ``servers`` (in order); returns exit code 0."""
    stop = threading.Event()
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        for server in servers:
            server.stop()
    return 0
