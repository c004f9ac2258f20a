"""Trigger API operations of the e-parcours and e-prescription parts over HTTP."""

from __future__ import annotations

from typing import Any

from harness.sut.parts.eparcours import EparcoursDriver
from harness.sut.parts.epresc import EprescDriver
from harness.sut.trigger_client import TriggerClient, json_array, json_object

__all__ = ["HttpEparcours", "HttpEpresc"]


class HttpEparcours(TriggerClient, EparcoursDriver):
    """The e-parcours part of :class:`~harness.sut.http_trigger.HttpTriggerDriver`."""

    def eparcours_export(self, person_id: str, record: dict[str, Any]) -> dict[str, Any]:
        return json_object(
            self._call(
                "POST", f"/persons/{person_id}/eparcours/exports", record, ok=(200, 201), operation="exportToEparcours"
            )
        )

    def eparcours_exports(self, person_id: str) -> list[dict[str, Any]]:
        return json_array(
            self._call("GET", f"/persons/{person_id}/eparcours/exports", ok=(200,), operation="listEparcoursExports")
        )


class HttpEpresc(TriggerClient, EprescDriver):
    """The e-prescription part of :class:`~harness.sut.http_trigger.HttpTriggerDriver`."""

    def epresc_retrieve(self, person_id: str, prescription_id: str) -> dict[str, Any]:
        body = {"prescription_id": prescription_id}
        return json_object(
            self._call(
                "POST", f"/persons/{person_id}/prescriptions", body, ok=(200, 201), operation="retrievePrescription"
            )
        )

    def epresc_prescriptions(self, person_id: str) -> list[dict[str, Any]]:
        return json_array(
            self._call("GET", f"/persons/{person_id}/prescriptions", ok=(200,), operation="listPrescriptions")
        )

    def epresc_administer(
        self, person_id: str, prescription_id: str, line_id: str, administered_at: str
    ) -> dict[str, Any]:
        body = {"prescription_id": prescription_id, "line_id": line_id, "administered_at": administered_at}
        return json_object(
            self._call(
                "POST", f"/persons/{person_id}/administrations", body, ok=(200, 201), operation="recordAdministration"
            )
        )

    def epresc_administrations(self, person_id: str) -> list[dict[str, Any]]:
        return json_array(
            self._call("GET", f"/persons/{person_id}/administrations", ok=(200,), operation="listAdministrations")
        )
