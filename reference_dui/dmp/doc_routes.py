"""Trigger API routes of the outgoing documents that are not DMP transactions: the self-presenting file.

========  ==========================================================  ==============================
GET       /persons/{pid}/dmp/documents/{did}/self-presenting           the DLU / FLUDT self-presenting
========  ==========================================================  ==============================

Answer: ``{document_id, kind, media_type, content_base64}`` (SC.DOC.08.MS1); 404 for a document
the DUI did not produce for the person, 422 for a kind that has no self-presenting form (the
unstructured PDF documents). ``cda_not_self_presenting`` hands out the bare CDA instead;
``cda_stylesheet_titles_only`` a stylesheet that shows the sections' titles, not their narratives.
"""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from reference_dui.app import ApiError, guarded
from reference_dui.dmp.self_presenting import self_presenting

if TYPE_CHECKING:
    from reference_dui.dmp.service import DmpService

__all__ = ["routes", "self_presenting_of"]

PRESENTED = ("DLU", "FLUDT")


def self_presenting_of(dmp: DmpService, person_id: str, document_id: str) -> dict[str, Any]:
    doc = dmp._owned(person_id, document_id)
    if doc.kind not in PRESENTED:
        raise ApiError(422, f"document {document_id} ({doc.kind}) has no self-presenting form (DLU, FLUDT only)")
    bare = "cda_not_self_presenting" in dmp.defects
    content = doc.cda if bare else self_presenting(doc.cda, narratives="cda_stylesheet_titles_only" not in dmp.defects)
    return {
        "document_id": doc.document_id,
        "kind": doc.kind,
        "media_type": "text/xml" if bare else "text/xsl",
        "content_base64": base64.b64encode(content).decode("ascii"),
    }


def routes(dmp: DmpService) -> list[BaseRoute]:
    async def presented(request: Request) -> Response:
        params = request.path_params
        return JSONResponse(await run_in_threadpool(self_presenting_of, dmp, params["pid"], params["did"]))

    return [Route("/persons/{pid}/dmp/documents/{did}/self-presenting", guarded(presented), methods=["GET"])]
