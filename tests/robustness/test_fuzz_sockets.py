"""Property-based fuzzing through real sockets (issue 17, item 4): IMAP and SMTP command lines, HTTP bodies.

Each example asserts a precise answer (a tagged IMAP answer or BYE, an SMTP reply code, a 4xx
with a SOAP fault or an OperationOutcome, never a 5xx), that the server still answers a normal
request, that nothing was stored without being acknowledged, and that resident memory stays
bounded over the whole property.
"""

from __future__ import annotations

import smtplib
import socket

import requests
from hypothesis import given
from hypothesis import strategies as st

from mocks.dmp import DmpSimulator
from mocks.insi import InsiSimulator
from mocks.insi.samples import build_request
from mocks.mssante import MssSimulator
from tests.mocks.fhir.fhir_support import FHIR_JSON, GenericFhir
from tests.mocks.mssante.test_mss_hostile import RawImap
from tests.robustness.support import FUZZ_NET, rss_mb

LINE = st.binary(max_size=300).map(lambda b: b.replace(b"\r", b" ").replace(b"\n", b" "))
IMAP_WORDS = st.sampled_from(
    [
        b"SELECT",
        b"LIST",
        b"SEARCH",
        b"LOGIN",
        b"APPEND",
        b"FETCH",
        b"UID",
        b"NOOP",
        b"EXAMINE",
        b"STATUS",
        b"AUTHENTICATE",
        b"IDLE",
        b"STARTTLS",
    ]
)
IMAP_ARGS = st.lists(
    st.one_of(
        st.sampled_from(
            [b'"&Z"', b"&", b"(", b")", b"{5}", b"{99999999+}", b"*", b"%", b'"a\\"b"', b"INBOX", b"~{3}", b"ALL"]
        ),
        LINE,
    ),
    max_size=6,
)
#: memory allowed to grow over a whole property (module simulators, caches and hypothesis included)
RSS_BUDGET_MB = 150


def _imap_still_answers(mss: MssSimulator) -> None:
    client = RawImap(mss.imap_port)
    try:
        assert client.command(b"n1 NOOP")[-1].startswith(b"n1 OK")
    finally:
        client.close()


@FUZZ_NET
@given(word=IMAP_WORDS, args=IMAP_ARGS)
def test_imap_command_lines_get_an_answer(mss: MssSimulator, word: bytes, args: list[bytes]) -> None:
    before = rss_mb()
    client = RawImap(mss.imap_port)
    try:
        line = b"t1 " + word + b"".join(b" " + a for a in args)
        if line.endswith((b"}", b"+}")):
            line += b" x"  # a literal announce must end the line; here it is an ordinary word
        answer = client.command(line)
    finally:
        client.close()
    assert answer, f"no answer to {line[:80]!r}"
    assert answer[-1].startswith((b"t1 OK", b"t1 NO", b"t1 BAD", b"* BYE")), answer[-3:]
    assert b"SERVERBUG" not in b"".join(answer)
    _imap_still_answers(mss)
    assert rss_mb() - before < RSS_BUDGET_MB


@FUZZ_NET
@given(line=LINE)
def test_smtp_command_lines_get_a_reply_code(mss: MssSimulator, line: bytes) -> None:
    with socket.create_connection(("127.0.0.1", mss.smtp_port), timeout=10) as sock:
        reader = sock.makefile("rb")
        assert reader.readline().startswith(b"220")
        sock.sendall(line + b"\r\n")
        reply = reader.readline()
        reader.close()
    assert reply[:1] in (b"2", b"3", b"4", b"5") and reply[3:4] in (b" ", b"-"), reply
    with smtplib.SMTP("127.0.0.1", mss.smtp_port, timeout=10) as smtp:
        assert smtp.noop()[0] == 250
    assert not mss.store.messages()  # a command line alone never delivers anything


@FUZZ_NET
@given(
    body=st.binary(max_size=4096),
    ctype=st.sampled_from(["application/soap+xml; charset=utf-8", "text/xml", "multipart/related; boundary=x", ""]),
)
def test_insi_bodies_get_a_client_fault(insi: InsiSimulator, http: requests.Session, body: bytes, ctype: str) -> None:
    answer = http.post(insi.endpoint, data=body, headers={"Content-Type": ctype}, timeout=30)
    assert 400 <= answer.status_code < 500, answer.text[:200]
    assert (
        http.post(
            insi.endpoint,
            data=build_request(),
            timeout=30,
            headers={"Content-Type": "application/soap+xml; charset=utf-8"},
        ).status_code
        == 200
    )


@FUZZ_NET
@given(
    body=st.binary(max_size=4096),
    ctype=st.sampled_from(
        [
            "application/soap+xml; charset=utf-8",
            'multipart/related; type="application/xop+xml"; boundary="b"; start="<root>"',
            "application/json",
        ]
    ),
)
def test_dmp_bodies_get_a_soap_fault_and_store_nothing(
    dmp: DmpSimulator, http: requests.Session, body: bytes, ctype: str
) -> None:
    answer = http.post(dmp.url + "/dmp/repository", data=body, headers={"Content-Type": ctype}, timeout=30)
    assert 400 <= answer.status_code < 500 and b"Fault" in answer.content, answer.text[:200]
    assert dmp.registry.counts()["documents"] == 0


@FUZZ_NET
@given(
    body=st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=8),
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
        max_leaves=20,
    )
)
def test_fhir_bodies_are_stored_only_when_acknowledged(fhir: GenericFhir, http: requests.Session, body: object) -> None:
    before = fhir.store.count()
    answer = http.post(fhir.url + "/", json=body, headers=FHIR_JSON, timeout=30)
    assert answer.status_code < 500, answer.text[:200]
    if answer.status_code >= 400:
        assert answer.json()["resourceType"] == "OperationOutcome"
        assert fhir.store.count() == before  # refused: nothing stored
