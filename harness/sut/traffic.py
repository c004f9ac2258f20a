"""One exchange as one line for a person (``serve``, attended mode) or one JSON object for a tool.

A line says which simulated service received what (operation), what it answered (HTTP status
or SMTP reply) and how many findings its checks recorded; the findings follow, one line each,
when asked. Colours only on a terminal and never when ``NO_COLOR`` is set (no-color.org).
"""

from __future__ import annotations

import os
from typing import Any, ClassVar, TextIO

from harness.core.findings import Severity
from harness.core.recorder import Exchange

__all__ = ["Palette", "exchange_json", "exchange_line", "finding_lines", "status_of"]


class Palette:
    """ANSI colours when writing to a terminal, plain text otherwise."""

    CODES: ClassVar[dict[str, str]] = {
        "green": "32",
        "red": "31",
        "yellow": "33",
        "bold": "1",
        "dim": "2",
        "cyan": "36",
    }

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    @classmethod
    def for_stream(cls, stream: TextIO) -> Palette:
        isatty = getattr(stream, "isatty", None)
        tty = bool(isatty()) if callable(isatty) else False
        return cls(tty and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb")

    def __call__(self, colour: str, text: str) -> str:
        if not self.enabled:
            return text
        return f"\033[{self.CODES[colour]}m{text}\033[0m"


def status_of(exchange: Exchange) -> str:
    """The answer in a few characters: ``200``, ``SOAP fault 500``, ``250``, ``550``, ``-`` when none."""
    reply = exchange.summary.get("reply")
    if isinstance(reply, str) and reply:
        return reply.split()[0]
    if exchange.response is None:
        return "-"
    parts = exchange.response.start_line.split()
    return parts[1] if len(parts) > 1 and parts[0].upper().startswith("HTTP") else exchange.response.start_line[:20]


def _errors(exchange: Exchange) -> int:
    return sum(1 for f in exchange.findings if f.severity is Severity.ERROR)


def exchange_line(exchange: Exchange, palette: Palette | None = None) -> str:
    """``INSi rechercherInsAvecTraitsIdentite · 200 · 0 constat / finding``, coloured by outcome."""
    paint = palette or Palette(False)
    status = status_of(exchange)
    count = len(exchange.findings)
    errors = _errors(exchange)
    word = "constat / finding" if count < 2 else "constats / findings"
    colour = "red" if errors else ("yellow" if count or status[:1] not in ("2", "-") else "green")
    fault = f" · panne injectée / injected fault {exchange.fault_injected}" if exchange.fault_injected else ""
    head = f"{exchange.service} {exchange.transaction}"
    return f"{paint('bold', head)} · {paint(colour, status)} · {count} {word}{fault} #{exchange.id}"


def finding_lines(exchange: Exchange, palette: Palette | None = None, *, limit: int = 8) -> list[str]:
    """One line per finding (requirement, where, what), at most ``limit`` then a count of the rest."""
    paint = palette or Palette(False)
    lines = []
    for finding in exchange.findings[:limit]:
        mark = paint("red", "✗") if finding.severity is Severity.ERROR else paint("yellow", "!")
        where = f" ({finding.location})" if finding.location else ""
        requirement = f"[{finding.requirement}] " if finding.requirement else ""
        lines.append(f"{mark} {requirement}{finding.message}{where}")
    if len(exchange.findings) > limit:
        lines.append(f"… +{len(exchange.findings) - limit} (reports/exchanges/{exchange.id}-*.json)")
    return lines


def exchange_json(exchange: Exchange) -> dict[str, Any]:
    """The line's facts for a tool (``serve --json``): one JSON object per exchange."""
    return {
        "id": exchange.id,
        "time": exchange.started.isoformat(),
        "service": exchange.service,
        "operation": exchange.transaction,
        "status": status_of(exchange),
        "findings": len(exchange.findings),
        "errors": _errors(exchange),
        "fault_injected": exchange.fault_injected,
        "peer": exchange.peer,
        "finding_list": [f.as_dict() for f in exchange.findings],
    }
