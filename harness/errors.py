"""The one error root of dui-harness and its tree.

::

    HarnessError                      the harness itself failed (never a DUI fault)
    ├── UsageError                    the user asked for something that cannot be done
    │   ├── ProfileError              a requirement catalog or profile is invalid
    │   └── InputError                an input file or value cannot be read
    ├── SutUnreachable                the DUI under test did not answer (not a non-conformity)
    ├── SimulatorError                a simulator could not start or be controlled
    ├── HarnessCheckError             a harness-side precondition does not hold (instead of ``assert``)
    ├── ValidatorError                a library failed inside a validator (not a finding on the DUI)
    └── TriggerContractError          the DUI's trigger API answered against its contract
                                      (``harness.sut.http_trigger.TriggerApiError``)

A non-conformity of the DUI is not an error: it is a :class:`harness.core.findings.NonConformity`
(findings judged on what the DUI did), reported *failed*, while everything here is reported as
*broken* and never counted against the DUI (verdict *error*, exit code 4; *unreachable*, 3).
A bare ``AssertionError`` is a harness-side check too: verdict *error*.
"""

from __future__ import annotations

import enum
from typing import Any

__all__ = [
    "ErrorKind",
    "HarnessCheckError",
    "HarnessError",
    "InputError",
    "ProfileError",
    "SimulatorError",
    "SutUnreachable",
    "TriggerContractError",
    "UsageError",
    "ValidatorError",
]


class ErrorKind(enum.Enum):
    """What went wrong, for the CLI tip and the Allure category."""

    USAGE = "usage"
    PROFILE = "profile"
    INPUT = "input"
    SUT_UNREACHABLE = "sut-unreachable"
    SIMULATOR = "simulator"
    TRIGGER_CONTRACT = "trigger-contract"
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


class HarnessCheckError(HarnessError):
    """A harness-side precondition does not hold (a fixture, a conftest, a driver): never the DUI's fault.

    Used instead of a bare ``assert``, which Python drops under ``-O`` and which reads as a test failure.
    """


class TriggerContractError(HarnessError):
    """The DUI's trigger API (its test mode) answered an HTTP error or a body against ``trigger-api.yaml``.

    Not a non-conformity to a national requirement: the harness could not drive the DUI, so the
    check is *error* (exit code 4), with this message saying that the DUI's test mode is at fault.
    A transport problem (no answer, timeout) is :class:`SutUnreachable` instead.
    """

    kind = ErrorKind.TRIGGER_CONTRACT

    def __str__(self) -> str:
        return f"[CONTRAT API DE PILOTAGE / TRIGGER API CONTRACT] {self.message}"


class ValidatorError(HarnessError):
    """A library raised inside a validator (not a fault the validator recognised in the input).

    The check could not be made: the verdict is *error*, never a finding against the DUI.
    """
