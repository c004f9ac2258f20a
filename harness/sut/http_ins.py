"""Trigger API operations of the INS part (persons, INSi lookup, identity documents) over HTTP."""

from __future__ import annotations

from typing import Any

from harness.core.ins import Traits
from harness.sut.model import IdentityDocument, traits_payload
from harness.sut.parts.ins import InsDriver
from harness.sut.trigger_client import TriggerClient, json_object

__all__ = ["HttpIns"]


class HttpIns(TriggerClient, InsDriver):
    """The INS part of :class:`~harness.sut.http_trigger.HttpTriggerDriver`."""

    def create_person(self, traits: Traits, document: IdentityDocument | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"traits": traits_payload(traits)}
        if document is not None:
            body["identity_document"] = document.as_dict()
        return json_object(self._call("POST", "/persons", body, ok=(200, 201), operation="createPerson"))

    def lookup_ins(self, person_id: str) -> dict[str, Any]:
        return json_object(self._call("POST", f"/persons/{person_id}/insi-lookup", ok=(200,), operation="lookupIns"))

    def check_identity_document(self, person_id: str, document: IdentityDocument) -> dict[str, Any]:
        return json_object(
            self._call(
                "POST",
                f"/persons/{person_id}/identity-document",
                document.as_dict(),
                ok=(200,),
                operation="checkIdentityDocument",
            )
        )

    def identity(self, person_id: str) -> dict[str, Any]:
        return json_object(self._call("GET", f"/persons/{person_id}/identity", ok=(200,), operation="getIdentity"))

    def exchange_identity(self, person_id: str) -> dict[str, Any]:
        return json_object(
            self._call("GET", f"/persons/{person_id}/exchange-identity", ok=(200,), operation="getExchangeIdentity")
        )
