"""The simulator pattern every service shares: real server, recording, control API, faults, TLS.

A tiny echo simulator exercises :mod:`mocks.common` (server, recording, control, faults,
simulator) without any service logic.
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from harness.core.recorder import Recorder
from harness.errors import SimulatorError
from harness.pki import TestPki, ensure_pki
from mocks.common.control_token import authorization_header, run_token
from mocks.common.faults import FaultPlan
from mocks.common.server import TlsSettings
from mocks.common.simulator import Simulator
from tests.support import client_cert


class EchoSimulator(Simulator):
    """Answers the body it receives; honours ``http_status`` faults."""

    service = "ECHO"
    fault_kinds = ("teapot",)
    max_body = 4096

    def routes(self) -> list[BaseRoute]:
        return [Route("/echo", self.echo, methods=["POST"])]

    async def echo(self, request: Request) -> Response:
        exchange = request.scope["state"]["exchange"]
        body = await request.body()
        exchange.transaction = "echo"
        exchange.tags["size"] = str(len(body))
        tls = request.scope.get("extensions", {}).get("tls") or {}
        fault = self.faults.take("echo")
        if fault is not None and fault.kind == "http_status":
            exchange.fault_injected = fault.kind
            return Response(b"down", int(fault.params.get("status", 503)))
        return Response(body, media_type="text/plain", headers={"x-client-subject": tls.get("client_subject") or "-"})


@pytest.fixture(scope="module")
def echo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EchoSimulator]:
    sim = EchoSimulator(Recorder(tmp_path_factory.mktemp("exchanges")))
    with sim:
        yield sim


@pytest.fixture(scope="module")
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:
        session.trust_env = False
        session.headers.update(authorization_header(run_token()))  # the run's control token
        yield session


def post(echo: EchoSimulator, http: requests.Session, body: bytes) -> tuple[requests.Response, Any]:
    since = echo.recorder.mark()
    response = http.post(echo.url + "/echo", data=body, timeout=10)
    found = echo.recorder.wait_for(service="ECHO", since=since, timeout=5)
    assert found
    return response, found[-1]


def test_exchange_is_recorded_raw(echo: EchoSimulator, http: requests.Session) -> None:
    response, exchange = post(echo, http, b"hello")
    assert response.text == "hello"
    assert (exchange.service, exchange.transaction, exchange.tags) == ("ECHO", "echo", {"size": "5"})
    assert exchange.request.start_line == "POST /echo HTTP/1.1"
    assert exchange.request.body == b"hello"
    assert exchange.request.header("content-length") == "5"
    assert exchange.response is not None and exchange.response.start_line == "HTTP/1.1 200"
    assert exchange.response.body == b"hello"
    assert exchange.peer.startswith("127.0.0.1:")
    assert exchange.summary["tls"] is False and exchange.tls_client_subject is None
    assert echo.recorder.directory is not None
    stem = echo.recorder.directory / f"{exchange.id}-ECHO-echo"
    assert written_json(stem.with_suffix(".json"))["tags"] == {"size": "5"}  # files follow the record
    assert stem.with_suffix(".request").read_bytes().endswith(b"\r\n\r\nhello")


def written_json(path: Path, timeout: float = 5.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def test_control_routes(echo: EchoSimulator, http: requests.Session) -> None:
    base = echo.url + "/_harness"
    assert http.get(f"{base}/health", timeout=10).json()["service"] == "ECHO"
    since = echo.recorder.mark()
    _, exchange = post(echo, http, b"one")
    listed = http.get(f"{base}/exchanges", params={"since": since, "transaction": "echo"}, timeout=10).json()
    assert [e["id"] for e in listed] == [exchange.id]
    assert http.get(f"{base}/exchanges", params={"transaction": "none"}, timeout=10).json() == []
    raw = http.get(f"{base}/exchanges/{exchange.id}/response", timeout=10)
    assert raw.headers["content-type"].startswith("message/http")
    assert raw.content.startswith(b"HTTP/1.1 200") and raw.content.endswith(b"one")
    assert http.get(f"{base}/exchanges/99999/request", timeout=10).status_code == 404
    assert http.get(f"{base}/state", timeout=10).json() == {}
    refused = http.patch(f"{base}/state", json={"x": 1}, timeout=10)
    assert refused.status_code == 400 and "no scenario state" in refused.json()["error"]
    assert len([e for e in echo.recorder if e.transaction == "unknown"]) == 0  # control calls not recorded


def test_faults_through_the_api(echo: EchoSimulator, http: requests.Session) -> None:
    base = echo.url + "/_harness"
    created = http.post(
        f"{base}/faults",
        json={"kind": "http_status", "operation": "echo", "times": 2, "params": {"status": 502}},
        timeout=10,
    )
    assert created.status_code == 201 and created.json()["times"] == 2
    listing = http.get(f"{base}/faults", timeout=10).json()
    assert listing["kinds"] == ["http_status", "delay", "teapot"]
    assert [post(echo, http, b"x")[0].status_code for _ in range(3)] == [502, 502, 200]
    http.post(f"{base}/faults", json={"kind": "http_status", "times": None}, timeout=10)
    assert http.delete(f"{base}/faults", timeout=10).json() == {"faults": []}
    assert post(echo, http, b"x")[0].status_code == 200
    http.post(f"{base}/faults", json={"kind": "http_status"}, timeout=10)
    assert http.post(f"{base}/reset", timeout=10).json() == {"reset": True}
    assert echo.faults.pending() == []


@pytest.mark.parametrize(
    ("payload", "words"),
    [
        (b"{not json", "not valid JSON"),
        (b'{"operation": "echo"}', "expected"),
        (b'{"kind": "explode"}', "unknown fault kind"),
        (b'{"kind": "delay", "times": 0}', "positive"),
    ],
)
def test_bad_fault_requests(echo: EchoSimulator, http: requests.Session, payload: bytes, words: str) -> None:
    response = http.post(echo.url + "/_harness/faults", data=payload, timeout=10)
    assert response.status_code == 400
    assert words in response.json()["error"]


def test_fault_plan_matching() -> None:
    plan = FaultPlan(("x",))
    plan.add("x", operation="a", times=None)
    plan.add("delay", times=1, seconds=1)
    assert plan.take("b") is not None and plan.take("b") is None  # the delay, once
    assert all(plan.take("a") is not None for _ in range(5))  # x, every call
    plan.clear()
    assert plan.take("a") is None


def test_oversized_body_is_413_and_recorded(echo: EchoSimulator, http: requests.Session) -> None:
    response, exchange = post(echo, http, b"x" * 100_000)
    assert response.status_code == 413
    assert "exceeds the simulator limit of 4096 bytes" in response.text
    assert exchange.transaction == "oversized-request"
    assert exchange.summary["error"].startswith("request body of 100000 bytes")
    assert post(echo, http, b"still alive")[0].text == "still alive"


def test_oversized_chunked_body_is_refused_too(echo: EchoSimulator, http: requests.Session) -> None:
    """A chunked upload (no Content-Length) larger than the limit never reaches the handler."""
    since = echo.recorder.mark()
    response = http.post(f"{echo.url}/echo", data=iter([b"y" * 3000] * 10), timeout=10)
    assert response.status_code == 413
    exchange = echo.recorder.wait_for(since=since, timeout=5)[-1]
    assert exchange.transaction == "oversized-request"
    assert len(exchange.request.body) == 4096  # the first bytes are kept as evidence, no more
    assert post(echo, http, b"still alive")[0].text == "still alive"


def test_oversized_with_expect_100_continue_is_refused_before_the_body(echo: EchoSimulator) -> None:
    """A client asking ``Expect: 100-continue`` gets the 413 at once and never sends the 30 MB."""
    with socket.create_connection(("127.0.0.1", echo.server.port), timeout=5) as sock:
        sock.sendall(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 30000000\r\nExpect: 100-continue\r\n\r\n")
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 413")
    assert b"100 Continue" not in answer


def test_fixed_port_in_use_is_a_simulator_error(echo: EchoSimulator) -> None:
    with pytest.raises(SimulatorError, match="cannot listen"):
        EchoSimulator(Recorder(), port=echo.server.port).start()


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> TestPki:
    return ensure_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="module")
def tls_echo(pki: TestPki) -> Iterator[EchoSimulator]:
    tls = TlsSettings(pki.server_cert, pki.server_key, client_ca=pki.ca_cert)
    sim = EchoSimulator(Recorder(), tls=tls)
    with sim:
        yield sim


@pytest.mark.parametrize(("client", "cn"), [("client-harness", "CN=dui-harness"), (None, None)])
def test_tls_client_subject(tls_echo: EchoSimulator, pki: TestPki, client: str | None, cn: str | None) -> None:
    since = tls_echo.recorder.mark()
    with requests.Session() as session:
        session.trust_env = False
        response = session.post(
            tls_echo.url + "/echo",
            data=b"tls",
            verify=str(pki.ca_cert),
            timeout=10,
            cert=client_cert(pki, client) if client else None,
        )
    [exchange] = tls_echo.recorder.wait_for(service="ECHO", since=since, timeout=5)
    assert tls_echo.url.startswith("https://") and response.text == "tls"
    assert exchange.summary["tls"] is True
    if cn is None:
        assert exchange.tls_client_subject is None and response.headers["x-client-subject"] == "-"
    else:
        assert exchange.tls_client_subject is not None and exchange.tls_client_subject.endswith(cn)
        assert response.headers["x-client-subject"] == exchange.tls_client_subject


def test_unknown_client_ca_is_refused(tls_echo: EchoSimulator, tmp_path: Path) -> None:
    other = ensure_pki(tmp_path / "other")
    with requests.Session() as session, pytest.raises(requests.exceptions.SSLError):
        session.trust_env = False
        session.post(tls_echo.url + "/echo", data=b"x", verify=str(other.ca_cert), timeout=10)
