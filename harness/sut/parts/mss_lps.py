"""The driver part of the MSSanté API LPS mailboxes: a professional's Pro Santé Connect session (service ``MSS``).

Each method is one trigger API operation (``openapi/trigger-api.yaml``); it returns the
operation's JSON answer (``MssLpsOutcome`` / ``MssLpsState``), validated against the contract by
the HTTP driver. Issue 13 item 2: SC.MSS/CONF.07/09/10/11/28.
"""

from __future__ import annotations

import abc
from typing import Any

__all__ = ["MssLpsDriver"]


class MssLpsDriver(abc.ABC):
    """Personal and organisational mailboxes opened with a PSC access token over XOAUTH2."""

    @abc.abstractmethod
    def mss_lps_connect(self, professional: str, mailbox: str) -> dict[str, Any]:
        """The professional (idNat) logs in with Pro Santé Connect to use ``mailbox``."""

    @abc.abstractmethod
    def mss_lps_session(self) -> dict[str, Any]:
        """The API LPS session the DUI holds: who, which mailbox, how the token is kept."""

    @abc.abstractmethod
    def mss_lps_logout(self) -> dict[str, Any]:
        """The professional logs out of Pro Santé Connect."""

    @abc.abstractmethod
    def mss_lps_send(self, to: str, subject: str = "", text: str = "") -> dict[str, Any]:
        """Send a message from the connected mailbox (SMTP AUTH XOAUTH2)."""

    @abc.abstractmethod
    def mss_lps_fetch(self) -> dict[str, Any]:
        """Read the connected mailbox's INBOX (IMAP AUTHENTICATE XOAUTH2)."""
