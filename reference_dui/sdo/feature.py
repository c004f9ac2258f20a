"""The SI-SdO flows in the reference DUI (CNSA orientation decisions, ANS IG ``ans.fhir.fr.sdo``).

=======  ==========================================  ===================================================
POST     /sdo/decisions/sync                         flux 1: search the decisions (J-30 at the first
                                                     connection, J-1 after), read each, keep it
POST     /sdo/decisions/{idNatDecision}/consent      flux 2: ``{"date"}``, POST Consent (ESMSConsent)
POST     /sdo/decisions/{idNatDecision}/evaluation   flux 3: search the evaluation, keep it
POST     /sdo/decisions/{idNatDecision}/status       flux 4: ``{"status", "date"}``, POST Task (ESMSTask)
POST     /sdo/notifications/sync                     flux 5: search the SdO's notifications, keep them
=======  ==========================================  ===================================================

Configured by the ``sdo`` entry of ``PUT /config/endpoints`` (``url``: the SdO's FHIR base,
``struct_idnat``: the ESMS's idNat_Struct; ``client_cert``, ``client_key``, ``ca``). Without it every
route answers 501 (a DUI of a non-disability ESMS does not exchange with the SI-SdO).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from reference_dui.app import ApiError, guarded, json_body
from reference_dui.fhir.client import FhirAnswer, FhirClient
from reference_dui.fhir.feature import _endpoint
from reference_dui.identity import InvalidInput
from reference_dui.sdo import resources

if TYPE_CHECKING:
    from reference_dui.service import DuiService

__all__ = ["SdoFeature", "create"]

ESMS_NAME = "ESMS DE TEST DUI-HARNESS"


class _SdoClient(FhirClient):
    def __enter__(self) -> _SdoClient:
        return self

    def read(self, rtype: str, rid: str) -> FhirAnswer:
        return self._send("GET", f"/{rtype}/{rid}")


@dataclass
class _Decision:
    id_nat_decision: str
    id_decision: str
    document_reference: str
    document: bytes
    consent_sent: bool = False
    evaluation: bytes | None = None
    evaluation_reference: str | None = None


@dataclass
class _State:
    decisions: dict[str, _Decision] = field(default_factory=dict)
    notifications: dict[str, dict[str, Any]] = field(default_factory=dict)
    synced_decisions: bool = False
    synced_notifications: bool = False


def _entries(answer: FhirAnswer) -> list[dict[str, Any]]:
    body = answer.body if isinstance(answer.body, dict) else {}
    return [
        e["resource"] for e in body.get("entry") or [] if isinstance(e, dict) and isinstance(e.get("resource"), dict)
    ]


def _identifier(resource: Mapping[str, Any], use: str) -> str:
    for ident in resource.get("identifier") or []:
        if isinstance(ident, dict) and ident.get("use") == use and isinstance(ident.get("value"), str):
            return str(ident["value"])
    return ""


def _document(resource: Mapping[str, Any]) -> bytes:
    for content in resource.get("content") or []:
        data = (content.get("attachment") or {}).get("data") if isinstance(content, dict) else None
        if isinstance(data, str):
            try:
                return base64.b64decode(data, validate=True)
            except (binascii.Error, ValueError):
                return b""
    return b""


def _input(task: Mapping[str, Any], code: str) -> Any:
    for item in task.get("input") or []:
        codes = [c.get("code") for c in ((item.get("type") or {}).get("coding") or []) if isinstance(c, dict)]
        if code in codes:
            for key, value in item.items():
                if key.startswith("value"):
                    return value
    return None


class SdoFeature:
    name = "sdo"

    def __init__(self, service: DuiService) -> None:
        self.service = service
        self.defects = service.config.defects
        self._lock = threading.Lock()
        self._state = _State()
        self._endpoint: Any = None
        self._struct = ""

    # -- Feature protocol -----------------------------------------------------------------
    def routes(self) -> list[BaseRoute]:
        return [
            Route("/sdo/decisions/sync", guarded(self._sync_route), methods=["POST"]),
            Route("/sdo/decisions/{id_nat}/consent", guarded(self._consent_route), methods=["POST"]),
            Route("/sdo/decisions/{id_nat}/evaluation", guarded(self._evaluation_route), methods=["POST"]),
            Route("/sdo/decisions/{id_nat}/status", guarded(self._status_route), methods=["POST"]),
            Route("/sdo/notifications/sync", guarded(self._notifications_route), methods=["POST"]),
        ]

    def configure(self, endpoints: Mapping[str, Any]) -> None:
        if "sdo" in endpoints:
            entry = endpoints["sdo"]
            endpoint = _endpoint("sdo", entry)
            struct = entry.get("struct_idnat")
            if not isinstance(struct, str) or not struct:
                raise InvalidInput("sdo.struct_idnat must be the ESMS's idNat_Struct (1 + FINESS)")
            with self._lock:
                self._endpoint, self._struct = endpoint, struct

    def reset(self) -> None:
        with self._lock:
            self._state = _State()

    def close(self) -> None:
        """Nothing held between calls (one client per flow)."""

    def _client(self) -> _SdoClient:
        with self._lock:
            endpoint = self._endpoint
        if endpoint is None:
            raise ApiError(501, "no SI-SdO configured: PUT /config/endpoints with an sdo entry")
        return _SdoClient(endpoint, timeout=self.service.config.timeout)

    def _decision(self, id_nat: str) -> _Decision:
        with self._lock:
            found = self._state.decisions.get(id_nat)
        if found is None:
            raise ApiError(404, f"no orientation decision {id_nat!r} in the DUI")
        return found

    # -- flows ----------------------------------------------------------------------------
    def sync_decisions(self) -> list[dict[str, Any]]:
        with self._client() as client:
            first = not self._state.synced_decisions
            answer = client.search("DocumentReference", resources.decision_query(first, self.defects))
            if not answer.ok:
                raise ApiError(502, f"SI-SdO search failed: {answer.diagnostics()}")
            for found in _entries(answer):
                read = client.read("DocumentReference", str(found.get("id")))
                if not read.ok or not isinstance(read.body, dict):
                    continue
                decision = _Decision(
                    _identifier(read.body, "official"),
                    _identifier(read.body, "usual"),
                    str(read.body.get("id")),
                    b"" if "sdo_cda_not_kept" in self.defects else _document(read.body),
                )
                with self._lock:
                    known = self._state.decisions.get(decision.id_nat_decision)
                    if known is not None:
                        decision.consent_sent = known.consent_sent
                    self._state.decisions[decision.id_nat_decision] = decision
        with self._lock:
            self._state.synced_decisions = True
            return [
                {
                    "id_nat_decision": d.id_nat_decision,
                    "id_decision": d.id_decision,
                    "document_reference": d.document_reference,
                    "document_sha256": hashlib.sha256(d.document).hexdigest(),
                    "consent_sent": d.consent_sent,
                }
                for d in self._state.decisions.values()
            ]

    def send_consent(self, id_nat: str, date: str) -> dict[str, Any]:
        decision = self._decision(id_nat)
        body = resources.consent(self._struct, id_nat, decision.document_reference, date, self.defects)
        with self._client() as client:
            answer = client.post("/Consent", body)
        decision.consent_sent = answer.status == 201
        return _sent(answer)

    def fetch_evaluation(self, id_nat: str) -> dict[str, Any]:
        decision = self._decision(id_nat)
        query = resources.evaluation_query(id_nat, decision.id_decision, self.defects)
        with self._client() as client:
            answer = client.search("DocumentReference", query)
        found = _entries(answer) if answer.ok else []
        if found:
            decision.evaluation = _document(found[0])
            decision.evaluation_reference = str(found[0].get("id"))
        return {
            "id_nat_decision": id_nat,
            "found": bool(found),
            "document_reference": decision.evaluation_reference,
            "document_sha256": hashlib.sha256(decision.evaluation).hexdigest()
            if decision.evaluation is not None
            else None,
        }

    def send_status(self, id_nat: str, status: str, date: str) -> dict[str, Any]:
        decision = self._decision(id_nat)
        body = resources.task(self._struct, ESMS_NAME, decision.id_decision, id_nat, status, date, self.defects)
        with self._client() as client:
            answer = client.post("/Task", body)
        return _sent(answer)

    def sync_notifications(self) -> list[dict[str, Any]]:
        with self._client() as client:
            first = not self._state.synced_notifications
            answer = client.search("Task", resources.notification_query(first, self.defects))
        if not answer.ok:
            raise ApiError(502, f"SI-SdO search failed: {answer.diagnostics()}")
        with self._lock:
            for task in _entries(answer):
                decision, struct, status = (_input(task, c) for c in ("idNat_Decision", "idNat_Struct", "statutESMS"))
                codes = [c.get("code") for c in (status or {}).get("coding") or [] if isinstance(c, dict)]
                self._state.notifications[str(task.get("id"))] = {
                    "task_id": str(task.get("id")),
                    "id_nat_decision": str((decision or {}).get("value") or ""),
                    "id_nat_struct": str((struct or {}).get("value") or ""),
                    "status": codes[0] if codes else None,
                }
            self._state.synced_notifications = True
            return list(self._state.notifications.values())

    # -- routes ---------------------------------------------------------------------------
    async def _sync_route(self, request: Request) -> Response:
        return JSONResponse(await run_in_threadpool(self.sync_decisions))

    async def _consent_route(self, request: Request) -> Response:
        data = await json_body(request)
        date = data.get("date") if isinstance(data, dict) else None
        if not isinstance(date, str) or not date:
            raise ApiError(400, "date (YYYY-MM-DD) is required")
        return JSONResponse(await run_in_threadpool(self.send_consent, request.path_params["id_nat"], date))

    async def _evaluation_route(self, request: Request) -> Response:
        return JSONResponse(await run_in_threadpool(self.fetch_evaluation, request.path_params["id_nat"]))

    async def _status_route(self, request: Request) -> Response:
        data = await json_body(request)
        status, date = (data.get(k) if isinstance(data, dict) else None for k in ("status", "date"))
        if not isinstance(status, str) or not isinstance(date, str):
            raise ApiError(400, "status (TRE_R357 code) and date (YYYY-MM-DD) are required")
        return JSONResponse(await run_in_threadpool(self.send_status, request.path_params["id_nat"], status, date))

    async def _notifications_route(self, request: Request) -> Response:
        return JSONResponse(await run_in_threadpool(self.sync_notifications))


def _sent(answer: FhirAnswer) -> dict[str, Any]:
    body = answer.body if isinstance(answer.body, dict) else {}
    return {
        "sent": answer.status == 201,
        "http_status": answer.status,
        "resource_id": str(body["id"]) if answer.status == 201 and "id" in body else None,
        "message": "transmis / sent" if answer.status == 201 else answer.diagnostics(),
    }


def create(service: DuiService) -> SdoFeature:
    return SdoFeature(service)
