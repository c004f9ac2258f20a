"""HL7 v2 formats, the MTOM/XOP reader and capture files (raw HTTP, MIME entity, bare multipart, bare SOAP)."""

from __future__ import annotations

import pytest
from lxml import etree

from harness.validators.xds.capture import read_capture
from harness.validators.xds.formats import check_cx, check_dtm, check_xcn, check_xon, parse_cx
from harness.validators.xds.mime import MimeError, document_bytes, split_message
from mocks.dmp.samples import mtom


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("241057505612360^^^&1.2.250.1.213.1.4.10&ISO^NH", True),
        ("241057505612360^^^&1.2.250.1.213.1.4.10&ISO", True),
        ("241057505612360^^^1.2.250.1.213.1.4.10^NH", False),
        ("^^^&1.2.250.1.213.1.4.10&ISO", False),
        ("241057505612360^x^^&1.2.250.1.213.1.4.10&ISO", False),
        ("241057505612360^^^&1.2.250.1.213.1.4.10&ISO^XX", False),
    ],
)
def test_cx(value: str, ok: bool) -> None:
    assert (check_cx(value, allowed_types=("", "NH")) == []) is ok


def test_parse_cx() -> None:
    cx, problems = parse_cx("241057505612360^^^&1.2.250.1.213.1.4.10&ISO^NH")
    assert cx is not None and (cx.id, cx.oid, cx.type) == ("241057505612360", "1.2.250.1.213.1.4.10", "NH")
    assert problems == []


@pytest.mark.parametrize(
    ("check", "value", "ok"),
    [
        (check_xcn, "899900000021^DOE^Alex^^^^^^&1.2.250.1.71.4.2.1&ISO^D^^^IDNPS", True),
        (check_xcn, "^DOE^Alex", True),
        (check_xcn, "899900000021^DOE^Alex", False),
        (check_xcn, "899900000021^DOE^Alex^^^^^^&1.2.250.1.71.4.2.1&ISO^D^^^NOPE", False),
        (check_xon, "EHPAD^^^^^&1.2.250.1.71.4.2.2&ISO^IDNST^^^1999000021", True),
        (check_xon, "EHPAD", True),
        (check_xon, "^^^^^&1.2.250.1.71.4.2.2&ISO^IDNST^^^1999000021", False),
        (check_xon, "EHPAD^^^^^^IDNST^^^1999000021", False),
        (check_dtm, "20260325143500", True),
        (check_dtm, "2026", True),
        (check_dtm, "2026-03-25", False),
        (check_dtm, "20260325143500+0100", False),
    ],
)
def test_xcn_xon_dtm(check: object, value: str, ok: bool) -> None:
    assert (check(value) == []) is ok  # type: ignore[operator]


def test_mtom_round_trip_and_xop_include() -> None:
    data = bytes(range(256)) * 10 + b"\r\n--not-a-boundary\r\n"
    body, ctype = mtom(b"<e/>", "urn:x", {"d1@x": data})
    message = split_message(body, ctype)
    assert message.mtom and message.envelope == b"<e/>" and message.attachments == {"d1@x": data}
    document = etree.fromstring(
        b'<d xmlns:xop="http://www.w3.org/2004/08/xop/include"><xop:Include href="cid:d1%40x"/></d>'
    )
    assert document_bytes(document, message) == data
    missing = etree.fromstring(
        b'<d xmlns:xop="http://www.w3.org/2004/08/xop/include"><xop:Include href="cid:other@x"/></d>'
    )
    with pytest.raises(MimeError, match="no MIME part has that Content-ID"):
        document_bytes(missing, message)
    with pytest.raises(MimeError, match="not valid base64"):
        document_bytes(etree.fromstring(b"<d>!!!not base64!!!</d>"), message)


@pytest.mark.parametrize(
    ("ctype", "body", "words"),
    [
        ("multipart/related; boundary=b", b"--b\r\nContent-Type: text/plain\r\n\r\nx\r\n--b--", "xop"),
        ("multipart/mixed; boundary=b", b"--b\r\n\r\nx\r\n--b--", "multipart/related"),
        (
            'multipart/related; boundary="b"',
            b"--b\r\nContent-Type: application/xop+xml\r\n\r\n<a/>\r\n--b\r\n"
            b"Content-Type: application/octet-stream\r\n\r\nnoid\r\n--b--",
            "no Content-ID",
        ),
        (
            'multipart/related; boundary="b"',
            b"--b\r\nContent-Type: application/xop+xml\r\n\r\n<a/>\r\n--b\r\n"
            b"Content-Transfer-Encoding: x-gzip\r\nContent-ID: <a>\r\n\r\nz\r\n--b--",
            "Content-Transfer-Encoding",
        ),
    ],
)
def test_broken_mime(ctype: str, body: bytes, words: str) -> None:
    with pytest.raises(MimeError, match=words):
        split_message(body, ctype)


def test_too_many_parts() -> None:
    parts = b"".join(b"--b\r\nContent-ID: <p%d>\r\n\r\nx\r\n" % i for i in range(5))
    with pytest.raises(MimeError, match="more than the limit"):
        split_message(
            b"--b\r\nContent-Type: application/xop+xml\r\n\r\n<a/>\r\n" + parts + b"--b--",
            'multipart/related; boundary="b"',
            max_parts=3,
        )


def test_capture_forms() -> None:
    body, ctype = mtom(b"<e/>", "urn:x", {"d@x": b"doc"})
    raw = f"POST /dmp/repository HTTP/1.1\r\nHost: x\r\nContent-Type: {ctype}\r\n\r\n".encode() + body
    assert read_capture(raw) == (body, ctype)
    entity = f"Content-Type: {ctype}\r\nMIME-Version: 1.0\r\n\r\n".encode() + body
    assert read_capture(entity) == (body, ctype)
    bare_body, bare_type = read_capture(body)
    assert split_message(bare_body, bare_type).attachments == {"d@x": b"doc"}  # boundary and start recovered
    assert read_capture(b"<soap:Envelope/>") == (b"<soap:Envelope/>", None)
