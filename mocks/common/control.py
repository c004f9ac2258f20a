"""The control API every simulator exposes under ``/_harness``: exchanges, faults, state.

Tests in the harness process use the Python objects directly; a harness driving a
simulator started with ``dui-harness serve`` (or an editor exploring it) uses these routes:

=======  ==============================  ==============================================
GET      /_harness/health                service name and harness version
GET      /_harness/exchanges             recorded exchanges (``?transaction=&since=``)
GET      /_harness/exchanges/{id}/{side}  raw ``request`` or ``response`` bytes
GET      /_harness/faults                faults waiting to be applied
POST     /_harness/faults                add one: ``{"kind", "operation", "times", "params"}``
DELETE   /_harness/faults                clear them
GET      /_harness/state                 scenario state (e.g. the identity base)
PATCH    /_harness/state                 change scenario state
POST     /_harness/reset                 clear faults and scenario changes
=======  ==============================  ==============================================
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from harness import __version__

if TYPE_CHECKING:
    from mocks.common.simulator import Simulator

__all__ = ["control_error", "control_routes", "redact"]


_SECRETS = (
    re.compile(rb'("(?:access_token|id_token|refresh_token|client_secret|code)"\s*:\s*")([^"]{4})[^"]*(")'),
    re.compile(rb"((?:^|&|\?)(?:client_secret|code|access_token|refresh_token)=)([^&\s]{0,4})[^&\s]*()", re.M),
    re.compile(rb"(?im)^(authorization:\s*(?:bearer|basic)\s+)(\S{0,4})\S*()"),
)


def redact(raw: bytes) -> bytes:
    """Raw HTTP bytes with live tokens and secrets cut to their first 4 characters (issue 17).

    The control API shows exchanges to whoever holds the run's token; a live access token or the
    PSC client secret shown there could still be replayed (userinfo answered 200), so they are
    masked. The evidence files keep the raw bytes (written 0600).
    """
    for pattern in _SECRETS:
        raw = pattern.sub(rb"\1\2...(masked)\3", raw)
    return raw


def control_error(status: int, message: str) -> JSONResponse:
    """The one error answer of every control API route (``{"error": message}``)."""
    return JSONResponse({"error": message}, status_code=status)


async def _json_body(request: Request) -> Any:
    raw = await request.body()
    if len(raw) > 1024 * 1024:
        raise ValueError("control request body larger than 1 MiB")
    try:
        return json.loads(raw or b"{}")
    except json.JSONDecodeError as exc:
        raise ValueError(f"body is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}") from None


def control_routes(sim: Simulator) -> list[Route]:
    async def health(request: Request) -> Response:
        return JSONResponse({"service": sim.service, "harness_version": __version__, "url": sim.url})

    async def exchanges(request: Request) -> Response:
        found = sim.recorder.exchanges(
            service=sim.service,
            transaction=request.query_params.get("transaction"),
            since=request.query_params.get("since"),
        )
        return JSONResponse([e.as_dict() for e in found])

    async def exchange_side(request: Request) -> Response:
        wanted, side = request.path_params["id"], request.path_params["side"]
        for exchange in sim.recorder.exchanges(service=sim.service):
            if exchange.id == wanted:
                message = exchange.request if side == "request" else exchange.response
                if message is None:
                    break
                return Response(redact(message.raw()), media_type="message/http")
        return control_error(404, f"no {side} recorded for exchange {wanted!r}")

    async def faults(request: Request) -> Response:
        if request.method == "DELETE":
            sim.faults.clear()
            return JSONResponse({"faults": []})
        if request.method == "POST":
            try:
                data = await _json_body(request)
                if not isinstance(data, dict) or "kind" not in data:
                    raise ValueError('expected {"kind": ..., "operation": ..., "times": ..., "params": {...}}')
                fault = sim.faults.add(
                    str(data["kind"]), data.get("operation"), data.get("times", 1), **dict(data.get("params") or {})
                )
            except (ValueError, TypeError) as exc:
                return control_error(400, str(exc))
            return JSONResponse(fault.as_dict(), status_code=201)
        return JSONResponse({"faults": [f.as_dict() for f in sim.faults.pending()], "kinds": list(sim.faults.kinds)})

    async def state(request: Request) -> Response:
        if request.method == "PATCH":
            try:
                data = await _json_body(request)
                if not isinstance(data, dict):
                    raise ValueError("expected a JSON object")
                sim.update_state(data)
            except (ValueError, TypeError, KeyError) as exc:
                return control_error(400, str(exc))
        return JSONResponse(sim.state())

    async def reset(request: Request) -> Response:
        sim.reset()
        return JSONResponse({"reset": True})

    return [
        Route("/_harness/health", health),
        Route("/_harness/exchanges", exchanges),
        Route("/_harness/exchanges/{id}/{side:str}", exchange_side),
        Route("/_harness/faults", faults, methods=["GET", "POST", "DELETE"]),
        Route("/_harness/state", state, methods=["GET", "PATCH"]),
        Route("/_harness/reset", reset, methods=["POST"]),
    ]
