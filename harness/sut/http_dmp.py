"""Trigger API operations of the DMP part (publish, replace, visibility, delete, opposition, retrieve, documents,
retry) over HTTP."""

from __future__ import annotations

from typing import Any

from harness.sut.parts.dmp import DmpDriver
from harness.sut.trigger_client import TriggerClient, json_array, json_object

__all__ = ["HttpDmp"]


class HttpDmp(TriggerClient, DmpDriver):
    """The DMP part of :class:`~harness.sut.http_trigger.HttpTriggerDriver`."""

    def dmp_publish(
        self, person_id: str, kind: str, *, title: str | None = None, confidentiality: str = "N"
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"kind": kind, "confidentiality": confidentiality}
        if title is not None:
            body["title"] = title
        return json_object(
            self._call(
                "POST", f"/persons/{person_id}/dmp/documents", body, ok=(200, 201), operation="publishDmpDocument"
            )
        )

    def dmp_replace(self, person_id: str, document_id: str) -> dict[str, Any]:
        return json_object(
            self._call(
                "POST",
                f"/persons/{person_id}/dmp/documents/{document_id}/replace",
                {},
                ok=(200, 201),
                operation="replaceDmpDocument",
            )
        )

    def dmp_visibility(
        self, person_id: str, document_id: str, *, masked_from_professionals: bool, invisible_to_patient: bool
    ) -> dict[str, Any]:
        body = {"masked_from_professionals": masked_from_professionals, "invisible_to_patient": invisible_to_patient}
        return json_object(
            self._call(
                "POST",
                f"/persons/{person_id}/dmp/documents/{document_id}/visibility",
                body,
                ok=(200,),
                operation="setDmpDocumentVisibility",
            )
        )

    def dmp_retrieve(self, person_id: str, kind: str) -> dict[str, Any]:
        return json_object(
            self._call(
                "POST",
                f"/persons/{person_id}/dmp/retrieve",
                {"kind": kind},
                ok=(200,),
                operation="retrieveDmpDocuments",
            )
        )

    def dmp_documents(self, person_id: str) -> list[dict[str, Any]]:
        return json_array(
            self._call("GET", f"/persons/{person_id}/dmp/documents", ok=(200,), operation="listDmpDocuments")
        )

    def dmp_retry(self) -> dict[str, Any]:
        return json_object(self._call("POST", "/dmp/retry", ok=(200,), operation="retryDmpDocuments"))

    def dmp_delete(self, person_id: str, document_id: str) -> dict[str, Any]:
        return json_object(
            self._call(
                "POST",
                f"/persons/{person_id}/dmp/documents/{document_id}/delete",
                {},
                ok=(200,),
                operation="deleteDmpDocument",
            )
        )

    def dmp_opposition(self, person_id: str, opposed: bool) -> dict[str, Any]:
        return json_object(
            self._call(
                "PUT",
                f"/persons/{person_id}/dmp/opposition",
                {"opposed": opposed},
                ok=(200,),
                operation="setDmpOpposition",
            )
        )
