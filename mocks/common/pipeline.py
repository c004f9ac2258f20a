"""The request pipeline of every HTTP simulator: record the request, apply faults, answer, record the answer.

After inferno-core's ``SuiteEndpoint#handle``. :class:`~mocks.common.recording.RecordingMiddleware`
opens the exchange (raw request, oversize refusal); :meth:`Pipeline.handle` then runs these
stages, each a method a service may keep or change:

1. **method** — ``allowed_methods`` (None: the service checks in ``prepare``); else 405;
2. **body** — :meth:`Pipeline.read_body` reads the request body (already bounded by the
   middleware; streaming helpers plug in here), then :meth:`Pipeline.check_limits` may refuse it;
3. **operation** — the service's ``prepare(call)`` names the operation (``call.operation``) and
   parses what it needs (``call.parsed``), or returns an early refusal (malformed input);
4. **faults** — (:meth:`Pipeline.inject_fault`; a service with ``faults_first = False`` calls it
   itself once the request is judged valid) the first fault planned for the operation: ``delay`` waits then goes on,
   ``http_status`` answers with the service's ``unavailable(call, status, params)``, other kinds go
   to the service's ``apply_fault(call, fault)`` (an answer, or None to let ``respond`` read
   ``call.fault``);
5. **answer** — the service's ``respond(call)``; an exception of the service becomes its
   ``internal_error(call, exc)`` answer, never a traceback;
6. **record** — transaction, summary, tags, findings (evidence = the exchange), the injected fault
   (one format: :meth:`Fault.describe`) and ``rejected``; then the service's ``describe_exchange`` hook.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeVar

import anyio.to_thread
from anyio import CapacityLimiter
from starlette.requests import Request
from starlette.responses import Response

from harness.core.findings import Finding, Severity
from harness.core.recorder import Exchange
from mocks.common.faults import Fault, FaultPlan

__all__ = ["INLINE_BODY_BYTES", "Answer", "Call", "Pipeline"]

TEXT = "text/plain; charset=utf-8"
#: a request body up to this size is checked on the event loop (:meth:`Pipeline.off_loop`)
INLINE_BODY_BYTES = 32 * 1024
T = TypeVar("T")
#: threads of one simulator judging requests at once (issue 18). In Starlette's pool (up to 40 threads) the
#: judging threads of concurrent requests contend for the interpreter lock: on an idle 2-core machine an
#: ITI-41 cost 10.5 ms of CPU alone and 31 ms with 16 clients. Work that waits on purpose (a scenario's
#: gate) stays in Starlette's pool.
JUDGING_THREADS = 2


@dataclass
class Answer:
    """What a simulator answers, and what the exchange records about it.

    ``rejected`` None: rejected when a finding is an ERROR. ``transaction`` None: the operation.
    """

    status: int
    body: bytes = b""
    content_type: str | None = TEXT
    headers: dict[str, str] = field(default_factory=dict)
    transaction: str | None = None
    summary: dict[str, Any] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    rejected: bool | None = None
    #: validator results shared with the suites (``Exchange.judgements``)
    judgements: dict[str, Any] = field(default_factory=dict)

    def response(self) -> Response:
        return Response(self.body, self.status, headers=self.headers or None, media_type=self.content_type)


@dataclass
class Call:
    """One request going through the pipeline (what every stage may read or set)."""

    request: Request
    exchange: Exchange | None
    route: str = ""
    body: bytes = b""
    operation: str = "invalid"
    parsed: Any = None
    fault: Fault | None = None
    #: appended to the fault's description (e.g. "(not applied: the request was rejected)")
    fault_note: str = ""

    @property
    def tls(self) -> dict[str, Any]:
        return dict(self.request.scope.get("extensions", {}).get("tls") or {})

    @property
    def over_tls(self) -> bool:
        return bool(self.tls) or self.request.url.scheme == "https"

    @property
    def fault_text(self) -> str | None:
        if self.fault is None:
            return None
        return f"{self.fault.describe()} {self.fault_note}".strip()


class Pipeline:
    """The stages every HTTP simulator runs (mixed into :class:`~mocks.common.simulator.Simulator`)."""

    service: str
    faults: FaultPlan
    #: methods the service answers; None: ``prepare`` decides (e.g. per route)
    allowed_methods: ClassVar[tuple[str, ...] | None] = ("POST",)
    #: False: ``respond`` calls :meth:`inject_fault` itself, once the request is judged valid
    faults_first: ClassVar[bool] = True

    async def off_loop(self, inline: bool, func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """``func(*args, **kwargs)``: in a judging thread (:meth:`judged`), or on the event loop when ``inline``.

        ``inline`` says the work is small and bounded (e.g. a body of at most :data:`INLINE_BODY_BYTES`):
        handing it to a thread (queue, wake-up, GIL hand-off, twice) then costs more CPU than the work
        itself (issue 18: ~20 % of an INSi request). Large or unbounded work goes to a thread, so that it
        never stalls the other clients (issue 17).
        """
        if inline:
            return func(*args, **kwargs)
        return await self.judged(functools.partial(func, *args, **kwargs))

    async def judged(self, func: Callable[..., T], *args: Any) -> T:
        """``func(*args)`` in one of the simulator's :data:`JUDGING_THREADS` judging threads (CPU-bound work
        that never waits on anything but itself: parsing, checks, the store)."""
        loop = asyncio.get_running_loop()
        bound = getattr(self, "_judging", None)
        if bound is None or bound[0] is not loop:  # a limiter belongs to one event loop (a restart makes another)
            bound = (loop, CapacityLimiter(JUDGING_THREADS))
            self._judging = bound
        return await anyio.to_thread.run_sync(functools.partial(func, *args), limiter=bound[1])

    def handler(self, route: str = "") -> Any:
        """A Starlette endpoint running the pipeline for ``route`` (a name the service's hooks read)."""

        async def endpoint(request: Request) -> Response:
            return await self.handle(request, route)

        return endpoint

    async def handle(self, request: Request, route: str = "") -> Response:
        call = Call(request, request.scope.get("state", {}).get("exchange"), route)
        try:
            answer = await self._run_stages(call)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a bug of the simulator: still the service's error answer
            answer = self.internal_error(call, exc)
        if call.exchange is not None:
            self._record_answer(call, answer)
        return self.render(call, answer)

    async def _run_stages(self, call: Call) -> Answer:
        methods = self.allowed_methods
        if methods is not None and call.request.method not in methods:
            return self.refuse_method(call, methods)
        call.body = await self.read_body(call)
        early = self.check_limits(call)
        if early is not None:
            return early
        early = await self.prepare(call)
        if early is not None:
            return early
        if self.faults_first:
            answer = await self.inject_fault(call)
            if answer is not None:
                return answer
        return await self.respond(call)

    async def inject_fault(self, call: Call) -> Answer | None:
        """The fault stage: take the first fault planned for ``call.operation`` (``call.fault``); its answer,
        or None (no fault, a ``delay`` waited, or a kind ``respond`` applies)."""
        fault = self.faults.take(call.operation)
        if fault is None:
            return None
        call.fault = fault
        return await self._common_fault(call, fault)

    async def _common_fault(self, call: Call, fault: Fault) -> Answer | None:
        if fault.kind == "delay":
            await asyncio.sleep(float(fault.params.get("seconds", 1.0)))
            return None
        if fault.kind == "http_status":
            return self.unavailable(call, int(fault.params.get("status", 503)), fault.params)
        return await self.apply_fault(call, fault)

    def _record_answer(self, call: Call, answer: Answer) -> None:
        exchange = call.exchange
        assert exchange is not None
        exchange.transaction = answer.transaction or call.operation
        exchange.summary.update(answer.summary)
        exchange.tags.update(answer.tags)
        exchange.findings = [dataclasses.replace(f, evidence=(exchange.id,)) for f in self.findings_of(call, answer)]
        exchange.fault_injected = call.fault_text
        exchange.judgements.update(answer.judgements)
        rejected = answer.rejected
        if rejected is None:
            rejected = any(f.severity is Severity.ERROR for f in exchange.findings)
        if rejected:
            exchange.summary["rejected"] = True
        try:
            self.describe_exchange(call, answer, exchange)
        except Exception as exc:  # a summary must never break an answer
            exchange.summary["describe_error"] = f"{type(exc).__name__}: {exc}"

    # -- the stages a service may change --------------------------------------------------------
    def refuse_method(self, call: Call, allowed: tuple[str, ...]) -> Answer:
        text = f"Method {call.request.method} not allowed: {self.service} accepts {', '.join(allowed)} only\n"
        return Answer(
            405,
            text.encode(),
            headers={"Allow": ", ".join(allowed)},
            transaction="invalid",
            summary={"error": f"method {call.request.method}"},
        )

    async def read_body(self, call: Call) -> bytes:
        """The request body (the recording middleware has bounded it already and hands it over:
        ``scope["state"]["body"]``; else Starlette reads it)."""
        body = call.request.scope.get("state", {}).get("body")
        if isinstance(body, bytes):
            return body
        return await call.request.body()

    def check_limits(self, call: Call) -> Answer | None:
        """The limits stage, between reading the body and naming the operation: a refusal, or None (the
        recording middleware already refused oversized bodies; per-service limits plug in here)."""
        return None

    async def prepare(self, call: Call) -> Answer | None:
        """Name the operation (``call.operation``) and parse the request (``call.parsed``); or refuse it."""
        call.operation = call.route or "request"
        return None

    def unavailable(self, call: Call, status: int, params: dict[str, Any]) -> Answer:
        """The answer of an injected ``http_status`` fault."""
        text = str(
            params.get("body", f"{self.service} indisponible / unavailable (dui-harness: injected HTTP {status})\n")
        )
        return Answer(status, text.encode(), summary={"error": text.strip()})

    async def apply_fault(self, call: Call, fault: Fault) -> Answer | None:
        """A service-specific fault kind: its answer, or None (``respond`` reads ``call.fault``)."""
        return None

    async def respond(self, call: Call) -> Answer:
        raise NotImplementedError

    def internal_error(self, call: Call, exc: Exception) -> Answer:
        text = f"simulator error {type(exc).__name__}: {exc}"
        return Answer(500, text.encode(), summary={"error": text}, rejected=True)

    def findings_of(self, call: Call, answer: Answer) -> list[Finding]:
        """The findings recorded on the exchange (default: the answer's)."""
        return answer.findings

    def describe_exchange(self, call: Call, answer: Answer, exchange: Exchange) -> None:
        """Add what only the service knows to the recorded exchange (after the common fields)."""

    def render(self, call: Call, answer: Answer) -> Response:
        return answer.response()
