"""Trigger API operations of the INS guide's rules 5 and 16 and of the PSC-backed INSi search, over HTTP."""

from __future__ import annotations

from typing import Any

from harness.sut.parts.ins_rules import InsRulesDriver
from harness.sut.trigger_client import TriggerClient, json_object

__all__ = ["HttpInsRules"]


class HttpInsRules(TriggerClient, InsRulesDriver):
    """The INS rules part of :class:`~harness.sut.http_trigger.HttpTriggerDriver`."""

    def submit_identity_creation(self, fields: dict[str, Any]) -> dict[str, Any]:
        answer = json_object(
            self._call(
                "POST", "/identity-creations", {"fields": fields}, ok=(201, 422), operation="submitIdentityCreation"
            )
        )
        if "person_id" in answer:
            return {"created": True, "identity": answer}
        missing = answer.get("missing")
        return {
            "created": False,
            "error": answer.get("error"),
            "missing": [str(m) for m in missing] if isinstance(missing, list) else [],
        }

    def identity_audit(self, person_id: str) -> dict[str, Any]:
        return json_object(
            self._call("GET", f"/persons/{person_id}/identity-audit", ok=(200,), operation="getIdentityAudit")
        )

    def lookup_ins_psc(self, person_id: str) -> dict[str, Any]:
        return json_object(
            self._call(
                "POST", f"/persons/{person_id}/insi-lookup", {"authentication": "psc"}, ok=(200,), operation="lookupIns"
            )
        )
