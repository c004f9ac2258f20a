"""Control API of the MSSanté simulator, beside the common ``/_harness`` routes (same error answers;
a message delivered here is recorded through :class:`mocks.common.recording.ListenerRecording`).

=======  =====================================  ==================================================
GET      /_harness/mss/endpoints                mail listeners (host, ports, TLS modes)
GET      /_harness/mss/directory                the test directory (addresses, kinds, accounts)
GET      /_harness/mss/mailboxes                address -> number of messages received
GET      /_harness/mss/mailboxes/{address}      messages received by one mailbox
GET      /_harness/mss/messages/{id}            one received message, raw (message/rfc822)
POST     /_harness/mss/deliver?from=&to=        deliver the raw body (message/rfc822) to ``to``,
                                                as another operator would
=======  =====================================  ==================================================
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from mocks.common.control import control_error

if TYPE_CHECKING:
    from mocks.mssante.app import MssSimulator

__all__ = ["mss_routes"]


def mss_routes(sim: MssSimulator) -> list[BaseRoute]:
    async def endpoints(request: Request) -> Response:
        return JSONResponse(
            {
                "host": "127.0.0.1",
                "ports": sim.ports,
                "urls": sim.endpoints(),
                "tls": sim.mail_tls is not None,
                "max_message_bytes": sim.max_message_bytes,
            }
        )

    async def directory(request: Request) -> Response:
        return JSONResponse({"patient_domain": sim.directory.patient_domain, "entries": sim.directory.entries()})

    async def mailboxes(request: Request) -> Response:
        return JSONResponse(sim.store.addresses())

    async def mailbox(request: Request) -> Response:
        address = request.path_params["address"]
        return JSONResponse([m.as_dict() for m in sim.store.messages(address)])

    async def message(request: Request) -> Response:
        stored = sim.store.get(request.path_params["id"])
        if stored is None:
            return control_error(404, f"no message {request.path_params['id']!r}")
        return Response(stored.raw, media_type="message/rfc822")

    async def deliver(request: Request) -> Response:
        sender, recipient = request.query_params.get("from"), request.query_params.get("to")
        if not sender or not recipient:
            return control_error(400, "give ?from=<sender address>&to=<recipient address>")
        raw = bytearray()
        async for chunk in request.stream():
            raw.extend(chunk)
            if len(raw) > sim.max_message_bytes:
                return control_error(413, f"message larger than {sim.max_message_bytes} bytes")
        if not raw.strip():
            return control_error(400, "the body must be the raw message (message/rfc822)")
        try:
            stored = sim.deliver(bytes(raw), sender=sender, recipient=recipient)
        except ValueError as exc:
            return control_error(400, str(exc))
        return JSONResponse(stored.as_dict(), status_code=201)

    return [
        Route("/_harness/mss/endpoints", endpoints),
        Route("/_harness/mss/directory", directory),
        Route("/_harness/mss/mailboxes", mailboxes),
        Route("/_harness/mss/mailboxes/{address}", mailbox),
        Route("/_harness/mss/messages/{id}", message),
        Route("/_harness/mss/deliver", deliver, methods=["POST"]),
    ]
