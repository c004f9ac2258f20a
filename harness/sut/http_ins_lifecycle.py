"""Trigger API operations of the INS identity lifecycle (traits edits, attributes, verification) over HTTP."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from harness.core.ins import Traits
from harness.sut.model import traits_payload
from harness.sut.parts.ins import InsLifecycleDriver
from harness.sut.trigger_client import TriggerClient, json_object

__all__ = ["HttpInsLifecycle"]


class HttpInsLifecycle(TriggerClient, InsLifecycleDriver):
    """The INS lifecycle part of :class:`~harness.sut.http_trigger.HttpTriggerDriver`."""

    def update_traits(
        self, person_id: str, changes: dict[str, Any], *, identity_manager: bool = False
    ) -> dict[str, Any]:
        body = {"changes": changes, "identity_manager": identity_manager}
        answer = json_object(
            self._call("PATCH", f"/persons/{person_id}/traits", body, ok=(200, 409), operation="updateTraits")
        )
        if set(answer) == {"error"}:
            return {"refused": True, "error": answer["error"]}
        return answer

    def set_identity_attributes(
        self, person_id: str, *, doubtful: bool | None = None, fictitious: bool | None = None
    ) -> dict[str, Any]:
        body = {k: v for k, v in (("doubtful", doubtful), ("fictitious", fictitious)) if v is not None}
        return json_object(
            self._call("POST", f"/persons/{person_id}/attributes", body, ok=(200,), operation="setIdentityAttributes")
        )

    def verify_ins(self, person_id: str) -> dict[str, Any]:
        return json_object(
            self._call("POST", f"/persons/{person_id}/insi-verification", ok=(200,), operation="verifyIns")
        )

    def receive_identity(
        self, domain: str, traits: Traits, ins: dict[str, str] | None, status: str, data: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        body = {"domain": domain, "traits": traits_payload(traits), "ins": ins, "status": status, "data": data}
        return json_object(self._call("POST", "/received-identities", body, ok=(200, 201), operation="receiveIdentity"))

    def search_identities(self, birth_date: str, name: str | None = None) -> list[dict[str, Any]]:
        query = urlencode({"birth_date": birth_date, **({"name": name} if name is not None else {})})
        answer = json_object(self._call("GET", f"/identity-search?{query}", ok=(200,), operation="searchIdentities"))
        persons = answer.get("persons")
        return [p for p in persons if isinstance(p, dict)] if isinstance(persons, list) else []

    def lookup_ins_cpx(self, person_id: str, professional: str) -> dict[str, Any]:
        body = {"authentication": "cpx", "professional": professional}
        return json_object(
            self._call("POST", f"/persons/{person_id}/insi-lookup", body, ok=(200,), operation="lookupIns")
        )

    def lookup_ins_vitale(self, person_id: str, card: dict[str, str]) -> dict[str, Any]:
        return json_object(
            self._call("POST", f"/persons/{person_id}/insi-lookup", {"card": card}, ok=(200,), operation="lookupIns")
        )

    def document_nature(self, person_id: str) -> str | None:
        identity = json_object(self._call("GET", f"/persons/{person_id}/identity", ok=(200,), operation="getIdentity"))
        document = identity.get("identity_document")
        return str(document["type"]) if isinstance(document, dict) and document.get("type") else None

    def insi_trace(self) -> dict[str, Any]:
        return json_object(self._call("GET", "/insi/trace", ok=(200,), operation="getInsiTrace"))
