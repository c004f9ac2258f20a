"""Limits of the common request pipeline, through real sockets (issue 17, defects 2, 5, 8, 9, 11).

Each case: a precise answer (or a recorded refusal), nothing processed that was not complete,
and the simulator still answers a normal request afterwards.
"""

from __future__ import annotations

import socket
import ssl
import time
from collections.abc import Iterator
from dataclasses import replace

import pytest
import requests

from harness.core.recorder import Recorder
from harness.pki import TestPki, ensure_pki
from mocks.common.control_token import TOKEN_HEADER, authorization_header
from mocks.common.server import TlsSettings
from tests.mocks.common.test_server_control import EchoSimulator


@pytest.fixture(scope="module")
def echo() -> Iterator[EchoSimulator]:
    sim = EchoSimulator(Recorder())
    sim.limits = replace(sim.limits, body_timeout=1.0, header_timeout=1.0, connections=8)
    with sim:
        yield sim


def _raw(sim: EchoSimulator) -> socket.socket:
    return socket.create_connection(("127.0.0.1", sim.server.port), timeout=10)


def _read_all(sock: socket.socket) -> bytes:
    answer = b""
    while chunk := sock.recv(65536):
        answer += chunk
    return answer


def _still_answers(sim: EchoSimulator) -> None:
    with requests.Session() as http:
        http.trust_env = False
        assert http.post(f"{sim.url}/echo", data=b"still alive", timeout=10).text == "still alive"


