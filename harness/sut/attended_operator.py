"""The person at the DUI's screen in attended mode: numbered steps, questions, countdowns, live feedback.

Works in a plain terminal (SSH included, no curses): a countdown redrawn with ``\\r`` on a
terminal, a line every 30 s otherwise. While the harness waits for the DUI's exchange, each
exchange reaching any simulator is shown as it arrives (operation, status, one line per
finding), then whether it satisfied the step. The operator can end the wait (Enter: judge
what arrived), skip the step (→ *not judged*), stop the run (every step left → not judged),
and, when the time is out, retry. Every step, answer and outcome is appended to a journal
(``<reports>/attended/journal.jsonl``) carried by the evidence bundle.
"""

from __future__ import annotations

import functools
import inspect
import json
import os
import select
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, is_dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO, TypeVar, cast

from harness.errors import HarnessError
from harness.sut.traffic import Palette, exchange_line, finding_lines

if TYPE_CHECKING:
    from harness.core.recorder import Exchange, Recorder

__all__ = ["Operator", "OperatorNoAnswer", "OperatorStopped", "step"]

F = TypeVar("F", bound=Callable[..., Any])
PROMPT = "    réponse / answer > "
CHOICES = "[Entrée/Enter] fini, juger / done, judge · [s] passer / skip · [q] arrêter / stop"


class OperatorNoAnswer(HarnessError):
    """The operator did not answer in time, or skipped the step: the input is missing, the check is skipped."""


class OperatorStopped(OperatorNoAnswer):
    """The operator stopped the run: this step and every later one are not judged."""


