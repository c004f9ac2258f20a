"""Trigger API operations of the MSSanté API LPS mailboxes (PSC session, XOAUTH2 send and read) over HTTP."""

from __future__ import annotations

from typing import Any

from harness.sut.parts.mss_lps import MssLpsDriver
from harness.sut.trigger_client import TriggerClient, json_object

__all__ = ["HttpMssLps"]


class HttpMssLps(TriggerClient, MssLpsDriver):
    """The API LPS part of :class:`~harness.sut.http_trigger.HttpTriggerDriver`."""

    def mss_lps_connect(self, professional: str, mailbox: str) -> dict[str, Any]:
        body = {"professional": professional, "mailbox": mailbox}
        return json_object(self._call("POST", "/mss/lps/session", body, ok=(200,), operation="mssLpsConnect"))

    def mss_lps_session(self) -> dict[str, Any]:
        return json_object(self._call("GET", "/mss/lps/session", ok=(200,), operation="getMssLpsSession"))

    def mss_lps_logout(self) -> dict[str, Any]:
        return json_object(self._call("DELETE", "/mss/lps/session", ok=(200,), operation="mssLpsLogout"))

    def mss_lps_send(self, to: str, subject: str = "", text: str = "") -> dict[str, Any]:
        body = {"to": to, **({"subject": subject} if subject else {}), **({"text": text} if text else {})}
        return json_object(self._call("POST", "/mss/lps/messages", body, ok=(200,), operation="sendMssLpsMessage"))

    def mss_lps_fetch(self) -> dict[str, Any]:
        return json_object(self._call("POST", "/mss/lps/fetch", ok=(200,), operation="fetchMssLpsMail"))
