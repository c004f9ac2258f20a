"""Trigger API operation of the DMP's automatic feeding (validateDocument) over HTTP."""

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
