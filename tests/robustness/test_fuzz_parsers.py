"""Property-based fuzzing of the parsers and validators that read what a DUI sends (issue 17, item 4).

Whatever the bytes, each parser either returns or raises its own precise error type: never
another exception (no ``RecursionError``, ``ValueError`` of an inner library, ``KeyError``…).
"""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st
from pymap.parsing.exceptions import NotParseable

from harness.validators.fhir.jsonio import FhirInputError, parse_fhir_json
from harness.validators.ins_value import validate_ins
from harness.validators.insi_request import check_insi_request
from harness.validators.safexml import XmlInputError, parse_xml
from harness.validators.soap12 import SoapError, parse_envelope
from harness.validators.xds.formats import check_cx, check_dtm, check_xcn, check_xon
from harness.validators.xds.mime import MimeError, split_message
from mocks.insi.samples import build_request
from mocks.mssante.modutf7 import modutf7_decode
from tests.robustness.support import FUZZ

#: characters an XML document can carry (the request builder refuses the others, as any XML writer)
XML_TEXT = st.characters(blacklist_categories=("Cs", "Cc"))
INS_ALPHABET = st.sampled_from("0123456789AB ;.-\u00a0\t\n\x00é")
MIME = 'multipart/related; type="application/xop+xml"; boundary="b"; start="<root>"'
ROOT = b'--b\r\nContent-Type: application/xop+xml; type="application/soap+xml"\r\nContent-ID: <root>\r\n\r\n'


@FUZZ
@given(st.text(INS_ALPHABET, max_size=40), st.one_of(st.none(), st.text(max_size=40)))
def test_ins_values_always_give_findings(value: str, oid: str | None) -> None:
    findings = validate_ins(value, oid)
    assert all(f.rule.startswith("ins.") for f in findings)


@FUZZ
@given(st.binary(max_size=2048))
def test_xml_bytes_parse_or_give_a_precise_error(data: bytes) -> None:
    try:
        parse_xml(data)
    except XmlInputError as exc:
        assert str(exc)


@FUZZ
@given(st.recursive(st.just("<a/>"), lambda inner: st.builds(lambda x: f"<e>{x}</e>", inner), max_leaves=400))
def test_soap_envelopes_of_any_shape_parse_or_give_a_soap_error(xml: str) -> None:
    try:
        parse_envelope(xml.encode())
    except SoapError as exc:
        assert exc.args


@FUZZ
@given(st.lists(st.binary(max_size=200), max_size=30), st.sampled_from(["", "multipart/related", "--b", "\r\n"]))
def test_mime_bodies_split_or_give_a_mime_error(parts: list[bytes], noise: str) -> None:
    body = ROOT + b"<a/>" + b"".join(b"\r\n--b\r\nContent-ID: <%d>\r\n\r\n" % i + p for i, p in enumerate(parts))
    body += noise.encode() + b"\r\n--b--\r\n"
    try:
        split_message(body, MIME)
    except MimeError as exc:
        assert exc.reason


@FUZZ
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=10),
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
        max_leaves=60,
    )
)
def test_fhir_json_values_parse_or_give_an_outcome_error(value: object) -> None:
    try:
        parse_fhir_json(json.dumps(value).encode())
    except FhirInputError as exc:
        assert exc.status in (400, 413, 422)


@FUZZ
@given(st.binary(max_size=512))
def test_fhir_raw_bytes_never_escape_as_another_error(data: bytes) -> None:
    try:
        parse_fhir_json(data)
    except FhirInputError as exc:
        assert exc.code


@FUZZ
@given(
    st.text(XML_TEXT, max_size=60),
    st.lists(st.text(XML_TEXT, max_size=20), max_size=3),
    st.sampled_from(["M", "F", "X", ""]),
    st.text(XML_TEXT, max_size=12),
)
def test_insi_requests_with_any_traits_are_checked(name: str, first: list[str], sex: str, date: str) -> None:
    body = build_request(birth_name=name, first_names=first or ["A"], sex=sex or None, birth_date=date)
    report = check_insi_request(
        body, content_type="application/soap+xml; charset=utf-8", over_tls=True, tls_subject="CN=INSI-AUTO"
    )
    assert report.operation


@FUZZ
@given(st.binary(max_size=64))
def test_mailbox_names_decode_or_are_refused_in_one_pass(data: bytes) -> None:
    try:
        assert isinstance(modutf7_decode(data), str)
    except NotParseable as exc:
        assert "modified UTF-7" in str(exc)


HL7_ALPHABET = st.sampled_from("0123456789^&~|\\.AZaz -+:é\x00")


@FUZZ
@given(st.text(HL7_ALPHABET, max_size=80))
def test_hl7_datatypes_give_problems_never_exceptions(value: str) -> None:
    """XDS metadata in HL7 v2 datatypes (CX, XCN, XON, DTM; IHE ITI TF-3 4.2.3.1.7): a list of problems."""
    for check in (check_cx, check_xcn, check_xon, check_dtm):
        problems = check(value)
        assert isinstance(problems, list) and all(isinstance(p, str) for p in problems)