def _plain(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value if isinstance(value, str | int | float | bool | type(None)) else str(value)


def step(operation: str) -> Callable[[F], F]:
    """Make a driver method one numbered step of the operator (nested calls belong to the outer step)."""

    def wrap(method: F) -> F:
        signature = inspect.signature(method)

        @functools.wraps(method)
        def inner(self: Any, *args: Any, **kwargs: Any) -> Any:
            operator: Operator = self.operator
            if operator.stopped:
                raise OperatorStopped("arrêt demandé par l'opérateur / the operator stopped the run")
            if operator.depth:
                return method(self, *args, **kwargs)
            bound = signature.bind(self, *args, **kwargs)
            bound.apply_defaults()
            named = {k: _plain(v) for k, v in list(bound.arguments.items())[1:]}
            operator.begin_step(operation, named, self.recorder)
            operator.depth += 1
            try:
                result = method(self, *args, **kwargs)
            except OperatorStopped:
                operator.end_step("stopped")
                raise
            except OperatorNoAnswer as exc:
                operator.end_step("not-judged", str(exc))
                raise
            finally:
                operator.depth -= 1
            operator.end_step("done")
            return result

        return cast(F, inner)

    return wrap


class Operator:
    """Talks to the person at the DUI's screen through a terminal (or given streams).

    Args:
        out, inp: the terminal (default: standard output and input).
        timeout: seconds a question waits for its answer.
        journal: JSON Lines file recording each step, answer and outcome (None: not kept).
    """

    def __init__(
        self, out: TextIO | None = None, inp: TextIO | None = None, timeout: float = 300.0, journal: Path | None = None
    ) -> None:
        self.out = out or sys.stdout
        self.inp = inp or sys.stdin
        self.timeout = timeout
        self.journal = journal
        self.paint = Palette.for_stream(self.out)
        self.tty = self.paint.enabled or bool(getattr(self.out, "isatty", lambda: False)())
        self.stopped = False
        self.depth = 0
        self.steps = 0
        #: (index, total, test id) of the test being run, set by the plugin
        self.progress: tuple[int, int, str] | None = None
        self._since = "00000"
        self._eof = False

    # -- journal -----------------------------------------------------------------------------
    def record(self, event: str, **data: Any) -> None:
        if self.journal is None:
            return
        self.journal.parent.mkdir(parents=True, exist_ok=True)
        line = {"event": event, "time": datetime.now(UTC).isoformat(), "step": self.steps, **data}
        data_line = (json.dumps(line, ensure_ascii=False, default=str) + "\n").encode("utf-8")
        # one append of the whole line (O_APPEND): a reader following the journal sees whole lines, never two
        # events interleaved; the last line may still be read while it is written (readers skip an unended one)
        fd = os.open(self.journal, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, data_line)
        finally:
            os.close(fd)

    # -- talking -----------------------------------------------------------------------------
    def write(self, text: str) -> None:
        self.out.write(text)
        self.out.flush()

    def say(self, french: str, english: str) -> None:
        self.write(f"\n>>> {french}\n    {self.paint('dim', english)}\n")
        self.record("instruction", french=french, english=english)

    def _readline(self, timeout: float, *, waiting: bool = False) -> str | None:
        """One line typed within ``timeout`` seconds; None when nothing came (or the input is closed).

        ``waiting``: polled during a wait, where an input that cannot be polled (not a terminal
        or pipe, or at its end) is not read: the wait just goes on for ``timeout`` seconds.
        """
        if self.inp.closed or self._eof:
            if waiting:
                time.sleep(timeout)
            return None
        try:
            ready, _, _ = select.select([self.inp], [], [], timeout)
        except (ValueError, OSError, TypeError, AttributeError):
            if waiting:
                time.sleep(timeout)
                return None
            ready = [self.inp]  # not a real file (tests): read directly
        if not ready:
            return None
        line = self.inp.readline()
        if not line:
            self._eof = True
            return None
        return line.strip()

    def ask(self, french: str, english: str) -> str:
        self.say(french, english)
        self.write(PROMPT)
        answer = self._readline(self.timeout)
        if answer is None:
            self.write("\n")
            self.record("no-answer", question=french)
            raise OperatorNoAnswer(
                f"pas de réponse de l'opérateur / no answer from the operator within {self.timeout:.0f} s"
            )
        self.record("answer", question=french, answer=answer)
        return answer

    # -- steps -------------------------------------------------------------------------------
    def begin_step(self, operation: str, args: dict[str, Any], recorder: Recorder) -> None:
        self.steps += 1
        self._since = recorder.mark()
        where = ""
        if self.progress is not None:
            index, total, test = self.progress
            where = f" · test {index}/{total} · {test}"
        self.record("step", operation=operation, args=args, test=self.progress[2] if self.progress else None)
        self.write("\n" + self.paint("cyan", f"── étape / step {self.steps}{where} ──") + "\n")

    def end_step(self, outcome: str, reason: str = "") -> None:
        self.record("outcome", outcome=outcome, reason=reason)

    def verdict(self, test: str, outcome: str, reason: str = "") -> None:
        """After each test: what the steps led to, so that the operator sees the effect at once."""
        colour, label = {
            "pass": ("green", "✓ conforme / pass"),
            "passed": ("green", "✓ conforme / pass"),
            "fail": ("red", "✗ non conforme / fail"),
            "failed": ("red", "✗ non conforme / fail"),
            "skip": ("yellow", "– non jugé / not judged (skip)"),
            "skipped": ("yellow", "– non jugé / not judged (skip)"),
        }.get(outcome, ("yellow", outcome))
        first = reason.strip().splitlines()[0][:200] if reason.strip() else ""
        self.write(f"    {self.paint(colour, label)} {test}" + (f"\n      {first}" if first else "") + "\n")
        self.record("test", test=test, outcome=outcome, reason=first)

    def stop(self) -> None:
        self.stopped = True
        self.write(
            self.paint(
                "yellow",
                "■ arrêt : les étapes restantes ne sont pas jugées / stopped: the remaining steps are not judged",
            )
            + "\n"
        )

    def _show(self, exchange: Exchange) -> None:
        self.write(
            f"\r    ← {exchange_line(exchange, self.paint)}\033[K\n"
            if self.tty
            else f"    ← {exchange_line(exchange)}\n"
        )
        for line in finding_lines(exchange, self.paint):
            self.write(f"        {line}\n")
        self.record(
            "arrived",
            exchange=exchange.id,
            service=exchange.service,
            operation=exchange.transaction,
            findings=[str(f) for f in exchange.findings],
        )

    def _countdown(self, remaining: float, last_line: float) -> float:
        minutes, seconds = divmod(int(remaining + 0.999), 60)
        text = f"⏳ {minutes}:{seconds:02d} — {CHOICES}"
        if self.tty:
            self.write(f"\r    {text}\033[K")
            return last_line
        if time.monotonic() - last_line >= 30:
            self.write(f"    {text}\n")
            return time.monotonic()
        return last_line

    def _after_timeout(self) -> str:
        self.write(
            "\n"
            + self.paint(
                "yellow", "✗ délai écoulé sans l'échange attendu / time is out, the expected exchange did not arrive"
            )
            + "\n"
        )
        self.write(
            "    [r] réessayer / retry · [Entrée/Enter] juger ce qui est arrivé / judge what arrived · "
            "[s] passer / skip (non jugé / not judged) · [q] arrêter / stop\n" + PROMPT
        )
        answer = self._readline(self.timeout)
        if answer is None:
            self.write("\n")
            return "s"
        return answer.lower()[:1]

    def watch(
        self,
        recorder: Recorder,
        predicate: Callable[[list[Exchange]], bool] | None = None,
        /,
        *,
        service: str | None = None,
        transaction: str | None = None,
        since: str | None = None,
        timeout: float = 180.0,
        **tags: str,
    ) -> list[Exchange]:
        """:meth:`Recorder.wait_for` with the operator in the loop: live feedback, countdown, choices.

        Returns the matching exchanges (possibly none when the operator chose to judge what arrived).
        Raises :class:`OperatorNoAnswer` on *skip*, :class:`OperatorStopped` on *stop*.
        """
        check = predicate or (lambda found: bool(found))
        if self._eof or self.inp.closed:  # nobody at the terminal: nobody will make the DUI act
            self.record("no-operator")
            raise OperatorNoAnswer("pas d'opérateur (entrée fermée) / no operator (input closed)")
        shown: set[str] = set()
        deadline = time.monotonic() + timeout
        last_line = time.monotonic() - 30.0  # not a terminal: the first countdown line at once
        while True:
            for exchange in recorder.exchanges(since=self._since):
                if exchange.id not in shown:
                    shown.add(exchange.id)
                    self._show(exchange)
            found = recorder.exchanges(service=service, transaction=transaction, since=since, **tags)
            if check(found):
                self.write(
                    ("\r\033[K" if self.tty else "")
                    + "    "
                    + self.paint("green", "✓ échange attendu reçu / expected exchange received")
                    + "\n"
                )
                self.record("satisfied", exchanges=[e.id for e in found])
                return found
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                choice = self._after_timeout()
                self.record("choice", choice=choice or "judge")
                if choice == "r":
                    deadline = time.monotonic() + timeout
                    continue
                return self._act(choice, found)
            last_line = self._countdown(remaining, last_line)
            command = self._readline(min(0.5, remaining), waiting=True)
            if command is not None:
                self.record("choice", choice=command or "judge")
                return self._act(command.lower()[:1], found)

    def _act(self, choice: str, found: list[Exchange]) -> list[Exchange]:
        if choice == "q":
            self.stop()
            raise OperatorStopped("arrêt demandé par l'opérateur / the operator stopped the run")
        if choice == "s":
            self.write("\n    " + self.paint("yellow", "→ étape passée, non jugée / step skipped, not judged") + "\n")
            raise OperatorNoAnswer("étape passée par l'opérateur / step skipped by the operator")
        self.write(
            "\n    → jugé sur ce qui est arrivé / judged on what arrived "
            f"({len(found)} échange(s) attendu(s) / expected exchange(s))\n"
        )
        return found
