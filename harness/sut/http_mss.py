"""Trigger API operations of the MSSanté part (send, fetch, documents, acknowledgements, reply, refusal) over HTTP."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from harness.sut.parts.mss import MssDriver
from harness.sut.trigger_client import TriggerClient, json_array, json_object

__all__ = ["HttpMss"]


class HttpMss(TriggerClient, MssDriver):
    """The MSSanté part of :class:`~harness.sut.http_trigger.HttpTriggerDriver`."""

    def mss_send(
        self,
        person_id: str,
        recipient_kind: str,
        *,
        address: str | None = None,
        acknowledgement: bool = False,
        visible_to_patient: bool = True,
        dsn: bool = False,
        replaces: str | None = None,
    ) -> dict[str, Any]:
        body: dict[str, Any] = {
            "recipient": {"kind": recipient_kind},
            "acknowledgement": acknowledgement,
            "visible_to_patient": visible_to_patient,
        }
        if dsn:
            body["dsn"] = True
        if replaces is not None:
            body["replaces"] = replaces
        if address is not None:
            body["recipient"]["address"] = address
        return json_object(
            self._call("POST", f"/persons/{person_id}/mss/messages", body, ok=(200, 201), operation="sendMssDocument")
        )

    def mss_fetch(self) -> dict[str, Any]:
        return json_object(self._call("POST", "/mss/fetch", ok=(200,), operation="fetchMssMail"))

    def mss_documents(self, person_id: str) -> list[dict[str, Any]]:
        return json_array(
            self._call("GET", f"/persons/{person_id}/mss/documents", ok=(200,), operation="listMssDocuments")
        )

    def mss_acknowledgements(self) -> list[dict[str, Any]]:
        return json_array(self._call("GET", "/mss/acknowledgements", ok=(200,), operation="listMssAcknowledgements"))

    def mss_reply(self, message_id: str, text: str = "Bien reçu, merci.") -> dict[str, Any]:
        return json_object(
            self._call(
                "POST",
                "/mss/messages/reply",
                {"message_id": message_id, "text": text},
                ok=(200,),
                operation="replyMssMessage",
            )
        )

    def mss_mark_read(self, message_id: str) -> dict[str, Any]:
        return json_object(
            self._call("POST", "/mss/messages/read", {"message_id": message_id}, ok=(200,), operation="readMssMessage")
        )

    def mss_record_refusal(self, person_id: str, *, patient: bool, professionals: bool) -> dict[str, Any]:
        return json_object(
            self._call(
                "PUT",
                f"/persons/{person_id}/mss/refusal",
                {"patient": patient, "professionals": professionals},
                ok=(200,),
                operation="recordMssRefusal",
            )
        )

    def mss_import_annuaire(self) -> dict[str, Any]:
        return json_object(self._call("POST", "/annuaire/import", ok=(200,), operation="importAnnuaire"))

    def mss_search_address(self, *, name: str = "", rpps: str = "") -> list[dict[str, Any]]:
        query = urlencode({k: v for k, v in (("name", name), ("rpps", rpps)) if v})
        found = json_object(self._call("GET", f"/annuaire/search?{query}", ok=(200,), operation="searchMssAddress"))
        results = found.get("results")
        return [r for r in results if isinstance(r, dict)] if isinstance(results, list) else []

    def mss_worklist(self) -> list[dict[str, Any]]:
        return json_array(self._call("GET", "/mss/worklist", ok=(200,), operation="listMssWorklist"))

    def mss_set_correspondents(self, person_id: str, correspondents: list[dict[str, str]]) -> list[dict[str, Any]]:
        answer = json_object(
            self._call(
                "PUT",
                f"/persons/{person_id}/mss/correspondents",
                {"correspondents": correspondents},
                ok=(200,),
                operation="setMssCorrespondents",
            )
        )
        kept = answer.get("correspondents")
        return [c for c in kept if isinstance(c, dict)] if isinstance(kept, list) else []

    def mss_correspondents(self, person_id: str) -> list[dict[str, Any]]:
        answer = json_object(
            self._call("GET", f"/persons/{person_id}/mss/correspondents", ok=(200,), operation="listMssCorrespondents")
        )
        kept = answer.get("correspondents")
        return [c for c in kept if isinstance(c, dict)] if isinstance(kept, list) else []

    def mss_document_trace(self) -> list[dict[str, Any]]:
        answer = json_object(self._call("GET", "/mss/document-trace", ok=(200,), operation="listMssDocumentTrace"))
        changes = answer.get("changes")
        return [c for c in changes if isinstance(c, dict)] if isinstance(changes, list) else []

    def mss_autoconfigure(self, address: str, autoconfig_url: str) -> dict[str, Any]:
        return json_object(
            self._call(
                "POST",
                "/mss/autoconfig",
                {"address": address, "autoconfig_url": autoconfig_url},
                ok=(200,),
                operation="autoconfigureMssMailbox",
            )
        )
