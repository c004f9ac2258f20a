"""How every simulator records its exchanges, raw bytes included.

* HTTP: :class:`RecordingMiddleware` opens the exchange of each request; the request pipeline
  (:mod:`mocks.common.pipeline`) fills in what only the service knows (transaction, summary,
  tags, findings) through ``scope["state"]["exchange"]`` and reads the body, as recorded, from
  ``scope["state"]["body"]``. Requests larger than ``max_body`` are
  answered 413 by the middleware itself, and still recorded (truncated).
* Other listeners (SMTP, IMAP, the coming HL7 v2 MLLP): :class:`ListenerRecording`, one exchange
  per unit of conversation (a mail transaction, a message fetched, an HL7 message and its ACK).

Bodies are read within the limits of :mod:`mocks.common.limits` (:func:`mocks.common.bodies.read_body`):
a request whose body never completes (client gone, or silent past the body timeout) is recorded
and never reaches the pipeline. Control calls (``/_harness``) need the run's token
(:mod:`mocks.common.control_token`) before their (bounded) body is read.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

from harness.core.findings import Finding
from harness.core.recorder import Exchange, HttpMessage, Recorder, utcnow
from mocks.common.bodies import BodyEnd, BodyRead, drain, read_body
from mocks.common.faults import Fault
from mocks.common.limits import DEFAULT_LIMITS, Limits

__all__ = ["ListenerRecording", "RecordingMiddleware"]

CONTROL_PREFIX = "/_harness"


async def _answer(send: Any, status: int, content_type: str, payload: bytes, *extra: tuple[bytes, bytes]) -> None:
    """A complete answer that closes the connection (what follows a refused body is not trusted)."""
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", content_type.encode()),
                (b"content-length", str(len(payload)).encode()),
                (b"connection", b"close"),
                *extra,
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})


def _declared_length(headers: list[tuple[str, str]]) -> int:
    return next((int(v) for k, v in headers if k.lower() == "content-length" and v.strip().isdigit()), 0)


class ListenerRecording:
    """The recording interface of a non-HTTP listener: each unit of conversation becomes one exchange,
    shaped like an HTTP one (a start line, header-like facts, the raw bytes each way).

    Args:
        recorder: the recorder shared by the run.
        service: the service id recorded on each exchange (``MSS``).
    """

    def __init__(self, recorder: Recorder, service: str) -> None:
        self.recorder = recorder
        self.service = service

    def exchange(
        self,
        transaction: str,
        request: HttpMessage,
        response: HttpMessage,
        *,
        peer: str = "",
        client_subject: str | None = None,
        started: datetime | None = None,
    ) -> Exchange:
        """A new exchange of this service (not recorded yet: add its summary, then :meth:`record`)."""
        return Exchange(
            id=self.recorder.new_id(),
            service=self.service,
            transaction=transaction,
            started=started or utcnow(),
            request=request,
            response=response,
            peer=peer,
            tls_client_subject=client_subject,
        )

    def record(
        self,
        exchange: Exchange,
        *,
        summary: Mapping[str, Any] | None = None,
        tags: Mapping[str, str] | None = None,
        findings: Iterable[Finding] = (),
        fault: Fault | None = None,
    ) -> Exchange:
        """Add the facts, the findings and the injected fault (one format: :meth:`Fault.describe`), and record."""
        exchange.summary.update(summary or {})
        exchange.tags.update(tags or {})
        exchange.findings.extend(findings)
        if fault is not None:
            exchange.fault_injected = fault.describe()
        return self.recorder.record(exchange)


class RecordingMiddleware:
    """Wrap a simulator app so that each request/response pair lands in the recorder.

    Args:
        app: the simulator's ASGI app.
        recorder: the shared recorder.
        service: the service name recorded on each exchange (``INS``).
        max_body: largest request body accepted, in bytes.
        on_oversize: builds the ``(status, content_type, body)`` answer to an oversized request.
        on_refusal: builds the answer ``(status, content_type, body)`` to a head too large (431) or a
            body too slow (408) from ``(status, reason)`` (None: plain text).
        limits: timeouts and control-body bound (:class:`~mocks.common.limits.Limits`).
        authorize: tells whether an ASGI scope may call the control API (None: every call may).
        control_limit: the body limit of a control path (default: ``limits.control_body_bytes``).
    """

    def __init__(
        self,
        app: Any,
        recorder: Recorder,
        service: str,
        *,
        max_body: int = 10 * 1024 * 1024,
        on_oversize: Any = None,
        on_refusal: Callable[[int, str], tuple[int, str, bytes]] | None = None,
        limits: Limits = DEFAULT_LIMITS,
        authorize: Callable[[Any], bool] | None = None,
        control_limit: Callable[[str], int] | None = None,
    ) -> None:
        self.app = app
        self.recorder = recorder
        self.service = service
        self.max_body = max_body
        self.on_oversize = on_oversize
        self.on_refusal = on_refusal
        self.limits = limits
        self.authorize = authorize
        self.control_limit = control_limit

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["path"].startswith(CONTROL_PREFIX):
            await self._control(scope, receive, send)
            return
        started = time.perf_counter()
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope.get("headers", [])]
        query = scope.get("query_string", b"").decode("latin-1")
        target = scope["path"] + (f"?{query}" if query else "")
        request = HttpMessage(f"{scope['method']} {target} HTTP/{scope.get('http_version', '1.1')}", headers, b"")
        tls = scope.get("extensions", {}).get("tls") or {}
        client = scope.get("client") or ("", 0)
        exchange = Exchange(
            id=self.recorder.new_id(),
            service=self.service,
            transaction="unknown",
            started=utcnow(),
            request=request,
            peer=f"{client[0]}:{client[1]}",
            tls_client_subject=tls.get("client_subject"),
        )
        exchange.summary["tls"] = bool(tls)
        scope.setdefault("state", {})["exchange"] = exchange

        declared = _declared_length(headers)
        head = len(request.start_line) + sum(len(k) + len(v) + 4 for k, v in headers)
        if head > self.limits.header_bytes:  # h11 bounds only a head that arrives in pieces
            exchange.transaction = "oversized-head"
            exchange.summary["error"] = (
                f"en-tête de requête > {self.limits.header_bytes} octets / request head of "
                f"{head} bytes exceeds the limit of {self.limits.header_bytes} bytes"
            )
            read = BodyRead(end=BodyEnd.OVERSIZED)
        elif declared > self.max_body:  # refused on the announced size, before a byte of the body is read
            read = BodyRead(end=BodyEnd.OVERSIZED, received=0)
        else:
            # the whole body first (bounded in size and time), so that chunked uploads obey the limits too
            read = await read_body(receive, self.max_body, timeout=self.limits.body_timeout)
        body = bytes(read.body)  # one copy, shared by the replay, the pipeline and the recorded request
        replayed = False

        async def replay_receive() -> Any:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()  # only http.disconnect is left

        status = 0
        response_headers: list[tuple[str, str]] = []
        response_body = bytearray()

        recorded = False

        def finish() -> None:
            """Record the exchange once, before its last byte leaves: a client that got its answer
            always finds the exchange in the recorder."""
            nonlocal recorded
            if recorded:
                return
            recorded = True
            request.body = body
            if status:
                exchange.response = HttpMessage(f"HTTP/1.1 {status}", response_headers, bytes(response_body))
            exchange.duration_ms = (time.perf_counter() - started) * 1000
            self.recorder.record(exchange)

        async def recording_send(message: Any) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                response_headers.extend(
                    (k.decode("latin-1"), v.decode("latin-1")) for k, v in message.get("headers", [])
                )
                if any(k.lower() == "content-length" and v.strip() == "0" for k, v in response_headers):
                    finish()  # no body (a 302): the client has the whole answer as soon as the head leaves
            elif message["type"] == "http.response.body":
                response_body.extend(message.get("body", b""))
                if not message.get("more_body", False):
                    finish()
            await send(message)

        try:
            if exchange.transaction == "oversized-head":
                await _answer(recording_send, *self._refusal(431, str(exchange.summary["error"])))
            elif read.end is BodyEnd.OVERSIZED:
                expects_continue = any(k.lower() == "expect" for k, _ in headers)
                if not (declared > self.max_body and expects_continue):  # 100-continue: body never sent
                    # unread, closing resets the connection and the answer is lost: drain (bounded)
                    await drain(receive, read, 8 * self.max_body, timeout=self.limits.body_timeout)
                await self._refuse_oversized(exchange, max(declared, read.received), recording_send)
            elif not read.complete:
                self._refuse_incomplete(exchange, read)
                if read.end is BodyEnd.TIMED_OUT:  # the client is still there: tell it why
                    await _answer(recording_send, *self._refusal(408, read.describe(self.max_body)))
            else:
                # the body as read, for the pipeline (Pipeline.read_body), without a replay through Starlette
                scope["state"]["body"] = body
                await self.app(scope, replay_receive, recording_send)
        finally:
            finish()

    def _refusal(self, status: int, reason: str) -> tuple[int, str, bytes]:
        if self.on_refusal is not None:
            return self.on_refusal(status, reason)
        return status, "text/plain; charset=utf-8", reason.encode()

    def _refuse_incomplete(self, exchange: Exchange, read: BodyRead) -> None:
        exchange.transaction = "incomplete-request"
        exchange.summary.update(error=read.describe(self.max_body), body_end=read.end.value, processed=False)

    async def _refuse_oversized(self, exchange: Exchange, declared: int, send: Any) -> None:
        exchange.transaction = "oversized-request"
        reason = f"request body of {declared} bytes exceeds the simulator limit of {self.max_body} bytes"
        exchange.summary["error"] = reason
        if self.on_oversize is not None:
            status, content_type, payload = self.on_oversize(reason)
        else:
            status, content_type, payload = 413, "text/plain; charset=utf-8", reason.encode()
        await _answer(send, status, content_type, payload)

    async def _control(self, scope: Any, receive: Any, send: Any) -> None:
        """A ``/_harness`` call: the run's token first, then a body within ``control_body_bytes``."""
        limit = self.control_limit(scope["path"]) if self.control_limit else self.limits.control_body_bytes
        if self.authorize is not None and not self.authorize(scope):
            payload = json.dumps(
                {
                    "error": "jeton de contrôle requis / control token required: "
                    "X-Harness-Token: <token> (printed by serve, file control-token)"
                }
            )
            await _answer(send, 401, "application/json", payload.encode())
            return
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope.get("headers", [])]
        if sum(len(k) + len(v) + 4 for k, v in headers) > self.limits.header_bytes:
            await _answer(send, 431, "application/json", b'{"error": "request head too large"}')
            return
        if _declared_length(headers) > limit:
            error = json.dumps({"error": f"control body > {limit} bytes"}).encode()
            await _answer(send, 413, "application/json", error)
            return
        read = await read_body(receive, limit, timeout=self.limits.body_timeout)
        if not read.complete:
            if read.end is not BodyEnd.DISCONNECTED:
                status = 413 if read.end is BodyEnd.OVERSIZED else 408
                await _answer(send, status, "application/json", json.dumps({"error": read.describe(limit)}).encode())
            return
        replayed = False

        async def replay_receive() -> Any:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": bytes(read.body), "more_body": False}
            return await receive()

        await self.app(scope, replay_receive, send)
