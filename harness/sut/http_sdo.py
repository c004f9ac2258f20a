"""Trigger API operations of the SdO part (CNSA orientation decisions) over HTTP."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from harness.sut.contract import TriggerApiError
from harness.sut.parts.sdo import SdoDriver
from harness.sut.trigger_client import TriggerClient, json_array, json_object

__all__ = ["HttpSdo"]


def _decision(id_nat_decision: str) -> str:
    return f"/sdo/decisions/{quote(id_nat_decision, safe='')}"


class HttpSdo(TriggerClient, SdoDriver):
    """The SdO part of :class:`~harness.sut.http_trigger.HttpTriggerDriver`."""

    def sdo_sync_decisions(self) -> list[dict[str, Any]] | None:
        try:
            return json_array(self._call("POST", "/sdo/decisions/sync", ok=(200,), operation="syncSdoDecisions"))
        except TriggerApiError as exc:
            if exc.status in (404, 405, 501):
                return None  # the DUI exchanges nothing with the SI-SdO (not a disability-sector DUI)
            raise

    def sdo_send_consent(self, id_nat_decision: str, date: str) -> dict[str, Any]:
        return json_object(
            self._call(
                "POST", f"{_decision(id_nat_decision)}/consent", {"date": date}, ok=(200,), operation="sendSdoConsent"
            )
        )

    def sdo_fetch_evaluation(self, id_nat_decision: str) -> dict[str, Any]:
        return json_object(
            self._call("POST", f"{_decision(id_nat_decision)}/evaluation", ok=(200,), operation="fetchSdoEvaluation")
        )

    def sdo_send_status(self, id_nat_decision: str, status: str, date: str) -> dict[str, Any]:
        return json_object(
            self._call(
                "POST",
                f"{_decision(id_nat_decision)}/status",
                {"status": status, "date": date},
                ok=(200,),
                operation="sendSdoStatus",
            )
        )

    def sdo_sync_notifications(self) -> list[dict[str, Any]]:
        return json_array(self._call("POST", "/sdo/notifications/sync", ok=(200,), operation="syncSdoNotifications"))
