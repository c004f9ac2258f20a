"""Hostile or broken input gets a precise SOAP fault, never a 500, and is recorded.

Every case is checked over real HTTP; afterwards the simulator still answers a good request.
"""

from __future__ import annotations

import re
import time
from typing import Any

import pytest

from mocks.insi.samples import build_request, read_answer

SOAP = {"Content-Type": "application/soap+xml; charset=utf-8"}
BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>
<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Body>&lol4;</soap:Body></soap:Envelope>"""
XXE = b"""<?xml version="1.0"?>
<!DOCTYPE foo [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Body>
<RECSANSVITALE xmlns="http://www.cnamts.fr/INSiRecSans"><NomNaissance>&x;</NomNaissance></RECSANSVITALE>
</soap:Body></soap:Envelope>"""
SOAP11 = build_request().replace(
    b"http://www.w3.org/2003/05/soap-envelope", b"http://schemas.xmlsoap.org/soap/envelope/"
)

CASES: dict[str, tuple[bytes, dict[str, str], int, str]] = {
    "billion-laughs": (BILLION_LAUGHS, SOAP, 400, "DOCTYPE"),
    "xxe": (XXE, SOAP, 400, "DOCTYPE"),
    "truncated": (build_request()[:700], SOAP, 400, "(line 2, column"),
    "non-xml": (bytes(range(256)) * 4, SOAP, 400, "not well-formed"),
    "json": (
        b'{"NomNaissance": "ADRUN", "Prenom": "ZOE"}',
        {"Content-Type": "application/json"},
        400,
        "application/soap+xml",
    ),
    "empty": (b"", SOAP, 400, "empty"),
    "soap-1.1": (SOAP11, {"Content-Type": "text/xml; charset=utf-8"}, 400, "SOAP 1.1"),
    "not-an-envelope": (b"<RECSANSVITALE/>", SOAP, 400, "not a SOAP 1.2"),
    "oversized": (b"<a>" + b"x" * (30 * 1024 * 1024) + b"</a>", SOAP, 413, "exceeds the simulator limit"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_hostile_input_gets_a_precise_fault(caller: Any, case: str) -> None:
    body, headers, status, words = CASES[case]
    started = time.perf_counter()
    response, exchange = caller.post(body, headers)
    assert time.perf_counter() - started < 3
    assert response.status_code == status, response.text[:500]
    assert response.headers["content-type"].startswith("application/soap+xml")
    fault = read_answer(response.content)["fault"]
    assert fault["code"] == "soap:Sender"
    assert words in fault["reason"], fault["reason"]
    assert b"root:" not in response.content  # /etc/passwd never read
    assert exchange.response is not None and exchange.response.start_line == f"HTTP/1.1 {status}"
    assert exchange.transaction in ("invalid", "oversized-request")
    if status == 400:
        assert any(f.requirement == "INS-INSI-01" for f in exchange.findings)
        assert exchange.summary["fault"]["status"] == 400


def test_truncated_xml_fault_gives_line_and_column(caller: Any) -> None:
    response, exchange = caller.post(build_request()[:700])
    [finding] = [f for f in exchange.findings if f.rule == "insi.envelope.invalid"]
    assert re.search(r"\(line 2, column \d+\)$", finding.message), finding.message
    assert finding.message in read_answer(response.content)["fault"]["erreur"]


def test_wrong_method_is_405(caller: Any) -> None:
    since = caller.sim.recorder.mark()
    response = caller.session.get(caller.sim.endpoint, timeout=10)
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    [exchange] = caller.sim.recorder.wait_for(service="INS", since=since, timeout=5)
    assert exchange.summary["fault"]["status"] == 405


def test_still_answers_after_hostile_input(caller: Any) -> None:
    caller.post(BILLION_LAUGHS)
    caller.post(b"<a>" + b"x" * (30 * 1024 * 1024) + b"</a>")
    response, exchange = caller.post(build_request())
    assert response.status_code == 200
    assert read_answer(response.content)["cr"] == "00"
    assert exchange.transaction == "rechercherInsAvecTraitsIdentite"


def test_a_nine_megabyte_birth_name_is_refused_without_searching(caller: Any) -> None:
    """Issue 17: a 9 MB birth name took 26 s of matching on the event loop (another client waited 8 s)."""
    response, exchange = caller.post(build_request(birth_name="A" * 9_000_000))
    assert response.status_code == 400 and b"insi.trait.length" in response.content
    assert exchange.summary["fault"]["code"] == "insi.trait.length"
    good, _ = caller.post(build_request())
    assert good.status_code == 200
