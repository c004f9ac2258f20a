"""The DMP feature of the reference DUI: trigger API routes and ``PUT /config/endpoints`` entry.

========  ==============================================  ====================================
POST      /persons/{pid}/dmp/documents                    publish a DLU, PPA or N1 (``kind``)
POST      /persons/{pid}/dmp/documents/{did}/replace      publish a new version (RPLC)
POST      /persons/{pid}/dmp/documents/{did}/visibility   mask from professionals / hide from patient
POST      /persons/{pid}/dmp/documents/{did}/delete       delete a published document from the DMP
PUT       /persons/{pid}/dmp/opposition                   record or withdraw the opposition to feeding
PUT/GET   /persons/{pid}/dmp/consultation-consent         record / read the choice about consultation (consent)
POST      /persons/{pid}/documents/historical             keep a document of an earlier episode, unsent
PUT       /persons/{pid}/death                            record (or withdraw) the person's death
POST      /dmp/history/backfill                           the catch-up: historical documents of eligible persons
POST      /persons/{pid}/dmp/retrieve                     retrieve a FLUDR or VSM and integrate it
GET       /persons/{pid}/dmp/documents                    the DMP documents the DUI holds for the person
GET       /persons/{pid}/dmp/documents/{did}/self-presenting  the DLU / FLUDT self-presenting (doc_routes)
POST      /dmp/retry                                      send again the documents still pending
POST      /persons/{pid}/documents/validate               the professional validates a document: it is
                                                          sent to the DMP by itself, in the background
POST      /dmp/web-access                                 what the browser opens for the DMP's web PS (TD0.9)
========  ==============================================  ====================================

``PUT /config/endpoints`` entry ``dmp``: ``url`` (base URL of the DMP: the DUI calls
``/dmp/repository``, ``/dmp/registry``, ``/dmp/td02``), ``client_cert``/``client_key`` (mutual
TLS), ``ca``, and optionally ``signing_cert``/``signing_key`` for the VIHF (default: the test
PKI's ``signing-vihf`` of the configured PKI directory).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from reference_dui.app import guarded, json_body
from reference_dui.dmp import backfill, consent, doc_routes, feeding, lifecycle, webaccess
from reference_dui.dmp.client import DmpEndpoint
from reference_dui.dmp.service import DmpService
from reference_dui.identity import InvalidInput

if TYPE_CHECKING:
    from reference_dui.service import DuiService

__all__ = ["DmpFeature", "create"]


def _pem(entry: Mapping[str, Any], name: str) -> Path | None:
    value = entry.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or not Path(value).is_file():
        raise InvalidInput(f"dmp.{name} must be the path of a readable PEM file, not {value!r}")
    return Path(value)


class DmpFeature:
    name = "dmp"

    def __init__(self, service: DuiService) -> None:
        self.service = service
        self.dmp = DmpService(service)
        self.feeder = feeding.AutoFeeder(self.dmp)

    def configure(self, endpoints: Mapping[str, Any]) -> None:
        entry = endpoints.get("dmp")
        if entry is None:
            return
        if not isinstance(entry, Mapping) or not isinstance(entry.get("url"), str):
            raise InvalidInput("dmp must be an object with a url")
        parts = urlsplit(entry["url"])
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise InvalidInput(f"dmp.url must be an http(s) URL, not {entry['url']!r}")
        cert, key, ca = (_pem(entry, k) for k in ("client_cert", "client_key", "ca"))
        signing_cert, signing_key = _pem(entry, "signing_cert"), _pem(entry, "signing_key")
        pki = self.service.config.pki_dir
        if signing_cert is None and pki is not None and (pki / "signing-vihf.pem").is_file():
            signing_cert, signing_key = pki / "signing-vihf.pem", pki / "signing-vihf.key"
        signing = (signing_cert, signing_key or signing_cert) if signing_cert is not None else None
        self.dmp.endpoint = DmpEndpoint(entry["url"], cert, key, ca, signing)

    def reset(self) -> None:
        self.feeder.reset()
        self.dmp.reset()
        consent.reset(self.dmp)
        backfill.reset(self.dmp)

    def close(self) -> None:
        self.feeder.stop()

    def routes(self) -> list[BaseRoute]:
        dmp = self.dmp

        async def publish(request: Request) -> Response:
            if request.method == "GET":
                return JSONResponse(await run_in_threadpool(dmp.documents, request.path_params["pid"]))
            data = await json_body(request)
            result = await run_in_threadpool(dmp.publish, request.path_params["pid"], data)
            return JSONResponse(result, status_code=201)

        async def replace(request: Request) -> Response:
            data = await json_body(request)
            params = request.path_params
            return JSONResponse(await run_in_threadpool(dmp.replace, params["pid"], params["did"], data), 201)

        async def visibility(request: Request) -> Response:
            data = await json_body(request)
            params = request.path_params
            return JSONResponse(await run_in_threadpool(dmp.visibility, params["pid"], params["did"], data))

        async def retrieve(request: Request) -> Response:
            data = await json_body(request)
            return JSONResponse(await run_in_threadpool(dmp.retrieve, request.path_params["pid"], data))

        async def delete(request: Request) -> Response:
            params = request.path_params
            return JSONResponse(await run_in_threadpool(lifecycle.delete, dmp, params["pid"], params["did"]))

        async def opposition(request: Request) -> Response:
            data = await json_body(request)
            return JSONResponse(
                await run_in_threadpool(lifecycle.set_opposition, dmp, request.path_params["pid"], data)
            )

        async def consultation_consent(request: Request) -> Response:
            pid = request.path_params["pid"]
            if request.method == "GET":
                return JSONResponse(await run_in_threadpool(consent.choice, dmp, pid))
            data = await json_body(request)
            return JSONResponse(await run_in_threadpool(consent.record_choice, dmp, pid, data))

        async def historical(request: Request) -> Response:
            data = await json_body(request)
            pid = request.path_params["pid"]
            return JSONResponse(await run_in_threadpool(backfill.record_historical, dmp, pid, data), 201)

        async def death(request: Request) -> Response:
            data = await json_body(request)
            return JSONResponse(await run_in_threadpool(backfill.set_death, dmp, request.path_params["pid"], data))

        async def history_backfill(request: Request) -> Response:
            return JSONResponse(await run_in_threadpool(backfill.backfill, dmp))

        async def retry(request: Request) -> Response:
            return JSONResponse(await run_in_threadpool(dmp.retry))

        async def validate(request: Request) -> Response:
            data = await json_body(request)
            pid = request.path_params["pid"]
            return JSONResponse(await run_in_threadpool(feeding.validate, dmp, self.feeder, pid, data), 201)

        async def web_access(request: Request) -> Response:
            data = await json_body(request)
            return JSONResponse(await run_in_threadpool(webaccess.web_access, dmp, data))

        return [
            Route("/persons/{pid}/dmp/documents", guarded(publish), methods=["GET", "POST"]),
            Route("/persons/{pid}/dmp/documents/{did}/replace", guarded(replace), methods=["POST"]),
            Route("/persons/{pid}/dmp/documents/{did}/visibility", guarded(visibility), methods=["POST"]),
            Route("/persons/{pid}/dmp/documents/{did}/delete", guarded(delete), methods=["POST"]),
            Route("/persons/{pid}/dmp/opposition", guarded(opposition), methods=["PUT"]),
            Route("/persons/{pid}/dmp/consultation-consent", guarded(consultation_consent), methods=["GET", "PUT"]),
            Route("/persons/{pid}/dmp/retrieve", guarded(retrieve), methods=["POST"]),
            Route("/dmp/retry", guarded(retry), methods=["POST"]),
            Route("/persons/{pid}/documents/historical", guarded(historical), methods=["POST"]),
            Route("/persons/{pid}/death", guarded(death), methods=["PUT"]),
            Route("/dmp/history/backfill", guarded(history_backfill), methods=["POST"]),
            Route("/persons/{pid}/documents/validate", guarded(validate), methods=["POST"]),
            Route("/dmp/web-access", guarded(web_access), methods=["POST"]),
            *doc_routes.routes(dmp),
        ]


def create(service: DuiService) -> DmpFeature:
    return DmpFeature(service)
