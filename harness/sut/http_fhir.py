"""Trigger API operations of the FHIR services (e-parcours TDDUI export, e-prescription) over HTTP."""

from __future__ import annotations

from typing import Any

__all__ = ["HttpFhir"]


def _contract(name: str) -> Exception:
    from harness.sut.http_trigger import TriggerApiError

    return TriggerApiError(name)


class HttpFhir:
    """Mixin of :class:`~harness.sut.http_trigger.HttpTriggerDriver` (see ``openapi/trigger-api.yaml``)."""

    def _call(self, method: str, path: str, body: Any = None, *, ok: tuple[int, ...] = (200, 201, 204)) -> Any:
        raise NotImplementedError

    def _object(self, operation: str, key: str, result: Any) -> dict[str, Any]:
        if not isinstance(result, dict) or key not in result:
            raise _contract(f"{operation} must answer a JSON object with {key!r}")
        return result

    def _array(self, operation: str, result: Any) -> list[dict[str, Any]]:
        if not isinstance(result, list) or not all(isinstance(i, dict) for i in result):
            raise _contract(f"{operation} must answer a JSON array of objects")
        return result

    def eparcours_export(self, person_id: str, record: dict[str, Any]) -> dict[str, Any]:
        result = self._call("POST", f"/persons/{person_id}/eparcours/exports", record, ok=(200, 201))
        return self._object("exportToEparcours", "outcome", result)

    def eparcours_exports(self, person_id: str) -> list[dict[str, Any]]:
        return self._array("listEparcoursExports", self._call("GET", f"/persons/{person_id}/eparcours/exports",
                                                               ok=(200,)))

    def epresc_retrieve(self, person_id: str, prescription_id: str) -> dict[str, Any]:
        result = self._call("POST", f"/persons/{person_id}/prescriptions", {"prescription_id": prescription_id},
                            ok=(200, 201))
        return self._object("retrievePrescription", "outcome", result)

    def epresc_prescriptions(self, person_id: str) -> list[dict[str, Any]]:
        return self._array("listPrescriptions", self._call("GET", f"/persons/{person_id}/prescriptions", ok=(200,)))

    def epresc_administer(self, person_id: str, prescription_id: str, line_id: str,
                          administered_at: str) -> dict[str, Any]:
        body = {"prescription_id": prescription_id, "line_id": line_id, "administered_at": administered_at}
        result = self._call("POST", f"/persons/{person_id}/administrations", body, ok=(200, 201))
        return self._object("recordAdministration", "status", result)

    def epresc_administrations(self, person_id: str) -> list[dict[str, Any]]:
        return self._array("listAdministrations", self._call("GET", f"/persons/{person_id}/administrations",
                                                             ok=(200,)))
