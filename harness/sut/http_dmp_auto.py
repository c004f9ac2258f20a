"""Trigger API operations of the DMP as a user drives it (validateDocument, getDmpWebAccess) over HTTP."""

from __future__ import annotations

from typing import Any

from harness.sut.parts.dmp_auto import DmpAutoDriver
from harness.sut.trigger_client import TriggerClient, json_object

__all__ = ["HttpDmpAuto"]


class HttpDmpAuto(TriggerClient, DmpAutoDriver):
    """The automatic-feeding part of :class:`~harness.sut.http_trigger.HttpTriggerDriver`."""

    def validate_document(self, person_id: str, kind: str) -> dict[str, Any]:
        return json_object(
            self._call(
                "POST",
                f"/persons/{person_id}/documents/validate",
                {"kind": kind},
                ok=(200, 201),
                operation="validateDocument",
            )
        )

    def dmp_web_access(self, mode: str, person_id: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"mode": mode}
        if person_id is not None:
            body["person_id"] = person_id
        return json_object(self._call("POST", "/dmp/web-access", body, ok=(200,), operation="getDmpWebAccess"))
