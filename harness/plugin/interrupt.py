"""Ctrl-C during a conformance run: the test under way ends, then the run stops; its reports are always written.

A ``KeyboardInterrupt`` raised at an arbitrary point lands inside whatever is running — a fixture, a
simulator callback, another plugin's hook (allure's teardowns turn it into a warning, which the suites'
``filterwarnings = error`` then turns into an *error* of the test under way). A DUI would then be charged
with an error it never made, or the session would end in an internal error. So:

* while tests run, the first SIGINT only asks the session to stop after the current test
  (``session.shouldstop``): every observed verdict stays exact, the tests not run are *not judged*, the run
  is marked interrupted; a second SIGINT stops the test under way at once (pytest's own interruption);
* while the session ends (simulators stopped, reports written — bounded work), a SIGINT is only
  acknowledged, so that what was observed is not lost; one more abandons the reports. ``dui-harness run``
  extends that end (:func:`reports_held`) until it has written the evidence bundle and the Allure report.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager, nullcontext
from types import FrameType
from typing import Any

import pytest

from harness.plugin.state import STATE

#: the reason pytest prints when the session stops
INTERRUPTED = "exécution interrompue / run interrupted (Ctrl-C)"
ASKED = (
    "dui-harness: interruption demandée, le test en cours se termine puis l'exécution s'arrête (Ctrl-C à nouveau "
    "pour arrêter tout de suite) / interruption requested: the current test ends, then the run stops (Ctrl-C "
    "again to stop at once)"
)
FINISHING = (
    "dui-harness: les rapports et le dossier de preuves s'écrivent (Ctrl-C à nouveau pour les abandonner) / "
    "writing the reports and the evidence bundle (Ctrl-C again to abandon them)"
)
_PREVIOUS = pytest.StashKey[Any]()
#: set by :func:`reports_held`: the session's end-of-run handler stays until the caller is done
_hold = False
#: the SIGINT handler :func:`reports_held` gives back when it is done
_held: list[Any] = []


def _say(session: pytest.Session, message: str) -> None:
    """On the terminal, never into the output pytest captures for the test under way."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is None:
        return
    capture = session.config.pluginmanager.get_plugin("capturemanager")
    with capture.global_and_fixture_disabled() if capture is not None else nullcontext():
        reporter.write_line("")
        reporter.write_line(message, yellow=True, bold=True)
        reporter.flush()


def _owns_sigint() -> bool:
    return threading.current_thread() is threading.main_thread()


def _handle(handler: Callable[[int, FrameType | None], None]) -> None:
    signal.signal(signal.SIGINT, handler)


def install(session: pytest.Session) -> None:
    """Defer the first SIGINT of a conformance session to the end of the current test.

    Only in the main thread, and only when SIGINT still has Python's default handler (an embedding
    program that handles SIGINT itself keeps its own handler)."""
    if not _owns_sigint() or signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        return

    def on_sigint(signum: int, frame: FrameType | None) -> None:
        _handle(signal.default_int_handler)  # a second Ctrl-C stops the test under way at once
        session.config.stash[STATE].interrupted = True
        session.shouldstop = INTERRUPTED
        _say(session, ASKED)

    session.config.stash[_PREVIOUS] = signal.getsignal(signal.SIGINT)
    _handle(on_sigint)


def finishing(session: pytest.Session) -> None:
    """The session is ending: acknowledge one SIGINT without abandoning the reports."""
    if _PREVIOUS not in session.config.stash or not _owns_sigint():
        return

    def on_sigint(signum: int, frame: FrameType | None) -> None:
        _handle(signal.default_int_handler)  # every test has ended: the run is not interrupted, only hurried
        _say(session, FINISHING)

    _handle(on_sigint)


def uninstall(session: pytest.Session) -> None:
    """Give SIGINT back its handler of before the session (or hand it to :func:`reports_held`)."""
    if _PREVIOUS not in session.config.stash or not _owns_sigint():
        return
    previous = session.config.stash[_PREVIOUS]
    del session.config.stash[_PREVIOUS]
    if _hold:
        _held.append(previous)
    else:
        signal.signal(signal.SIGINT, previous)


@contextmanager
def reports_held() -> Iterator[None]:
    """Keep the session's end-of-run Ctrl-C policy until the block ends (``dui-harness run`` writes its
    evidence bundle and Allure report after the pytest session): one Ctrl-C is acknowledged, a second
    abandons what is left to write."""
    global _hold
    _hold = True
    try:
        yield
    finally:
        _hold = False
        if _held and _owns_sigint():
            signal.signal(signal.SIGINT, _held.pop())
        _held.clear()


def pytest_collection_finish(session: pytest.Session) -> None:
    state = session.config.stash.get(STATE, None)
    if state is not None and state.active:
        install(session)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_sessionfinish(session: pytest.Session) -> Generator[None, Any, Any]:
    """Around the whole end of the session (fixture teardowns, then the reports)."""
    finishing(session)
    try:
        return (yield)
    finally:
        uninstall(session)
