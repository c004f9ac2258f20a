"""Trigger API operations of the DMP (publish, replace, visibility, retrieve, documents) over HTTP."""

from __future__ import annotations

from typing import Any

__all__ = ["HttpDmp"]


def _contract(message: str) -> Exception:
    from harness.sut.http_trigger import TriggerApiError

    return TriggerApiError(message)


class HttpDmp:
    """Mixin of :class:`~harness.sut.http_trigger.HttpTriggerDriver` (see ``openapi/trigger-api.yaml``)."""

    def _call(self, method: str, path: str, body: Any = None, *, ok: tuple[int, ...] = (200, 201, 204)) -> Any:
        raise NotImplementedError

    @staticmethod
    def _publication(operation: str, result: Any) -> dict[str, Any]:
        if not isinstance(result, dict) or "status" not in result or "document_id" not in result:
            raise _contract(f"{operation} must answer a DmpPublication with document_id and status")
        return result

    def dmp_publish(
        self, person_id: str, kind: str, *, title: str | None = None, confidentiality: str = "N"
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"kind": kind, "confidentiality": confidentiality}
        if title is not None:
            body["title"] = title
        result = self._call("POST", f"/persons/{person_id}/dmp/documents", body, ok=(200, 201))
        return self._publication("publishDmpDocument", result)

    def dmp_replace(self, person_id: str, document_id: str) -> dict[str, Any]:
        result = self._call("POST", f"/persons/{person_id}/dmp/documents/{document_id}/replace", {}, ok=(200, 201))
        return self._publication("replaceDmpDocument", result)

    def dmp_visibility(
        self, person_id: str, document_id: str, *, masked_from_professionals: bool, invisible_to_patient: bool
    ) -> dict[str, Any]:
        body = {"masked_from_professionals": masked_from_professionals, "invisible_to_patient": invisible_to_patient}
        result = self._call("POST", f"/persons/{person_id}/dmp/documents/{document_id}/visibility", body, ok=(200,))
        if not isinstance(result, dict) or "outcome" not in result:
            raise _contract("setDmpDocumentVisibility must answer a DmpVisibility with an outcome")
        return result

    def dmp_retrieve(self, person_id: str, kind: str) -> dict[str, Any]:
        result = self._call("POST", f"/persons/{person_id}/dmp/retrieve", {"kind": kind}, ok=(200,))
        if not isinstance(result, dict) or "integrated" not in result:
            raise _contract("retrieveDmpDocuments must answer a DmpRetrieval with integrated")
        return result

    def dmp_documents(self, person_id: str) -> list[dict[str, Any]]:
        result = self._call("GET", f"/persons/{person_id}/dmp/documents", ok=(200,))
        if not isinstance(result, list) or not all(isinstance(i, dict) for i in result):
            raise _contract("listDmpDocuments must answer a JSON array of DmpDocument")
        return result

    def dmp_retry(self) -> dict[str, Any]:
        result = self._call("POST", "/dmp/retry", ok=(200,))
        if not isinstance(result, dict) or "retried" not in result:
            raise _contract("retryDmpDocuments must answer an object with retried")
        return result
