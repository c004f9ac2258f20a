"""HL7 v2 identity feeds in the reference DUI: trigger API routes, its MLLP listener, its ADT emission.

=======  ================================  ==========================================================
GET      /hl7v2/endpoint                   the DUI's MLLP listener (the feeds of the HL7 v2 partner)
POST     /persons/{id}/hl7v2/adt           ``{"event": "A28"|"A31"}``: emit this identity's ADT to the
                                           ``hl7v2`` endpoint, answer the ACK received
GET      /hl7v2/identities                 the identities stored from the feeds
=======  ================================  ==========================================================

Configured by the ``hl7v2`` entry of ``PUT /config/endpoints`` (``host``, ``mllp_port``, ``tls``,
``ca``, ``client_cert``, ``client_key``).
"""

from __future__ import annotations

import ssl
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from reference_dui.app import ApiError, guarded, json_body
from reference_dui.hl7v2.emit import STRUCTURES, adt_message
from reference_dui.hl7v2.er7 import Er7Error, parse
from reference_dui.hl7v2.feeds import FeedStore
from reference_dui.hl7v2.mllp import MllpServer, exchange
from reference_dui.identity import InvalidInput
from reference_dui.service import UnknownPerson

if TYPE_CHECKING:
    from reference_dui.service import DuiService

__all__ = ["Hl7v2Feature", "create"]


@dataclass(frozen=True)
class Partner:
    """The HL7 v2 partner the DUI sends its ADT messages to."""

    host: str
    port: int
    context: ssl.SSLContext | None


def _pem(entry: Mapping[str, Any], key: str) -> str | None:
    value = entry.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not Path(value).is_file():
        raise InvalidInput(f"hl7v2.{key} must be the path of a readable PEM file, not {value!r}")
    return value


def _partner(entry: Any) -> Partner:
    if not isinstance(entry, Mapping):
        raise InvalidInput("hl7v2 must be an object {url, host, mllp_port, tls, ca}")
    host, port = entry.get("host", "127.0.0.1"), entry.get("mllp_port")
    if not isinstance(host, str) or not isinstance(port, int) or isinstance(port, bool) or not 0 < port < 65536:
        raise InvalidInput("hl7v2.host must be a host name and hl7v2.mllp_port a port number")
    context = None
    if entry.get("tls"):
        context = ssl.create_default_context(cafile=_pem(entry, "ca"))
        cert, key = _pem(entry, "client_cert"), _pem(entry, "client_key")
        if cert and key:
            context.load_cert_chain(cert, key)
    return Partner(host, port, context)


class Hl7v2Feature:
    name = "hl7v2"

    def __init__(self, service: DuiService) -> None:
        self.service = service
        self.feeds = FeedStore(service.config.defects)
        self._lock = threading.Lock()
        self._partner: Partner | None = None
        self._listener: MllpServer | None = None  # started when the DUI is first asked for its endpoint

    # -- Feature protocol -----------------------------------------------------------------
    def routes(self) -> list[BaseRoute]:
        return [
            Route("/hl7v2/endpoint", guarded(self._endpoint_route), methods=["GET"]),
            Route("/persons/{person_id}/hl7v2/adt", guarded(self._emit_route), methods=["POST"]),
            Route("/hl7v2/identities", guarded(self._identities_route), methods=["GET"]),
        ]

    def configure(self, endpoints: Mapping[str, Any]) -> None:
        if "hl7v2" in endpoints:
            partner = _partner(endpoints["hl7v2"])
            with self._lock:
                self._partner = partner

    def reset(self) -> None:
        self.feeds.reset()

    def close(self) -> None:
        with self._lock:
            listener, self._listener = self._listener, None
        if listener is not None:
            listener.stop()

    def listener(self) -> MllpServer:
        """The DUI's MLLP listener on 127.0.0.1 (a free port), started once."""
        with self._lock:
            if self._listener is None:
                self._listener = MllpServer(self.feeds.receive).start()
            return self._listener

    # -- routes ---------------------------------------------------------------------------
    async def _endpoint_route(self, request: Request) -> Response:
        return JSONResponse({"host": "127.0.0.1", "port": self.listener().port, "tls": False})

    async def _identities_route(self, request: Request) -> Response:
        return JSONResponse(self.feeds.as_json())

    async def _emit_route(self, request: Request) -> Response:
        data = await json_body(request)
        event = data.get("event") if isinstance(data, dict) else None
        if event not in STRUCTURES:
            raise ApiError(400, f"event must be one of {', '.join(STRUCTURES)}")
        return JSONResponse(await run_in_threadpool(self.emit, request.path_params["person_id"], str(event)))

    def emit(self, person_id: str, event: str) -> dict[str, Any]:
        """Send the ADT of ``event`` for this person to the partner; the ACK code received."""
        record = self.service.store.get(person_id)
        if record is None:
            raise UnknownPerson(f"unknown person {person_id!r}")
        with self._lock:
            partner = self._partner
        if partner is None:
            raise ApiError(409, "no HL7 v2 partner configured: PUT /config/endpoints with an hl7v2 entry")
        control_id, payload = adt_message(record, event, self.service.config.defects)
        try:
            answer = exchange(
                partner.host, partner.port, payload, timeout=self.service.config.timeout, context=partner.context
            )
        except (OSError, TimeoutError) as exc:
            return {
                "event": event,
                "control_id": control_id,
                "ack_code": None,
                "message": f"HL7 v2 partner unreachable: {type(exc).__name__}",
            }
        try:
            msa = parse(answer).first("MSA")
        except Er7Error as exc:
            return {"event": event, "control_id": control_id, "ack_code": None, "message": f"unreadable ACK: {exc}"}
        code = msa[1] if msa is not None and len(msa) > 1 else None
        return {
            "event": event,
            "control_id": control_id,
            "ack_code": code,
            "message": "acquitté / acknowledged" if code in ("AA", "CA") else "refusé / refused",
        }


def create(service: DuiService) -> Hl7v2Feature:
    return Hl7v2Feature(service)
