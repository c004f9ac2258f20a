"""The driver part of Pro Santé Connect: the DUI's login of a professional (service ``PSC``).

Each method is one trigger API operation (``openapi/trigger-api.yaml``); it returns the
operation's JSON answer, validated against the contract by the HTTP driver.
"""

from __future__ import annotations

import abc
from typing import Any

__all__ = ["PscDriver"]


class PscDriver(abc.ABC):
    """The driver part of service ``PSC`` (trigger mode: :mod:`harness.sut.http_trigger`; attended mode:
    :mod:`harness.sut.attended`)."""

    @abc.abstractmethod
    def psc_login(self, professional: str) -> dict[str, Any]:
        """Log in with Pro Santé Connect as this test professional (idNat): the DUI runs the whole
        authorization code flow; returns its PscLoginOutcome (logged in or not, as whom)."""

    @abc.abstractmethod
    def psc_session(self) -> dict[str, Any]:
        """The DUI's current Pro Santé Connect session (PscSession: who is logged in, if anyone)."""

    @abc.abstractmethod
    def psc_logout(self) -> None:
        """End the DUI's Pro Santé Connect session."""
