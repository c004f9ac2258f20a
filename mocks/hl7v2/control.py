"""Control API of the HL7 v2 simulator, beside the common ``/_harness`` routes (same error answers).

=======  ================================  ==========================================================
GET      /_harness/hl7v2/endpoints         the MLLP listener (host, port, TLS) the DUI sends ADT to
GET      /_harness/hl7v2/scenarios         the feed scenarios (``fixtures/hl7v2/feed-identities.json``)
POST     /_harness/hl7v2/feeds             ``{"scenario", "host", "port", "tls"?}``: send that ADT feed
                                           (A28/A31/A40/A47) to the DUI's MLLP endpoint; answers the
                                           recorded exchange (the DUI's ACK judged, ``HL7-ACK-01``)
POST     /_harness/hl7v2/hostile           ``{"case", "host", "port", "tls"?}``: send a hostile case
                                           (:mod:`mocks.hl7v2.hostile`); answers the exchange
GET      /_harness/hl7v2/received?since=   what the DUI sent to the listener and the ACKs answered
GET      /_harness/hl7v2/sent?since=        the feeds sent to the DUI and its ACKs
=======  ================================  ==========================================================
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from mocks.common.control import control_error
from mocks.common.server import LOOPBACK
from mocks.hl7v2.feeds import load_feeds

if TYPE_CHECKING:
    from mocks.hl7v2.service import Hl7v2Service

__all__ = ["feed_request", "hl7v2_routes"]


def feed_request(data: Any, key: str = "scenario") -> tuple[str, str, int, bool]:
    """``(scenario, host, port, tls)`` of a ``POST /_harness/hl7v2/feeds`` body (``case`` for ``/hostile``;
    ``ValueError`` when wrong).

    Only loopback targets: the simulator never sends test identities off the machine.
    """
    if not isinstance(data, dict):
        raise ValueError('expected {"scenario": ..., "host": "127.0.0.1", "port": ..., "tls": false}')
    scenario, host, port = data.get(key), data.get("host", LOOPBACK), data.get("port")
    if not isinstance(scenario, str) or not scenario:
        raise ValueError(f"{key} must be the name of a feed scenario or hostile case (GET /_harness/state)")
    if host not in (LOOPBACK, "localhost"):
        raise ValueError(f"host must be {LOOPBACK} (the simulator sends feeds on loopback only), not {host!r}")
    if not isinstance(port, int) or isinstance(port, bool) or not 0 < port < 65536:
        raise ValueError(f"port must be the DUI's MLLP port (1-65535), not {port!r}")
    return scenario, LOOPBACK, port, bool(data.get("tls", False))


def hl7v2_routes(sim: Hl7v2Service) -> list[BaseRoute]:
    async def endpoints(request: Request) -> Response:
        return JSONResponse({"mllp": sim.mllp.url, **sim.endpoint_details()})

    async def scenarios(request: Request) -> Response:
        feeds = load_feeds()["scenarios"]
        return JSONResponse(
            {
                name: {"event": spec["event"], "person": spec["person"], "expected": spec["expected"]}
                for name, spec in sorted(feeds.items())
            }
        )

    async def feeds(request: Request) -> Response:
        try:
            scenario, host, port, tls = feed_request(json.loads(await request.body() or b"{}"))
            exchange = await run_in_threadpool(sim.send_feed, scenario, host, port, tls=tls)
        except json.JSONDecodeError as exc:
            return control_error(400, f"body is not valid JSON: {exc.msg}")
        except (ValueError, KeyError) as exc:
            return control_error(400, str(exc).strip("'\""))
        return JSONResponse(exchange.as_dict(), status_code=201)

    async def hostile(request: Request) -> Response:
        try:
            case, host, port, tls = feed_request(json.loads(await request.body() or b"{}"), "case")
            exchange = await run_in_threadpool(sim.send_hostile, case, host, port, tls=tls)
        except json.JSONDecodeError as exc:
            return control_error(400, f"body is not valid JSON: {exc.msg}")
        except (ValueError, KeyError) as exc:
            return control_error(400, str(exc).strip("'\""))
        return JSONResponse(exchange.as_dict(), status_code=201)

    async def received(request: Request) -> Response:
        return JSONResponse([e.as_dict() for e in sim.received(request.query_params.get("since"))])

    async def sent(request: Request) -> Response:
        return JSONResponse([e.as_dict() for e in sim.sent(request.query_params.get("since"))])

    return [
        Route("/_harness/hl7v2/endpoints", endpoints),
        Route("/_harness/hl7v2/scenarios", scenarios),
        Route("/_harness/hl7v2/feeds", feeds, methods=["POST"]),
        Route("/_harness/hl7v2/hostile", hostile, methods=["POST"]),
        Route("/_harness/hl7v2/received", received),
        Route("/_harness/hl7v2/sent", sent),
    ]
