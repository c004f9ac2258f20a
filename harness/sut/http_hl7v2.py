"""Trigger API operations of the HL7 v2 part over HTTP."""

from __future__ import annotations

from typing import Any

from harness.sut.contract import TriggerApiError
from harness.sut.parts.hl7v2 import Hl7v2Driver
from harness.sut.trigger_client import TriggerClient, json_array, json_object

__all__ = ["HttpHl7v2"]


class HttpHl7v2(TriggerClient, Hl7v2Driver):
    """The HL7 v2 part of :class:`~harness.sut.http_trigger.HttpTriggerDriver`."""

    def hl7v2_endpoint(self) -> dict[str, Any] | None:
        try:
            return json_object(self._call("GET", "/hl7v2/endpoint", ok=(200,), operation="getHl7v2Endpoint"))
        except TriggerApiError as exc:
            if exc.status in (404, 405, 501):
                return None  # the DUI declares no HL7 v2 exchange (optional for a DUI)
            raise

    def hl7v2_emit(self, person_id: str, event: str) -> dict[str, Any]:
        return json_object(
            self._call(
                "POST",
                f"/persons/{person_id}/hl7v2/adt",
                {"event": event},
                ok=(200, 201),
                operation="emitHl7v2Identity",
            )
        )

    def hl7v2_identities(self) -> list[dict[str, Any]]:
        return json_array(self._call("GET", "/hl7v2/identities", ok=(200,), operation="listHl7v2Identities"))
