"""Trigger API operations of the consent to consult the DMP (setDmpConsultationConsent,
getDmpConsultationConsent) over HTTP."""

from __future__ import annotations

from typing import Any

from harness.sut.parts.dmp_consent import DmpConsentDriver
from harness.sut.trigger_client import TriggerClient, json_object

__all__ = ["HttpDmpConsent"]


class HttpDmpConsent(TriggerClient, DmpConsentDriver):
    """The consultation-consent part of :class:`~harness.sut.http_trigger.HttpTriggerDriver`."""

    def dmp_consultation_consent(self, person_id: str, opposed: bool, *, author: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"opposed": opposed}
        if author is not None:
            body["author"] = author
        return json_object(
            self._call(
                "PUT",
                f"/persons/{person_id}/dmp/consultation-consent",
                body,
                ok=(200,),
                operation="setDmpConsultationConsent",
            )
        )

    def dmp_consultation_trace(self, person_id: str) -> dict[str, Any]:
        return json_object(
            self._call(
                "GET",
                f"/persons/{person_id}/dmp/consultation-consent",
                ok=(200,),
                operation="getDmpConsultationConsent",
            )
        )
