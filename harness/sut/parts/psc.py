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
    def psc_login(self, professional: str, mode: str = "web") -> dict[str, Any]:
        """Log in with Pro Santé Connect as this test professional (idNat), in ``mode`` (web, native:
        external browser + loopback redirect + PKCE, ciba); returns its PscLoginOutcome (logged in or
        not, as whom, in which account)."""

    @abc.abstractmethod
    def psc_session(self) -> dict[str, Any]:
        """The DUI's current Pro Santé Connect session (PscSession: who is logged in, if anyone)."""

    @abc.abstractmethod
    def psc_logout(self) -> None:
        """End the DUI's Pro Santé Connect session."""

    @abc.abstractmethod
    def psc_capabilities(self) -> dict[str, Any]:
        """The PSC modes the DUI offers and whether it has another login (PscCapabilities); web only,
        no other login, when the DUI does not say."""

    @abc.abstractmethod
    def psc_refresh(self) -> dict[str, Any]:
        """Renew the session's PSC tokens with the refresh token (PscRefreshOutcome)."""

    @abc.abstractmethod
    def psc_local_account(self, login: str, professional: str) -> dict[str, Any]:
        """The DUI's local account ``login`` of the professional (idNat): PscAccount."""

    @abc.abstractmethod
    def psc_local_login(self, login: str) -> dict[str, Any]:
        """Log in with the local account ``login``: the account opened (PscAccount)."""
