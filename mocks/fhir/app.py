"""A FHIR R4 server simulator on loopback: the HTTP face of :class:`~mocks.fhir.engine.FhirEngine`.

The FHIR base is the server root (``[base]`` = ``http(s)://127.0.0.1:<port>``)::

    GET    [base]/metadata                       CapabilityStatement (built from what is served)
    POST   [base]/                               transaction or batch Bundle
    GET    [base]/_history                       history of the whole server
    GET    [base]/{type}?params                  search-type (also POST [base]/{type}/_search, form body)
    POST   [base]/{type}                         create (If-None-Exist: conditional create)
    PUT    [base]/{type}?criteria                conditional update
    DELETE [base]/{type}?criteria                conditional delete
    GET    [base]/{type}/_history                history of a type
    GET    [base]/{type}/{id}                    read (If-None-Match / If-Modified-Since: 304)
    PUT    [base]/{type}/{id}                    update (If-Match: 412 on another version)
    DELETE [base]/{type}/{id}                    delete
    GET    [base]/{type}/{id}/_history[/{vid}]   history of an instance / vread

JSON only (``application/fhir+json``; ``application/json`` accepted). ``Prefer: return=minimal``
answers writes without a body, ``return=OperationOutcome`` with an OperationOutcome. Every error
is an ``OperationOutcome`` with severity, code, expression and a diagnostics sentence: an unknown
path (404), invalid JSON, duplicate keys, wrong or missing Content-Type (415), an Accept or
``_format`` asking for XML (406), bodies over ``max_body`` (413), nesting deeper than 64 levels
or more than 500 entries (413/422), wrong resource types (400/404), profile failures (422),
failed preconditions (412). Nothing is written when an interaction fails. Faults (control API):
``http_status``, ``delay`` and ``reject`` (answer the next interaction with an OperationOutcome:
``status``, ``code``, ``diagnostics``).
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import parse_qsl

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.routing import BaseRoute, Route

from harness import __version__
from harness.core.findings import Finding
from harness.core.recorder import Exchange, Recorder
from harness.validators.fhir.jsonio import FhirInputError, parse_fhir_json
from harness.validators.fhir.structure import check_structure
from mocks.common.faults import Fault
from mocks.common.pipeline import Answer, Call
from mocks.common.server import TlsSettings
from mocks.common.simulator import Simulator
from mocks.fhir.engine import FhirEngine, Result
from mocks.fhir.http import CAPABILITY, Headers, capability_statement, content_type, interaction, negotiate
from mocks.fhir.outcome import FHIR_JSON, FhirError, operation_outcome
from mocks.fhir.store import ResourceStore

__all__ = ["FhirSimulator"]

_ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
#: interactions whose request body is a FHIR resource or Bundle
_WITH_BODY = ("bundle", "create", "update", "conditional-update")


@dataclass
class _FhirCall:
    """What one FHIR interaction gathers: the parsed body, the engine's result, the findings (once each)."""

    body: Any = None
    result: Result | None = None
    findings: list[Finding] = field(default_factory=list)
    #: the raw form of ``POST [type]/_search``
    form: bytes = b""
    headers: Headers = field(default_factory=Headers)

    def add(self, findings: Iterable[Finding]) -> None:
        known = {(f.rule, f.location, f.message) for f in self.findings}
        for finding in findings:
            if (finding.rule, finding.location, finding.message) not in known:
                known.add((finding.rule, finding.location, finding.message))
                self.findings.append(finding)


