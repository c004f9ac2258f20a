"""Trigger API operations of the Pro Santé Connect part (login, session, logout) over HTTP."""

from __future__ import annotations

from typing import Any

from harness.sut.contract import TriggerApiError
from harness.sut.parts.psc import PscDriver
from harness.sut.trigger_client import TriggerClient, json_object

__all__ = ["HttpPsc"]


class HttpPsc(TriggerClient, PscDriver):
    """The PSC part of :class:`~harness.sut.http_trigger.HttpTriggerDriver`."""

    def psc_login(self, professional: str, mode: str = "web") -> dict[str, Any]:
        body = {"professional": professional, **({"mode": mode} if mode != "web" else {})}
        return json_object(self._call("POST", "/psc/login", body, ok=(200,), operation="pscLogin"))

    def psc_session(self) -> dict[str, Any]:
        return json_object(self._call("GET", "/psc/session", ok=(200,), operation="getPscSession"))

    def psc_logout(self) -> None:
        self._call("DELETE", "/psc/session", ok=(200, 204), operation="pscLogout")

    def psc_capabilities(self) -> dict[str, Any]:
        try:
            return json_object(self._call("GET", "/psc/capabilities", ok=(200,), operation="getPscCapabilities"))
        except TriggerApiError as exc:
            if exc.status in (404, 405, 501):
                return {"modes": ["web"], "other_authentication": False, "declared": False}
            raise

    def psc_refresh(self) -> dict[str, Any]:
        try:
            return json_object(self._call("POST", "/psc/session/refresh", ok=(200,), operation="pscRefresh"))
        except TriggerApiError as exc:
            if exc.status in (404, 405, 501):  # the DUI does not renew its tokens: PSC-REFRESH-01 not judged
                return {"refreshed": False, "error": f"not offered by the DUI (HTTP {exc.status})", "declared": False}
            raise

    def psc_local_account(self, login: str, professional: str) -> dict[str, Any]:
        body = {"login": login, "professional": professional}
        return json_object(self._call("POST", "/psc/local-accounts", body, ok=(200,), operation="pscLocalAccount"))

    def psc_local_login(self, login: str) -> dict[str, Any]:
        return json_object(
            self._call("POST", "/psc/local-login", {"login": login}, ok=(200,), operation="pscLocalLogin")
        )
