"""How every simulator records its exchanges, raw bytes included.

* HTTP: :class:`RecordingMiddleware` opens the exchange of each request; the request pipeline
  (:mod:`mocks.common.pipeline`) fills in what only the service knows (transaction, summary,
  tags, findings) through ``scope["state"]["exchange"]``. Requests larger than ``max_body`` are
  answered 413 by the middleware itself, and still recorded (truncated).
* Other listeners (SMTP, IMAP, the coming HL7 v2 MLLP): :class:`ListenerRecording`, one exchange
  per unit of conversation (a mail transaction, a message fetched, an HL7 message and its ACK).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from harness.core.findings import Finding
from harness.core.recorder import Exchange, HttpMessage, Recorder, utcnow
from mocks.common.faults import Fault

__all__ = ["ListenerRecording", "RecordingMiddleware"]

CONTROL_PREFIX = "/_harness"


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

    def exchange(self, transaction: str, request: HttpMessage, response: HttpMessage, *, peer: str = "",
                 client_subject: str | None = None, started: datetime | None = None) -> Exchange:
        """A new exchange of this service (not recorded yet: add its summary, then :meth:`record`)."""
        return Exchange(id=self.recorder.new_id(), service=self.service, transaction=transaction,
                        started=started or utcnow(), request=request, response=response, peer=peer,
                        tls_client_subject=client_subject)

    def record(self, exchange: Exchange, *, summary: Mapping[str, Any] | None = None,
               tags: Mapping[str, str] | None = None, findings: Iterable[Finding] = (),
               fault: Fault | None = None) -> Exchange:
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
    """

    def __init__(
        self,
        app: Any,
        recorder: Recorder,
        service: str,
        *,
        max_body: int = 10 * 1024 * 1024,
        on_oversize: Any = None,
    ) -> None:
        self.app = app
        self.recorder = recorder
        self.service = service
        self.max_body = max_body
        self.on_oversize = on_oversize

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["path"].startswith(CONTROL_PREFIX):
            await self.app(scope, receive, send)
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

        declared = next((int(v) for k, v in headers if k.lower() == "content-length" and v.isdigit()), 0)
        body = bytearray()
        oversized = declared > self.max_body
        if not oversized:
            # read the whole body first (bounded), so that chunked uploads obey the limit too
            oversized = not await _read_body(receive, body, self.max_body)
        replayed = False

        async def replay_receive() -> Any:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": bytes(body), "more_body": False}
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
            request.body = bytes(body)
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
            if oversized:
                expects_continue = any(k.lower() == "expect" for k, _ in headers)
                if not (declared > self.max_body and expects_continue):  # 100-continue: body never sent
                    await _drain(receive, 8 * self.max_body)  # unread, closing resets: answer lost
                await self._refuse_oversized(exchange, max(declared, len(body)), recording_send)
            else:
                await self.app(scope, replay_receive, recording_send)
        finally:
            finish()

    async def _refuse_oversized(self, exchange: Exchange, declared: int, send: Any) -> None:
        exchange.transaction = "oversized-request"
        reason = f"request body of {declared} bytes exceeds the simulator limit of {self.max_body} bytes"
        exchange.summary["error"] = reason
        if self.on_oversize is not None:
            status, content_type, payload = self.on_oversize(reason)
        else:
            status, content_type, payload = 413, "text/plain; charset=utf-8", reason.encode()
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", content_type.encode()),
                                (b"content-length", str(len(payload)).encode()),
                                (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": payload})


async def _read_body(receive: Any, body: bytearray, limit: int) -> bool:
    """Read the request body into ``body``; False (and the first ``limit`` bytes kept) when larger."""
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return True
        chunk = message.get("body", b"")
        if len(body) + len(chunk) > limit:
            body.extend(chunk[: max(0, limit - len(body))])
            return False
        body.extend(chunk)
        if not message.get("more_body", False):
            return True


async def _drain(receive: Any, budget: int) -> None:
    """Read and drop (at most ``budget`` bytes of) a refused body, so the client reads the answer."""
    while budget > 0:
        message = await receive()
        if message["type"] != "http.request" or not message.get("more_body", False):
            return
        budget -= len(message.get("body", b""))