class FhirSimulator(Simulator):
    """A FHIR R4 server; subclasses set ``service``, ``resource_types`` and validation.

    Args:
        recorder: the run's recorder.
        port: 0 for a free port.
        tls: TLS settings (None: plain HTTP).
        db_path: SQLite file of the resources (None: in memory); kept across the run.
    """

    service = "FHIR"
    title = "dui-harness FHIR R4 server"
    fault_kinds = ("reject",)
    allowed_methods = None  # per route: prepare() answers 405
    #: resource type -> interactions served
    resource_types: ClassVar[dict[str, tuple[str, ...]]] = {}
    #: requirement id of structure findings on what clients write
    structure_requirement = "EPARCOURS-FHIR-01"

    def __init__(
        self, recorder: Recorder, *, port: int = 0, tls: TlsSettings | None = None, db_path: Path | None = None
    ) -> None:
        self.store = ResourceStore(db_path)
        self.engine = FhirEngine(self.store, self.resource_types, self.validate_resource)
        super().__init__(recorder, port=port, tls=tls)

    # -- what subclasses may change ------------------------------------------------------------
    def validate_resource(self, rtype: str, resource: dict[str, Any], where: str) -> list[Finding]:
        """Findings on a resource a client writes (ERROR refuses with 422)."""
        return check_structure(resource, requirement=self.structure_requirement, path=where)

    def validate_bundle(self, bundle: Any) -> list[Finding]:
        """Findings on a whole ``POST [base]/`` body, before any processing (ERROR refuses with 422)."""
        return []

    def describe(self, exchange: Exchange, interaction: str, body: Any, result: Result | None) -> None:
        """Add service-specific summary and tags to a recorded exchange."""

    # -- state ------------------------------------------------------------------------------------
    def state(self) -> dict[str, Any]:
        return {"base": self.url, "resources": self.store.counts(), "served": sorted(self.resource_types)}

    def update_state(self, data: dict[str, Any]) -> None:
        """``{"clear": true}`` empties the store."""
        unknown = set(data) - {"clear"}
        if unknown:
            raise ValueError(f"unknown {self.service} state keys {sorted(unknown)}; known: clear")
        if data.get("clear"):
            self.store.clear()

    def reset(self) -> None:
        super().reset()
        self.store.clear()

    def stop(self) -> None:
        super().stop()
        self.store.close()

    def transport_refusal(self, status: int, reason: str) -> tuple[int, str, bytes]:
        error = FhirError(status, "too-costly" if status == 431 else "timeout", reason)
        return status, FHIR_JSON, json.dumps(error.outcome()).encode()

    def oversize_response(self, reason: str) -> tuple[int, str, bytes]:
        error = FhirError(413, "too-costly", f"{reason} (FHIR body too large)")
        return 413, FHIR_JSON, json.dumps(error.outcome()).encode()

    def capability_statement(self) -> dict[str, Any]:
        return capability_statement(
            self.title, self.service.replace("-", ""), self.url, __version__, self.resource_types
        )

    # -- HTTP -------------------------------------------------------------------------------------
    def routes(self) -> list[BaseRoute]:
        return [
            Route("/metadata", self.handler("capabilities"), methods=_ALL_METHODS),
            Route("/", self.handler("bundle"), methods=_ALL_METHODS),
            Route("/_history", self.handler("system-history"), methods=_ALL_METHODS),
            Route("/{rtype}", self.handler("type"), methods=_ALL_METHODS),
            Route("/{rtype}/_search", self.handler("search"), methods=_ALL_METHODS),
            Route("/{rtype}/_history", self.handler("type-history"), methods=_ALL_METHODS),
            Route("/{rtype}/{rid}", self.handler("instance"), methods=_ALL_METHODS),
            Route("/{rtype}/{rid}/_history", self.handler("instance-history"), methods=_ALL_METHODS),
            Route("/{rtype}/{rid}/_history/{vid}", self.handler("vread"), methods=_ALL_METHODS),
            Route("/{rest:path}", self.handler("unknown"), methods=_ALL_METHODS),
        ]

    # -- one request: the stages of mocks.common.pipeline ------------------------------------
    async def prepare(self, call: Call) -> Answer | None:
        """The interaction (from the route and the method: 405 otherwise) and content negotiation (406)."""
        call.parsed = _FhirCall()
        try:
            call.operation = interaction(call.route, call.request.method)
            negotiate(call.request)
        except FhirError as exc:
            return self._refusal(call, exc)
        return None

    def unavailable(self, call: Call, status: int, params: dict[str, Any]) -> Answer:
        return self._refusal(
            call,
            FhirError(
                status,
                "transient" if status >= 500 else "processing",
                str(
                    params.get(
                        "diagnostics", f"service indisponible / unavailable (dui-harness: injected HTTP {status})"
                    )
                ),
            ),
        )

    async def apply_fault(self, call: Call, fault: Fault) -> Answer | None:
        params = fault.params  # "reject": an OperationOutcome refusal
        return self._refusal(
            call,
            FhirError(
                int(params.get("status", 422)),
                str(params.get("code", "business-rule")),
                str(params.get("diagnostics", "refused by the consumer (dui-harness: injected refusal)")),
                str(params.get("expression", "")),
            ),
        )

    async def respond(self, call: Call) -> Answer:
        state: _FhirCall = call.parsed
        try:
            if call.operation == "search-type" and call.request.method == "POST":
                if call.body:
                    content_type(call.request, form=True)
                state.form = call.body
            elif call.operation in _WITH_BODY:
                content_type(call.request)
                try:
                    limits = self.limits  # off the event loop: a big body never blocks other clients
                    state.body = await run_in_threadpool(
                        parse_fhir_json,
                        call.body,
                        max_bytes=self.max_body,
                        max_depth=limits.json_depth,
                        max_entries=limits.bundle_entries,
                        max_integer_digits=limits.json_integer_digits,
                    )
                except FhirInputError as exc:
                    raise FhirError(exc.status, exc.code, exc.message, exc.location) from None
            try:
                state.result = await run_in_threadpool(self._run, call.operation, call.request, state)
            except (FhirError, asyncio.CancelledError):
                raise
            except Exception as exc:  # a bug of the simulator: still an OperationOutcome, never a traceback
                raise FhirError(500, "exception", f"simulator error {type(exc).__name__}: {exc}") from exc
        except FhirError as exc:
            return self._refusal(call, exc)
        result = state.result
        body = self._shaped(call, result)
        return Answer(
            result.status,
            json.dumps(body, ensure_ascii=False).encode() if body is not None else b"",
            FHIR_JSON if body is not None else None,
            headers=dict(result.headers or {}),
            rejected=False,
        )

    @staticmethod
    def _shaped(call: Call, result: Result) -> dict[str, Any] | None:
        """The body ``Prefer: return=…`` asks for (writes only; 204 and 304 have none)."""
        if result.status in (204, 304):
            return None
        if call.operation not in ("create", "update", "conditional-update"):
            return result.body
        wanted = call.parsed.headers.prefer_return if isinstance(call.parsed, _FhirCall) else "representation"
        if wanted == "minimal":
            return None
        if wanted == "OperationOutcome":
            return operation_outcome([("information", "informational", result.outcome or "done", "")])
        return result.body

    def internal_error(self, call: Call, exc: Exception) -> Answer:
        return self._refusal(call, FhirError(500, "exception", f"simulator error {type(exc).__name__}: {exc}"))

    def _refusal(self, call: Call, exc: FhirError) -> Answer:
        if isinstance(call.parsed, _FhirCall):
            call.parsed.add(exc.findings)
        return Answer(
            exc.status,
            json.dumps(exc.outcome(), ensure_ascii=False).encode(),
            FHIR_JSON,
            headers={"Allow": "GET, POST, PUT, DELETE"} if exc.status == 405 else {},
            summary={
                "outcome": {
                    "status": exc.status,
                    "code": exc.code,
                    "diagnostics": exc.diagnostics,
                    "expression": exc.expression,
                }
            },
            rejected=True,
        )

    def findings_of(self, call: Call, answer: Answer) -> list[Finding]:
        return list(call.parsed.findings) if isinstance(call.parsed, _FhirCall) else answer.findings

    def describe_exchange(self, call: Call, answer: Answer, exchange: Exchange) -> None:
        state = call.parsed if isinstance(call.parsed, _FhirCall) else _FhirCall()
        interaction, body, result = call.operation, state.body, state.result
        kind_of_bundle = body.get("type") if interaction == "bundle" and isinstance(body, dict) else None
        exchange.transaction = str(kind_of_bundle) if kind_of_bundle in ("transaction", "batch") else interaction
        exchange.summary["status"] = answer.status
        if result is not None:
            exchange.summary.update(result.summary)
            exchange.summary.pop("findings", None)
        exchange.tags.setdefault("interaction", interaction)
        self.describe(exchange, interaction, body, result)

    def _run(self, operation: str, request: Request, state: _FhirCall) -> Result:
        params, body, engine, base = request.path_params, state.body, self.engine, self.url
        headers = state.headers = Headers.of(request)
        rtype, rid = params.get("rtype"), params.get("rid")
        if rtype is not None:
            engine.allow(rtype, CAPABILITY.get(operation, operation.replace("-system", "")))
        query = list(request.query_params.multi_items())
        if operation == "capabilities":
            return Result(200, self.capability_statement())
        if operation == "bundle":
            findings = self.validate_bundle(body)
            state.add(findings)
            errors = [f for f in findings if f.severity.value == "error"]
            if errors:
                raise FhirError(
                    422,
                    "processing",
                    f"the bundle does not conform ({len(errors)} error(s)); nothing "
                    f"was created. First: {errors[0].message}",
                    errors[0].location,
                    findings,
                )
            return engine.bundle(body, base, prefer=headers.prefer_return)
        if operation == "search-type":
            if request.method == "POST":
                query += parse_qsl(state.form.decode("utf-8", "replace"), keep_blank_values=True)
            return engine.search(str(rtype), query, base, lenient=headers.lenient)
        if operation.startswith("history-"):
            return engine.history(rtype, rid, query, base)
        if operation == "create":
            result = engine.create(str(rtype), body, if_none_exist=headers.if_none_exist, base_url=base)
        elif operation in ("update", "conditional-update"):
            raw_query = request.url.query
            result = engine.update(str(rtype), rid, body, query=raw_query, if_match=headers.if_match, base_url=base)
        elif operation in ("delete", "conditional-delete"):
            return engine.delete(str(rtype), rid, query=request.url.query, if_match=headers.if_match)
        else:
            version = params.get("vid")
            if version is not None and not str(version).isdigit():
                raise FhirError(400, "invalid", f"version id {version!r} is not a positive integer")
            return engine.read(
                str(rtype),
                str(rid),
                int(version) if version is not None else None,
                if_none_match=headers.if_none_match,
                if_modified_since=headers.if_modified_since,
            )
        state.add(result.summary.get("findings", []))
        return result

    @staticmethod
    def _findings(exchange: Exchange, findings: list[Finding]) -> None:
        """Add findings found while describing an exchange (once each; evidence = the exchange)."""
        known = {(f.rule, f.location, f.message) for f in exchange.findings}
        exchange.findings += [
            dataclasses.replace(f, evidence=(exchange.id,))
            for f in findings
            if (f.rule, f.location, f.message) not in known
        ]
