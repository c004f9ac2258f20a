"""Trigger API routes of the INS identity lifecycle (the reference DUI's feature of service ``INS``).

=======  ===================================  ====================================================
PATCH    /persons/{pid}/traits                ``{changes, identity_manager?}``: edit traits (26, 27)
POST     /persons/{pid}/attributes            ``{doubtful?, fictitious?}``: identity attributes (25)
POST     /persons/{pid}/insi-verification    verify the stored INS with INSi (49)
POST     /received-identities                 an identity received from another domain (30, 51–55)
GET      /insi/trace                          every INSi verification and its answer (48, 53)
GET      /identity-search                     anteriority search: ``birth_date``, ``name`` (17)
POST     /identity-creations                  ``{fields}``: the creation form, 422 without a mandatory trait (5)
GET      /persons/{pid}/identity-audit        the accesses and changes of the identity (16)
=======  ===================================  ====================================================
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from reference_dui.app import ApiError, guarded, json_body
from reference_dui.ins_lifecycle.identity_rules import CreationRefused, IdentityAudit, create_from_form
from reference_dui.ins_lifecycle.lifecycle import Lifecycle, TraitsLocked
from reference_dui.ins_lifecycle.received import Verifier
from reference_dui.ins_lifecycle.search import anteriority_search

if TYPE_CHECKING:
    from reference_dui.service import DuiService

__all__ = ["InsLifecycleFeature", "create"]


class InsLifecycleFeature:
    name = "ins_lifecycle"

    def __init__(self, service: DuiService) -> None:
        self.service = service
        self.lifecycle = Lifecycle(service)
        self.verifier = Verifier(service)
        self.audit = IdentityAudit(service)

    def routes(self) -> list[BaseRoute]:
        async def traits(request: Request) -> Response:
            data = await json_body(request)
            try:
                answer = await run_in_threadpool(self.lifecycle.update_traits, request.path_params["pid"], data)
            except TraitsLocked as exc:
                raise ApiError(409, str(exc)) from None
            return JSONResponse(answer)

        async def attributes(request: Request) -> Response:
            data = await json_body(request)
            return JSONResponse(
                await run_in_threadpool(self.lifecycle.set_attributes, request.path_params["pid"], data)
            )

        async def verification(request: Request) -> Response:
            return JSONResponse(await run_in_threadpool(self.verifier.verify_person, request.path_params["pid"]))

        async def received(request: Request) -> Response:
            data = await json_body(request)
            return JSONResponse(await run_in_threadpool(self.verifier.receive, data), status_code=201)

        async def trace(request: Request) -> Response:
            return JSONResponse(await run_in_threadpool(self.verifier.trace))

        async def search(request: Request) -> Response:
            query = request.query_params
            return JSONResponse(
                await run_in_threadpool(anteriority_search, self.service, query.get("birth_date"), query.get("name"))
            )

        async def creation(request: Request) -> Response:
            data = await json_body(request)
            try:
                answer = await run_in_threadpool(create_from_form, self.service, data)
            except CreationRefused as exc:
                return JSONResponse({"error": str(exc), "missing": exc.missing}, status_code=422)
            return JSONResponse(answer, status_code=201)

        async def audit(request: Request) -> Response:
            return JSONResponse(await run_in_threadpool(self.audit.entries, request.path_params["pid"]))

        return [
            Route("/identity-creations", guarded(creation), methods=["POST"]),
            Route("/persons/{pid}/identity-audit", guarded(audit), methods=["GET"]),
            Route("/identity-search", guarded(search), methods=["GET"]),
            Route("/persons/{pid}/traits", guarded(traits), methods=["PATCH"]),
            Route("/persons/{pid}/attributes", guarded(attributes), methods=["POST"]),
            Route("/persons/{pid}/insi-verification", guarded(verification), methods=["POST"]),
            Route("/received-identities", guarded(received), methods=["POST"]),
            Route("/insi/trace", guarded(trace), methods=["GET"]),
        ]

    def configure(self, endpoints: Mapping[str, Any]) -> None:
        return None

    def reset(self) -> None:
        self.verifier.reset()
        self.audit.reset()

    def close(self) -> None:
        return None


def create(service: DuiService) -> InsLifecycleFeature:
    return InsLifecycleFeature(service)
