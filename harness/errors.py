"""The one error root of dui-harness and its tree.

::

    HarnessError                      the harness itself failed (never a DUI fault)
    ├── UsageError                    the user asked for something that cannot be done
    │   ├── ProfileError              a requirement catalog or profile is invalid
    │   └── InputError                an input file or value cannot be read
    ├── SutUnreachable                the DUI under test did not answer (not a non-conformity)
    └── SimulatorError                a simulator could not start or be controlled

A non-conformity of the DUI is not an error: it is a :class:`harness.core.findings.Finding`
(an ``AssertionError``), so that pytest and Allure report it as *failed*, while everything
here is reported as *broken*.
"""

from __future__ import annotations

import enum
from typing import Any

__all__ = [
    "ErrorKind",
    "HarnessError",
    "InputError",
    "ProfileError",
    "SimulatorError",
    "SutUnreachable",
    "UsageError",
]


class ErrorKind(enum.Enum):
    """What went wrong, for the CLI tip and the Allure category."""

    USAGE = "usage"
    PROFILE = "profile"
    INPUT = "input"
    SUT_UNREACHABLE = "sut-unreachable"
    SIMULATOR = "simulator"
    INTERNAL = "internal"


class HarnessError(Exception):
    """Root of every error raised by dui-harness on purpose.

    Args:
        message: what went wrong, for a person.
        tip: one line telling what to do about it (French / English).
        extras: machine-readable details (file, line, URL...).
    """

    kind: ErrorKind = ErrorKind.INTERNAL

    def __init__(self, message: str, *, tip: str | None = None, **extras: Any) -> None:
        super().__init__(message)
        self.message = message
        self.tip = tip
        self.extras = extras

    def __str__(self) -> str:
        return self.message


class UsageError(HarnessError):
    """The user asked for something that cannot be done (bad option, unknown name)."""

    kind = ErrorKind.USAGE


class ProfileError(UsageError):
    """A requirement catalog or profile file is invalid; the message names file and line."""

    kind = ErrorKind.PROFILE


class InputError(UsageError):
    """An input file or value cannot be read or parsed."""

    kind = ErrorKind.INPUT


class SutUnreachable(HarnessError):
    """The DUI under test did not answer its trigger API: not a non-conformity."""

    kind = ErrorKind.SUT_UNREACHABLE

    def __str__(self) -> str:
        return f"[DUI INJOIGNABLE / DUI UNREACHABLE] {self.message}"


class SimulatorError(HarnessError):
    """A simulated national service could not start or be controlled."""

    kind = ErrorKind.SIMULATOR
