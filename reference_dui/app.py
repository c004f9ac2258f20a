"""The trigger API of the reference DUI as a Starlette app, mounted at ``/harness/v1``.

Every error is a JSON ``{"error": "..."}`` with a 4xx/5xx status, never a traceback. Request
bodies are limited to 1 MB (413). The work itself (SQLite, INSi calls) runs in a worker thread
so that a slow INSi never blocks the server.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route

from reference_dui.identity import InvalidInput
from reference_dui.service import DuiService, UnknownPerson

__all__ = ["API_PREFIX", "MAX_BODY_BYTES", "ApiError", "build_app", "guarded", "json_body"]

API_PREFIX = "/harness/v1"
MAX_BODY_BYTES = 1024 * 1024
log = logging.getLogger("reference_dui")


class ApiError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


async def json_body(request: Request) -> Any:
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > MAX_BODY_BYTES:
        raise ApiError(413, f"request body larger than {MAX_BODY_BYTES} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise ApiError(413, f"request body larger than {MAX_BODY_BYTES} bytes")
        chunks.append(chunk)
    raw = b"".join(chunks)
    if not raw.strip():
        raise ApiError(400, "a JSON body is required")
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ApiError(400, f"invalid JSON body: {exc}") from None


Handler = Callable[[Request], Awaitable[Response]]


def guarded(handler: Handler) -> Handler:
    """Map the service's exceptions to JSON errors."""

    async def endpoint(request: Request) -> Response:
        try:
            return await handler(request)
        except ApiError as exc:
            return _error(exc.status, exc.message)
        except InvalidInput as exc:
            return _error(400, str(exc))
        except UnknownPerson as exc:
            return _error(404, str(exc))

    return endpoint


def build_app(service: DuiService) -> Starlette:
    """The Starlette application serving ``service`` under :data:`API_PREFIX`."""

    async def info(request: Request) -> Response:
        return JSONResponse(service.info())

    async def reset(request: Request) -> Response:
        await run_in_threadpool(service.reset)
        return Response(status_code=204)

    async def endpoints(request: Request) -> Response:
        data = await json_body(request)
        await run_in_threadpool(service.configure_endpoints, data)
        return Response(status_code=204)

    def in_order() -> None:
        """The ``mss_error_breaks_dui`` defect: after a mail error the DUI's other functions fail (SC.MSS/CONF.08)."""
        if service.mail_failure:
            raise ApiError(
                500, f"DUI hors service depuis une erreur de messagerie / out of order: {service.mail_failure}"
            )

    async def persons(request: Request) -> Response:
        in_order()
        if request.method == "GET":
            return JSONResponse(await run_in_threadpool(service.list_persons))
        data = await json_body(request)
        return JSONResponse(await run_in_threadpool(service.create_person, data), status_code=201)

    async def lookup(request: Request) -> Response:
        in_order()
        pid = request.path_params["pid"]
        has_body = request.headers.get("content-length", "0") not in ("", "0") or "transfer-encoding" in request.headers
        data = await json_body(request) if has_body else None  # optional: {authentication: cpx, professional}
        return JSONResponse(await run_in_threadpool(service.insi_lookup, pid, data))

    async def document(request: Request) -> Response:
        data = await json_body(request)
        pid = request.path_params["pid"]
        return JSONResponse(await run_in_threadpool(service.check_document, pid, data))

    async def identity(request: Request) -> Response:
        in_order()
        return JSONResponse(await run_in_threadpool(service.identity, request.path_params["pid"]))

    async def exchange(request: Request) -> Response:
        return JSONResponse(await run_in_threadpool(service.exchange_identity, request.path_params["pid"]))

    routes: list[BaseRoute] = [
        Route("/info", guarded(info), methods=["GET"]),
        Route("/reset", guarded(reset), methods=["POST"]),
        Route("/config/endpoints", guarded(endpoints), methods=["PUT"]),
        Route("/persons", guarded(persons), methods=["GET", "POST"]),
        Route("/persons/{pid}/insi-lookup", guarded(lookup), methods=["POST"]),
        Route("/persons/{pid}/identity-document", guarded(document), methods=["POST"]),
        Route("/persons/{pid}/identity", guarded(identity), methods=["GET"]),
        Route("/persons/{pid}/exchange-identity", guarded(exchange), methods=["GET"]),
    ]
    for feature in service.features:
        routes += feature.routes()

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        return _error(exc.status_code, str(exc.detail))

    async def crash(request: Request, exc: Exception) -> Response:
        log.exception("reference DUI: unexpected error on %s %s", request.method, request.url.path)
        return _error(500, f"internal error of the reference DUI: {exc.__class__.__name__}")

    return Starlette(
        routes=[Mount(API_PREFIX, routes=routes)],
        exception_handlers={HTTPException: http_error, Exception: crash},
    )
