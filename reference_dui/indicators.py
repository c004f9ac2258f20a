"""Usage indicators of the reference DUI: ``GET /indicators`` of the trigger API (optional operation).

What the reference DUI knows is INS-level: the persons it supports, their identity status, and
whether their record changed after creation (an INSi search or an identity document check).
It has no personalised projects and no agenda, so it does not give those figures (a harness
reports them *not exposed*). The period starts when the DUI started or was last reset.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from reference_dui.app import guarded

if TYPE_CHECKING:
    from reference_dui.service import DuiService

__all__ = ["IndicatorsFeature", "create"]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class IndicatorsFeature:
    name = "indicators"

    def __init__(self, service: DuiService) -> None:
        self.service = service
        self.since = _now()

    def figures(self) -> dict[str, Any]:
        records = self.service.store.list()
        return {
            "period_start": self.since.isoformat(),
            "period_end": _now().isoformat(),
            "people_supported": len(records),
            "records_updated": sum(1 for r in records if r.last_insi is not None or r.document_type is not None),
            "identities_total": len(records),
            "identities_qualified": sum(1 for r in records if r.status == "QUAL"),
        }

    def routes(self) -> list[BaseRoute]:
        async def indicators(request: Request) -> Response:
            return JSONResponse(await run_in_threadpool(self.figures))

        return [Route("/indicators", guarded(indicators), methods=["GET"])]

    def configure(self, endpoints: Mapping[str, Any]) -> None:
        return None

    def reset(self) -> None:
        self.since = _now()

    def close(self) -> None:
        return None


def create(service: DuiService) -> IndicatorsFeature:
    return IndicatorsFeature(service)
