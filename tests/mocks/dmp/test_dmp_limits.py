"""Amplification and inconsistent failures of the DMP simulator (issue 17, defects 4, 5, 7).

Each case over real mutual-TLS HTTP: a precise SOAP fault, recorded, bounded memory, nothing
stored, and a good submission still registered afterwards.
"""

from __future__ import annotations

import resource
import socket
import ssl

import pytest

from harness.pki import TestPki
from tests.mocks.dmp.conftest import Caller, document

SOAP = "application/soap+xml; charset=utf-8"


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _nested_mime(depth: int) -> tuple[bytes, str]:
    body = b"".join(
        f"--b{i}\r\nContent-Type: multipart/related; boundary=b{i + 1}\r\n\r\n".encode() for i in range(depth)
    )
    return body, 'multipart/related; type="application/xop+xml"; boundary="b0"'


def _many_parts(count: int) -> tuple[bytes, str]:
    parts = b"".join(b"--x\r\nContent-ID: <%d>\r\n\r\nA\r\n" % i for i in range(count))
    return parts + b"--x--\r\n", 'multipart/related; type="application/xop+xml"; boundary="x"'


def _many_elements(count: int) -> tuple[bytes, str]:
    return (
        b"<soap:Envelope xmlns:soap='http://www.w3.org/2003/05/soap-envelope'><soap:Body>"
        + b"<a/>" * count
        + b"</soap:Body></soap:Envelope>",
        SOAP,
    )


@pytest.mark.parametrize(
    ("build", "words"),
    [
        (lambda: _nested_mime(2000), b"nested multipart"),
        (lambda: _many_parts(1_000_000), b"more than 200 MIME parts"),
        (lambda: _many_elements(4_000_000), b"XML elements"),
    ],
    ids=["2000-deep-mime", "1M-parts", "4M-elements"],
)
def test_amplifying_bodies_get_a_precise_400_with_bounded_memory(caller: Caller, build: object, words: bytes) -> None:
    body, ctype = build()  # type: ignore[operator]
    before = _peak_mb()
    reply = caller.post(body, ctype)
    grown = _peak_mb() - before
    assert reply.response.status_code == 400, reply.response.text[:300]
    assert words in reply.response.content and b"<soap:Fault>" in reply.response.content
    assert b"RecursionError" not in reply.response.content  # no internal name leaked
    assert reply.exchange.transaction == "invalid" and reply.exchange.findings  # recorded, with its finding
    assert grown < 3 * len(body) / 2**20 + 64, f"peak RSS grew by {grown:.0f} MB for {len(body) >> 20} MB"
    assert caller.sim.registry.counts()["documents"] == 0
    assert caller.submit(document("VSM")).status == "Success"


@pytest.mark.parametrize("ctype", ["text/plain", "application/json", "text/xml; charset=utf-8", ""])
def test_wrong_content_type_gets_a_soap_fault(caller: Caller, ctype: str) -> None:
    reply = caller.post(b"<soap:Envelope xmlns:soap='http://www.w3.org/2003/05/soap-envelope'/>", ctype)
    assert reply.response.status_code == 415
    assert reply.response.headers["content-type"].startswith("application/soap+xml")
    assert b"Content-Type" in reply.response.content and b"<soap:Fault>" in reply.response.content
    assert reply.exchange.findings[0].rule == "dmp.message.content_type"


def test_aborted_submission_is_never_stored(caller: Caller, pki: TestPki) -> None:
    # given a good submission of which the client sends all but the last bytes, then disconnects
    from mocks.dmp.samples import iti41_request

    body, ctype = iti41_request([document("VSM")], signer=caller.signer)
    context = ssl.create_default_context(cafile=str(pki.ca_cert))
    context.load_cert_chain(*map(str, pki.client("client-insi-auto")))
    since = caller.sim.recorder.mark()
    with (
        socket.create_connection(("127.0.0.1", caller.sim.server.port), timeout=10) as raw,
        context.wrap_socket(raw, server_hostname="localhost") as sock,
    ):
        sock.sendall(
            f"POST /dmp/repository HTTP/1.1\r\nHost: x\r\nContent-Type: {ctype}\r\n"
            f"Content-Length: {len(body)}\r\n\r\n".encode()
            + body[:-10]
        )
    # then it is recorded as incomplete and nothing is registered
    found = caller.sim.recorder.wait_for(service="DMP", since=since, timeout=10)
    assert [e.transaction for e in found] == ["incomplete-request"]
    assert caller.sim.registry.counts()["documents"] == 0
    assert caller.submit(document("VSM")).status == "Success"
