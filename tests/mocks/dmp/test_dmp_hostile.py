"""Hostile or broken input: a precise SOAP fault or RegistryResponse error, bounded memory, never a crash.

Every case goes over real HTTP (mutual TLS); afterwards the simulator still registers a good submission.
"""

from __future__ import annotations

import resource
import time
from collections.abc import Iterator

import pytest

from mocks.dmp.samples import iti41_request
from tests.mocks.dmp.conftest import Caller, document

BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Body>&lol3;</soap:Body></soap:Envelope>"""
XXE = b"""<?xml version="1.0"?>
<!DOCTYPE foo [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Body><a>&x;</a></soap:Body></soap:Envelope>"""
SOAP = "application/soap+xml; charset=utf-8"
MTOM = 'multipart/related; type="application/xop+xml"; boundary="b1"; start="<root>"'
ROOT = b'--b1\r\nContent-Type: application/xop+xml; type="application/soap+xml"\r\nContent-ID: <root>\r\n\r\n'


def _good(caller: Caller) -> tuple[bytes, str]:
    return iti41_request([document("VSM")], signer=caller.signer)


CASES: dict[str, tuple[bytes, str, str]] = {
    "xml-bomb": (BOMB, SOAP, "DOCTYPE"),
    "xxe": (XXE, SOAP, "DOCTYPE"),
    "not-xml": (bytes(range(256)) * 8, SOAP, "not well-formed"),
    "empty": (b"", SOAP, "empty"),
    "soap-1.1": (
        b'<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/"><e:Body/></e:Envelope>',
        SOAP,
        "SOAP 1.1",
    ),
    "mtom-no-boundary-param": (
        ROOT + b"<a/>\r\n--b1--",
        'multipart/related; type="application/xop+xml"',
        "without a boundary",
    ),
    "mtom-wrong-boundary": (ROOT.replace(b"--b1", b"--zz") + b"<a/>\r\n--zz--\r\n", MTOM, "never starts a part"),
    "mtom-truncated": (ROOT + b"<soap:Envelope", MTOM, "closing MIME boundary"),
    "mtom-start-unknown": (ROOT.replace(b"<root>", b"<other>") + b"<a/>\r\n--b1--\r\n", MTOM, "start parameter"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_hostile_input_gets_a_precise_fault(caller: Caller, case: str) -> None:
    body, ctype, words = CASES[case]
    started = time.perf_counter()
    reply = caller.post(body, ctype)
    assert time.perf_counter() - started < 3
    assert reply.response.status_code == 400, reply.response.text[:300]
    assert reply.response.headers["content-type"].startswith("application/soap+xml")
    assert b"<soap:Fault>" in reply.response.content and words.encode() in reply.response.content
    assert b"root:" not in reply.response.content  # /etc/passwd never read
    assert reply.exchange.findings and reply.exchange.findings[0].requirement == "DMP-XDS-01"
    assert caller.sim.registry.counts()["documents"] == 0


def test_unknown_action_and_wrong_method(caller: Caller) -> None:
    body, ctype = _good(caller)
    reply = caller.post(
        body.replace(b">urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-b<", b">urn:unknown:action<"),
        ctype.replace("start-info", "x"),
    )
    assert reply.response.status_code == 400 and b"urn:unknown:action" in reply.response.content
    assert reply.exchange.findings[0].rule == "dmp.action"
    get = caller.session.get(caller.sim.url + "/dmp/repository", timeout=5)
    assert get.status_code == 405 and get.headers["allow"] == "POST"


def test_unresolvable_xop_include(caller: Caller) -> None:
    body, ctype = _good(caller)
    reply = caller.post(body.replace(b'href="cid:doc1.', b'href="cid:nowhere.'), ctype)
    assert reply.status == "Failure" and "XDSRepositoryError" in reply.codes
    assert "no MIME part has that Content-ID" in reply.exchange.summary["errors"][0]["context"]


def _stream(total: int, chunk: int = 1024 * 1024) -> Iterator[bytes]:
    yield b"<soap:Envelope xmlns:soap='http://www.w3.org/2003/05/soap-envelope'><soap:Body><a>"
    block = b"A" * chunk
    for _ in range(total // chunk):
        yield block


def test_hundreds_of_megabytes_are_refused_with_bounded_memory(caller: Caller) -> None:
    # given a 300 MB chunked body (no Content-Length), far beyond the 64 MB the simulator accepts
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    reply = caller.post(_stream(300 * 1024 * 1024), SOAP)  # type: ignore[arg-type]
    elapsed = time.perf_counter() - started
    # then a SOAP fault 413 says why, fast, and the process did not hold the body
    assert reply.response.status_code == 413
    assert b"exceeds the simulator limit" in reply.response.content
    assert reply.exchange.transaction == "oversized-request"
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mb < 200, f"peak memory grew by {grown_mb:.0f} MB"
    assert elapsed < 20
    # and the simulator still registers a good submission afterwards
    assert caller.submit(document("VSM")).status == "Success"