def test_aborted_body_is_recorded_but_never_processed(echo: EchoSimulator) -> None:
    # given a request announcing 1000 bytes, of which the client sends 10 and then disconnects
    since = echo.recorder.mark()
    with _raw(echo) as sock:
        sock.sendall(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n0123456789")
    # then the exchange is recorded as incomplete, and the handler never saw it (no "echo" exchange)
    found = echo.recorder.wait_for(service="ECHO", since=since, timeout=10)
    assert [e.transaction for e in found] == ["incomplete-request"]
    assert found[0].summary["body_end"] == "disconnected" and found[0].response is None
    assert "aborted request" in found[0].summary["error"]
    _still_answers(echo)


def test_silent_body_times_out_with_408_and_is_not_processed(echo: EchoSimulator) -> None:
    since = echo.recorder.mark()
    with _raw(echo) as sock:
        sock.sendall(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n0123456789")
        answer = _read_all(sock)  # the client stays silent
    assert answer.startswith(b"HTTP/1.1 408") and b"incomplete request" in answer
    assert [e.transaction for e in echo.recorder.exchanges(since=since)] == ["incomplete-request"]
    _still_answers(echo)


def test_slow_head_is_cut_after_the_header_timeout(echo: EchoSimulator) -> None:
    with _raw(echo) as sock:
        sock.sendall(b"POST /echo HTTP/1.1\r\nHost: x\r\n")  # ... and the rest of the head never comes
        assert _read_all(sock) == b""  # closed by the server
    with _raw(echo) as idle:
        assert _read_all(idle) == b""  # a connection that says nothing is closed too
    _still_answers(echo)


def test_oversized_head_is_refused(echo: EchoSimulator) -> None:
    with _raw(echo) as sock:
        sock.sendall(b"GET /echo HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * (echo.limits.header_bytes + 10) + b"\r\n\r\n")
        assert _read_all(sock).startswith(b"HTTP/1.1 431")
    _still_answers(echo)


def test_connections_beyond_the_cap_get_503(echo: EchoSimulator) -> None:
    # given connections held open up to the cap (uvicorn refuses the request that would reach it)
    held = [_raw(echo) for _ in range(echo.limits.connections - 1)]
    try:
        for _ in range(200):  # until the server has accepted them all (bounded wait, no timing assertion)
            if echo.server.open_connections >= len(held):
                break
            time.sleep(0.02)
        with _raw(echo) as extra:
            extra.sendall(b"GET /echo HTTP/1.1\r\nHost: x\r\n\r\n")
            assert _read_all(extra).startswith(b"HTTP/1.1 503")
    finally:
        for sock in held:
            sock.close()
    _still_answers(echo)


@pytest.mark.parametrize("path", ["/_harness/health", "/_harness/state", "/_harness/exchanges"])
def test_control_api_refuses_calls_without_the_token(echo: EchoSimulator, path: str) -> None:
    with requests.Session() as http:
        http.trust_env = False
        assert http.get(echo.url + path, timeout=10).status_code == 401
        assert http.get(echo.url + path, headers={TOKEN_HEADER: "forged"}, timeout=10).status_code == 401
        assert http.get(echo.url + path, headers=echo.control_headers(), timeout=10).status_code == 200


def test_control_body_is_refused_before_it_is_read(echo: EchoSimulator) -> None:
    # without the token: 401 on the head alone, the 400 MB are never read
    with _raw(echo) as sock:
        sock.sendall(b"POST /_harness/faults HTTP/1.1\r\nHost: x\r\nContent-Length: 400000000\r\n\r\n")
        assert _read_all(sock).startswith(b"HTTP/1.1 401")
    # with the token: 413 on the announced size
    with _raw(echo) as sock:
        sock.sendall(
            b"POST /_harness/faults HTTP/1.1\r\nHost: x\r\nContent-Length: 400000000\r\n"
            + f"{TOKEN_HEADER}: {echo.control_token}\r\n\r\n".encode()
        )
        assert _read_all(sock).startswith(b"HTTP/1.1 413")
    with requests.Session() as http:
        http.trust_env = False
        chunked = http.post(
            echo.url + "/_harness/faults",
            headers=authorization_header(echo.control_token),
            data=iter([b"x" * 65536] * 32),
            timeout=10,
        )
        assert chunked.status_code == 413
    _still_answers(echo)


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> TestPki:
    return ensure_pki(tmp_path_factory.mktemp("pki-limits"))


@pytest.mark.parametrize("client", ["self-signed", "no-certificate-trust"])
def test_rejected_tls_handshakes_are_recorded(
    pki: TestPki, tmp_path_factory: pytest.TempPathFactory, client: str
) -> None:
    tls = TlsSettings(pki.server_cert, pki.server_key, client_ca=pki.ca_cert, require_client_cert=True)
    with EchoSimulator(Recorder(), tls=tls) as sim:
        context = ssl.create_default_context()
        if client == "self-signed":  # trusts the server, presents a certificate of another CA
            context.load_verify_locations(str(pki.ca_cert))
            other = ensure_pki(tmp_path_factory.mktemp("other-pki"))
            context.load_cert_chain(*map(str, other.client("client-insi-auto")))
        answer = b""
        try:
            with (
                socket.create_connection(("127.0.0.1", sim.server.port), timeout=10) as raw,
                context.wrap_socket(raw, server_hostname="localhost") as sock,
            ):
                sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
                answer = sock.recv(10)
        except (ssl.SSLError, ConnectionError):
            pass
        assert answer == b""  # no HTTP answer over a refused handshake
        found = sim.recorder.wait_for(service="ECHO", transaction="TLS", timeout=10)
        assert found and "TLS handshake failed" in found[0].summary["error"]


def test_control_api_never_returns_live_tokens_in_clear(echo: EchoSimulator) -> None:
    # given an exchange whose body holds a live token and a client secret
    since = echo.recorder.mark()
    with requests.Session() as http:
        http.trust_env = False
        http.post(
            f"{echo.url}/echo",
            data=b'{"access_token": "eyJhbGciOiJSUzI1NiJ9.payload.signature"}',
            headers={"Authorization": "Bearer eyJhbGciOiJSUzI1NiJ9.payload.signature"},
            timeout=10,
        )
        (exchange,) = echo.recorder.wait_for(service="ECHO", since=since, timeout=5)
        # when the control API shows it, then the token is cut to its first characters
        for side in ("request", "response"):
            raw = http.get(
                f"{echo.url}/_harness/exchanges/{exchange.id}/{side}", headers=echo.control_headers(), timeout=10
            ).content
            assert b"payload.signature" not in raw and b"eyJh...(masked)" in raw
