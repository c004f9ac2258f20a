"""Trigger API operations of the Pro Santé Connect part (login, session, logout) over HTTP."""

from __future__ import annotations

from typing import Any

from harness.sut.parts.psc import PscDriver
from harness.sut.trigger_client import TriggerClient, json_object

__all__ = ["HttpPsc"]


class HttpPsc(TriggerClient, PscDriver):
    """The PSC part of :class:`~harness.sut.http_trigger.HttpTriggerDriver`."""

    def psc_login(self, professional: str) -> dict[str, Any]:
        return json_object(
            self._call("POST", "/psc/login", {"professional": professional}, ok=(200,), operation="pscLogin")
        )

    def psc_session(self) -> dict[str, Any]:
        return json_object(self._call("GET", "/psc/session", ok=(200,), operation="getPscSession"))

    def psc_logout(self) -> None:
        self._call("DELETE", "/psc/session", ok=(200, 204), operation="pscLogout")
