"""Trigger API operation of the outgoing-documents part (a document produced with the user's choices) over HTTP."""

from __future__ import annotations

from typing import Any

from harness.sut.parts.doc import VISIBLE, DocDriver, Historical, Recipient, Visibility
from harness.sut.trigger_client import TriggerClient, json_object

__all__ = ["HttpDoc"]


class HttpDoc(TriggerClient, DocDriver):
    """The outgoing-documents part of :class:`~harness.sut.http_trigger.HttpTriggerDriver`."""

    def doc_publish(
        self,
        person_id: str,
        kind: str,
        *,
        recipients: tuple[Recipient, ...] = (),
        visibility: Visibility = VISIBLE,
        historical: Historical | None = None,
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"kind": kind, **visibility.payload()}
        if historical is not None:
            body["historical"] = historical.payload()
        if recipients:
            body["recipients"] = [r.payload() for r in recipients]
        return json_object(
            self._call(
                "POST", f"/persons/{person_id}/dmp/documents", body, ok=(200, 201), operation="publishDmpDocument"
            )
        )

    def doc_self_presenting(self, person_id: str, document_id: str) -> dict[str, Any]:
        return json_object(
            self._call(
                "GET",
                f"/persons/{person_id}/dmp/documents/{document_id}/self-presenting",
                ok=(200,),
                operation="getSelfPresentingDocument",
            )
        )
