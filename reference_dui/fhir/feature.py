"""Trigger API of the reference DUI's FHIR features: TDDUI export to e-parcours, e-prescription.

=======  =====================================  ==============================================
POST     /persons/{pid}/eparcours/exports       export the person's record (DuiRecord) by flux 1
GET      /persons/{pid}/eparcours/exports       the exports and what the consumer answered
POST     /persons/{pid}/prescriptions           ``{"prescription_id"}``: retrieve and integrate
GET      /persons/{pid}/prescriptions           the prescriptions integrated for this person
POST     /persons/{pid}/administrations         ``{"prescription_id", "line_id", "administered_at"}``
GET      /persons/{pid}/administrations         the administrations held (transmitted or pending)
=======  =====================================  ==============================================

Configured by the ``eparcours`` and ``epresc`` entries of ``PUT /config/endpoints``
(``url`` = the FHIR base, ``client_cert``, ``client_key``, ``ca``).
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from reference_dui.app import guarded, json_body
from reference_dui.fhir import epresc
from reference_dui.fhir.cda import Essms
from reference_dui.fhir.client import FhirClient, FhirEndpoint
from reference_dui.fhir.store import FhirStore, now
from reference_dui.fhir.tddui import build_bundle
from reference_dui.identity import InvalidInput
from reference_dui.service import UnknownPerson

if TYPE_CHECKING:
    from reference_dui.service import DuiService
    from reference_dui.store import PersonRecord

__all__ = ["FhirFeature", "create"]

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _endpoint(name: str, entry: Any) -> FhirEndpoint:
    if not isinstance(entry, Mapping) or not isinstance(entry.get("url"), str):
        raise InvalidInput(f"{name} must be an object with a url (the FHIR base)")
    parts = urlsplit(entry["url"])
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InvalidInput(f"{name}.url must be an http(s) URL, not {entry['url']!r}")
    paths: dict[str, Path | None] = {}
    for key in ("client_cert", "client_key", "ca"):
        value = entry.get(key)
        if value is not None and (not isinstance(value, str) or not Path(value).is_file()):
            raise InvalidInput(f"{name}.{key} must be the path of a readable PEM file, not {value!r}")
        paths[key] = Path(value) if value else None
    return FhirEndpoint(entry["url"], paths["client_cert"], paths["client_key"], paths["ca"])


def _record(data: Any) -> dict[str, Any]:
    """Check a DuiRecord body: stay {id, start} required; evaluation and project optional."""
    if not isinstance(data, dict) or not isinstance(data.get("stay"), dict):
        raise InvalidInput("the body must be a DuiRecord {stay: {id, start}, evaluation?, project?, document?}")
    for block, required in (
        ("stay", ("id", "start")),
        ("evaluation", ("id", "date")),
        ("project", ("id", "title", "start")),
    ):
        value = data.get(block)
        if value is None and block != "stay":
            continue
        if not isinstance(value, dict) or any(not isinstance(value.get(k), str) or not value[k] for k in required):
            raise InvalidInput(f"{block} needs the string fields {', '.join(required)}")
        for key in ("start", "end", "date"):
            if value.get(key) is not None and not _DATE.match(str(value[key])):
                raise InvalidInput(f"{block}.{key} must be a date YYYY-MM-DD, not {value[key]!r}")
    items = (data.get("evaluation") or {}).get("items", [])
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise InvalidInput("evaluation.items must be a list of {code, question, answer}")
    if not isinstance(data.get("document", True), bool):
        raise InvalidInput("document must be a boolean")
    return data


class FhirFeature:
    """The reference DUI's FHIR exchanges (one instance per running DUI)."""

    name = "fhir"

    def __init__(self, service: DuiService) -> None:
        self.service = service
        db = service.config.db_path
        self.store = FhirStore(db.with_name(db.stem + "-fhir.sqlite3") if db is not None else None)
        self.essms = Essms()
        self.adapter = epresc.FhirR4Adapter()
        self._lock = threading.Lock()
        self._endpoints: dict[str, FhirEndpoint] = {}

    # -- Feature protocol ----------------------------------------------------------------------
    def routes(self) -> list[BaseRoute]:
        return [
            Route("/persons/{pid}/eparcours/exports", guarded(self._exports), methods=["GET", "POST"]),
            Route("/persons/{pid}/prescriptions", guarded(self._prescriptions), methods=["GET", "POST"]),
            Route("/persons/{pid}/administrations", guarded(self._administrations), methods=["GET", "POST"]),
        ]

    def configure(self, endpoints: Mapping[str, Any]) -> None:
        found = {name: _endpoint(name, endpoints[name]) for name in ("eparcours", "epresc") if name in endpoints}
        with self._lock:
            self._endpoints.update(found)

    def reset(self) -> None:
        self.store.reset()

    def close(self) -> None:
        self.store.close()

    # -- helpers ------------------------------------------------------------------------------------
    def _client(self, name: str) -> FhirClient | None:
        with self._lock:
            endpoint = self._endpoints.get(name)
        return FhirClient(endpoint, timeout=self.service.config.timeout) if endpoint is not None else None

    def _person(self, person_id: str) -> PersonRecord:
        record = self.service.store.get(person_id)
        if record is None:
            raise UnknownPerson(f"unknown person {person_id!r}")
        return record

    @staticmethod
    def _qualified_ins(record: PersonRecord) -> dict[str, str] | None:
        """The INS the DUI may use in an exchange: only for a qualified identity (RNIV EXI SI 08)."""
        return record.ins.to_json() if record.ins is not None and record.status == "QUAL" else None

    # -- e-parcours ---------------------------------------------------------------------------------
    def export(self, person_id: str, data: Any) -> dict[str, Any]:
        record = self._person(person_id)
        content = _record(data)
        person = {"person_id": person_id, "local_id": record.local_id or person_id, "traits": record.traits.to_json()}
        bundle = build_bundle(
            person, self._qualified_ins(record), record.status, content, self.essms, self.service.config.defects
        )
        outcome: dict[str, Any] = {
            "export_id": epresc.new_id(),
            "person_id": person_id,
            "at": now(),
            "http_status": None,
            "created": [],
        }
        client = self._client("eparcours")
        if client is None:
            outcome.update(outcome="error", message="plateforme e-parcours non configurée")
        else:
            with client:
                answer = client.post("/", bundle)
            outcome["http_status"] = answer.status or None
            body = answer.body if isinstance(answer.body, dict) else {}
            done = answer.status == 200 and body.get("type") == "transaction-response"
            if "tddui_refusal_as_accepted" in self.service.config.defects:  # any HTTP answer taken for success
                done = done or answer.status >= 400
            if done:
                created = [str((e.get("response") or {}).get("location")) for e in body.get("entry") or []]
                outcome.update(
                    outcome="accepted",
                    created=created,
                    message=f"{len(created)} ressource(s) créée(s) par la plateforme",
                )
            elif answer.status == 0:
                outcome.update(outcome="error", message=answer.diagnostics())
            else:
                outcome.update(
                    outcome="refused", message=f"export refusé, rien n'est transmis : {answer.diagnostics()}"
                )
        self.store.add_export(outcome)
        return {k: v for k, v in outcome.items() if k not in ("person_id", "at")}

    async def _exports(self, request: Request) -> Response:
        pid = request.path_params["pid"]
        if request.method == "GET":
            self._person(pid)
            return JSONResponse(await run_in_threadpool(self.store.exports, pid))
        data = await json_body(request)
        return JSONResponse(await run_in_threadpool(self.export, pid, data))

    # -- e-prescription -----------------------------------------------------------------------------
    def retrieve(self, person_id: str, data: Any) -> dict[str, Any]:
        record = self._person(person_id)
        uid = data.get("prescription_id") if isinstance(data, dict) else None
        if not isinstance(uid, str) or not uid.strip() or len(uid) > 128:
            raise InvalidInput("the body must be {prescription_id: the unique identifier read from the QR code}")
        client = self._client("epresc")
        if client is None:
            return {
                "prescription_id": uid,
                "outcome": "error",
                "lines": [],
                "message": "téléservice e-prescription non configuré",
            }
        rtype, params = self.adapter.query(uid.strip())
        with client:
            if "epresc_accept_xml" in self.service.config.defects:  # the XML habit of an older HL7 connector
                client.session.headers["Accept"] = "application/fhir+xml"
            answer = client.search(rtype, params)
        resident = self._qualified_ins(record)
        outcome, parsed = epresc.outcome_of_retrieval(
            answer, self.adapter, uid.strip(), resident, self.service.config.defects
        )
        if parsed is not None:
            self.store.put_prescription(person_id, parsed.prescription_id, parsed.patient_ref, parsed.ins, parsed.lines)
        return outcome

    async def _prescriptions(self, request: Request) -> Response:
        pid = request.path_params["pid"]
        if request.method == "GET":
            self._person(pid)
            return JSONResponse(await run_in_threadpool(self.store.prescriptions, pid))
        data = await json_body(request)
        return JSONResponse(await run_in_threadpool(self.retrieve, pid, data))

    def _send(self, client: FhirClient | None, resident: dict[str, str] | None, item: dict[str, Any]) -> str:
        prescriptions = {p["prescription_id"]: p for p in self.store.prescriptions(item["person_id"])}
        prescription = prescriptions.get(item["prescription_id"], {})
        line = next((x for x in prescription.get("lines", []) if x["line_id"] == item["line_id"]), None)
        if line is None:
            self.store.update_administration(item["administration_id"], "failed", "ligne inconnue", None)
            return "failed"
        status, message, location = epresc.administer(
            client, self.adapter, item, prescription, line, resident, self.service.config.defects
        )
        if status == "pending" and "epresc_lose_on_unavailable" in self.service.config.defects:
            self.store.delete_administration(item["administration_id"])
            return "lost"
        self.store.update_administration(item["administration_id"], status, message, location)
        return status

    def administer(self, person_id: str, data: Any) -> dict[str, Any]:
        record = self._person(person_id)
        if not isinstance(data, dict) or not all(
            isinstance(data.get(k), str) and data[k] for k in ("prescription_id", "line_id")
        ):
            raise InvalidInput("the body must be {prescription_id, line_id, administered_at?}")
        prescription = next(
            (p for p in self.store.prescriptions(person_id) if p["prescription_id"] == data["prescription_id"]), None
        )
        if prescription is None or not any(x["line_id"] == data["line_id"] for x in prescription["lines"]):
            raise InvalidInput(
                f"no line {data['line_id']!r} of an integrated prescription {data['prescription_id']!r} for this person"
            )
        at = data.get("administered_at") or dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        item = {
            "administration_id": epresc.new_id(),
            "person_id": person_id,
            "prescription_id": data["prescription_id"],
            "line_id": data["line_id"],
            "administered_at": at,
            "status": "pending",
            "message": "en cours d'envoi",
        }
        self.store.add_administration(item)  # written before it is sent: nothing lost
        client = self._client("epresc")
        try:
            for waiting in self.store.administrations(status="pending"):  # retry what waits first
                if waiting["administration_id"] != item["administration_id"]:
                    owner = self.service.store.get(waiting["person_id"])
                    self._send(client, self._qualified_ins(owner) if owner else None, waiting)
            status = self._send(client, self._qualified_ins(record), item)
        finally:
            if client is not None:
                client.close()
        saved = next(
            (a for a in self.store.administrations(person_id) if a["administration_id"] == item["administration_id"]),
            None,
        )
        if saved is None:
            return {
                **{k: item[k] for k in ("administration_id", "prescription_id", "line_id", "administered_at")},
                "status": "failed",
                "message": f"téléservice indisponible ({status})",
                "location": None,
            }
        return _administration_json(saved)

    async def _administrations(self, request: Request) -> Response:
        pid = request.path_params["pid"]
        if request.method == "GET":
            self._person(pid)
            rows = await run_in_threadpool(self.store.administrations, pid)
            return JSONResponse([_administration_json(r) for r in rows])
        data = await json_body(request)
        return JSONResponse(await run_in_threadpool(self.administer, pid, data), status_code=201)


def _administration_json(row: dict[str, Any]) -> dict[str, Any]:
    return {
        k: row.get(k)
        for k in ("administration_id", "prescription_id", "line_id", "administered_at", "status", "message", "location")
    }


def create(service: DuiService) -> FhirFeature:
    return FhirFeature(service)
