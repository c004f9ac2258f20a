"""A hostile-input corpus per simulator and per ``validate`` kind (issue 17, item 4).

Per simulator, each request of :data:`HTTP_CORPUS` (XML attacks, nesting, size, encoding,
content type) and the slow or aborted clients must get a precise 4xx (never a 5xx), leave the
simulator answering a normal request, store nothing, and keep resident memory bounded. Per
``validate`` kind, each hostile file gets exit 1 (a finding) or 2 (unreadable input, said
plainly), never a traceback or a hang.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests

from mocks.common.simulator import Simulator
from mocks.insi.samples import build_request
from tests.cli.conftest import CliRun
from tests.mocks.fhir.fhir_support import FHIR_JSON
from tests.robustness.support import rss_mb

SOAP = "application/soap+xml; charset=utf-8"
BOMB = (
    b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><soap:Envelope xmlns:soap="http://www.w3.org/2003/05/'
    b'soap-envelope"><soap:Body>&c;</soap:Body></soap:Envelope>'
)
XXE = (
    b'<?xml version="1.0"?><!DOCTYPE f [<!ENTITY x SYSTEM "file:///etc/passwd">]><soap:Envelope xmlns:soap='
    b'"http://www.w3.org/2003/05/soap-envelope"><soap:Body>&x;</soap:Body></soap:Envelope>'
)
DEEP_XML = b"<a>" * 5000 + b"</a>" * 5000
WIDE_XML = (
    b"<soap:Envelope xmlns:soap='http://www.w3.org/2003/05/soap-envelope'><soap:Body>"
    + b"<e/>" * 2_000_000
    + b"</soap:Body></soap:Envelope>"
)
NESTED_MIME = b"".join(
    f"--b{i}\r\nContent-Type: multipart/related; boundary=b{i + 1}\r\n\r\n".encode() for i in range(2000)
)
MANY_PARTS = b"".join(b"--b0\r\nContent-ID: <%d>\r\n\r\nA\r\n" % i for i in range(300_000)) + b"--b0--\r\n"
MTOM = 'multipart/related; type="application/xop+xml"; boundary="b0"'

#: (name, body, content type) sent to the SOAP simulators
SOAP_CORPUS: list[tuple[str, bytes, str]] = [
    ("xml-bomb", BOMB, SOAP),
    ("xxe", XXE, SOAP),
    ("deep-xml", DEEP_XML, SOAP),
    ("2M-elements", WIDE_XML, SOAP),
    ("nested-mime", NESTED_MIME, MTOM),
    ("300k-parts", MANY_PARTS, MTOM),
    ("nul-bytes", b"\x00" * 4096, SOAP),
    ("latin1-garbage", bytes(range(128, 256)) * 64, SOAP),
    ("empty", b"", SOAP),
    ("json", b"{}", "application/json"),
]
#: (name, body) sent to the FHIR simulator
FHIR_CORPUS: list[tuple[str, bytes]] = [
    ("deep-json", b"[" * 100_000 + b"]" * 100_000),
    ("huge-int", b'{"resourceType": "Bundle", "n": ' + b"1" * 50_000 + b"}"),
    ("many-entries", b'{"resourceType": "Bundle", "type": "batch", "entry": [' + b",".join([b"{}"] * 200_000) + b"]}"),
    ("nan", b'{"resourceType": "Bundle", "n": NaN}'),
    ("xml", BOMB),
    ("nul", b"\x00" * 1000),
]
RSS_BUDGET_MB = 200


def _normal_insi(sim: Any, http: requests.Session) -> None:
    answer = http.post(sim.endpoint, data=build_request(), headers={"Content-Type": SOAP}, timeout=30)
    assert answer.status_code == 200


@pytest.mark.parametrize(("name", "body", "ctype"), SOAP_CORPUS, ids=[c[0] for c in SOAP_CORPUS])
@pytest.mark.parametrize("service", ["insi", "dmp"])
def test_soap_simulators_refuse_the_corpus_precisely(
    request: pytest.FixtureRequest, http: requests.Session, service: str, name: str, body: bytes, ctype: str
) -> None:
    sim = request.getfixturevalue(service)
    url = sim.endpoint if service == "insi" else sim.url + "/dmp/repository"
    before = rss_mb()
    answer = http.post(url, data=body, headers={"Content-Type": ctype}, timeout=60)
    assert 400 <= answer.status_code < 500, (answer.status_code, answer.text[:300])
    assert b"Fault" in answer.content and b"Traceback" not in answer.content
    assert b"root:x:" not in answer.content  # /etc/passwd never read
    assert rss_mb() - before < RSS_BUDGET_MB
    if service == "dmp":
        assert sim.registry.counts()["documents"] == 0
    else:
        _normal_insi(sim, http)


@pytest.mark.parametrize(("name", "body"), FHIR_CORPUS, ids=[c[0] for c in FHIR_CORPUS])
def test_fhir_simulator_refuses_the_corpus_with_an_outcome(
    fhir: Any, http: requests.Session, name: str, body: bytes
) -> None:
    before_rss, before = rss_mb(), fhir.store.count()
    answer = http.post(fhir.url + "/", data=body, headers=FHIR_JSON, timeout=60)
    assert 400 <= answer.status_code < 500 and answer.json()["resourceType"] == "OperationOutcome", answer.text[:300]
    assert fhir.store.count() == before and rss_mb() - before_rss < RSS_BUDGET_MB


@pytest.mark.parametrize("service", ["insi", "dmp", "fhir"])
def test_aborted_and_slow_clients_leave_nothing_behind(
    request: pytest.FixtureRequest, http: requests.Session, service: str
) -> None:
    sim: Simulator = request.getfixturevalue(service)
    since = sim.recorder.mark()
    path = {"insi": "/lps", "dmp": "/dmp/repository", "fhir": "/"}[service]
    with socket.create_connection(("127.0.0.1", sim.server.port), timeout=10) as sock:  # aborted body
        sock.sendall(f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n".encode() + b"<" * 100)
    held = [socket.create_connection(("127.0.0.1", sim.server.port), timeout=10) for _ in range(20)]  # slow heads
    try:
        for sock in held:
            sock.sendall(b"POST / HTTP/1.1\r\nHost: x\r\n")
        found = sim.recorder.wait_for(service=sim.service, since=since, timeout=10)
        assert [e.transaction for e in found] == ["incomplete-request"]
        health = http.get(sim.url + "/_harness/health", headers=sim.control_headers(), timeout=10)
        assert health.status_code == 200  # the held connections do not starve a normal client
    finally:
        for sock in held:
            sock.close()


# -- validate kinds ------------------------------------------------------------------------------------------


def _files(tmp_path: Path) -> dict[str, Path]:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    files = {"dev-zero": Path("/dev/zero"), "fifo": fifo, "folder": tmp_path}
    for name, data in {
        "empty": b"",
        "binary": bytes(range(256)) * 16,
        "bomb": BOMB,
        "xxe": XXE,
        "deep-xml": DEEP_XML,
        "deep-json": b"[" * 100_000 + b"]" * 100_000,
        "huge-int": b'{"resourceType": "Patient", "x": ' + b"9" * 9000 + b"}",
        "nested-mime": b"Content-Type: " + MTOM.encode() + b"\r\n\r\n" + NESTED_MIME,
    }.items():
        (tmp_path / name).write_bytes(data)
        files[name] = tmp_path / name
    return files


@pytest.mark.parametrize("kind", ["ins", "fhir", "cda", "xds", "mail"])
def test_every_validate_kind_answers_the_corpus_plainly(cli: Callable[..., CliRun], tmp_path: Path, kind: str) -> None:
    for name, path in _files(tmp_path).items():
        run = cli("validate", kind, str(path))
        assert run.code in (1, 2), (kind, name, run.code, run.out[-300:], run.err[-300:])
        assert "Traceback" not in run.err + run.out, (kind, name)
        assert "INVALID" in run.out or run.err.startswith("dui-harness:"), (kind, name, run.out, run.err)
