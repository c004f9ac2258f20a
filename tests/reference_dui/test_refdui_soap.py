"""The reference DUI's SOAP request builder and response parser, without network."""

from __future__ import annotations

from lxml import etree

from harness.validators.insi_request import check_insi_request
from harness.validators.insi_rules import OP_VITALE
from reference_dui.insi_client import (
    ACTION,
    CONTENT_TYPE_VITALE,
    InsiQuery,
    RequestSettings,
    VitaleQuery,
    build_request,
    parse_response,
)
from tests.reference_dui.refdui_stub import FAULT_550, NS, OID_NIA, cr, found

SETTINGS = RequestSettings(
    idam="IDAM-1",
    lps_name="DUI-REFERENCE",
    lps_version="1.2.3",
    instance="00000000-0000-4000-8000-000000000002",
    emetteur="IDAM-1",
)
QUERY = InsiQuery("ADRUN", ("ZOE",), "F", "1975-12-31", "63220")


def _xml(data: bytes) -> etree._Element:
    return etree.fromstring(data)


def test_request_has_every_header() -> None:
    root = _xml(
        build_request(
            QUERY, SETTINGS, message_id="11111111-2222-4333-8444-555555555555", now="2024-01-01T10:00:00.000Z"
        )
    )
    assert root.tag == f"{{{NS['soap']}}}Envelope"
    bam = root.find("soap:Header/ctxbam:ContexteBAM", NS)
    assert bam.get("Version") == "01_02"
    assert [c.tag.split("}")[1] for c in bam] == ["Id", "Temps", "Emetteur", "COUVERTURE"]
    lps = root.find("soap:Header/ctxlps:ContexteLPS", NS)
    assert (lps.get("Nature"), lps.get("Version")) == ("CTXLPS", "01_00")
    assert [c.tag.split("}")[1] for c in lps] == ["Id", "Temps", "Emetteur", "LPS"]
    idam = lps.find("ctxlps:LPS/ctxlps:IDAM", NS)
    assert (idam.text, idam.get("R")) == ("IDAM-1", "4")
    assert lps.findtext("ctxlps:LPS/ctxlps:Nom", namespaces=NS) == "urn:lps:DUI-REFERENCE:1.2.3"
    assert lps.findtext("ctxlps:LPS/ctxlps:Version", namespaces=NS) == "1.2.3"
    assert root.findtext("soap:Header/wsa:Action", namespaces=NS) == ACTION
    assert root.findtext("soap:Header/wsa:MessageID", namespaces=NS) == ("uuid:11111111-2222-4333-8444-555555555555")
    body = root.find("soap:Body/rec:RECSANSVITALE", NS)
    assert [(c.tag.split("}")[1], c.text) for c in body] == [
        ("NomNaissance", "ADRUN"),
        ("Prenom", "ZOE"),
        ("Sexe", "F"),
        ("DateNaissance", "1975-12-31"),
        ("LieuNaissance", "63220"),
    ]


def test_request_without_birth_place_omits_it() -> None:
    root = _xml(build_request(InsiQuery("ADRUN", ("ZOE",), "F", "1975-12-31"), SETTINGS))
    assert root.find(".//rec:LieuNaissance", NS) is None
    assert root.findtext("soap:Header/wsa:MessageID", namespaces=NS).startswith("uuid:")


def test_request_switches() -> None:
    bare = RequestSettings(**{**SETTINGS.__dict__, "with_ctxlps": False, "with_ctxbam": False})
    root = _xml(build_request(QUERY, bare))
    assert root.find(".//ctxlps:ContexteLPS", NS) is None
    assert root.find(".//ctxbam:ContexteBAM", NS) is None
    assert root.find(".//wsa:MessageID", NS) is None
    assert root.find(".//wsa:Action", NS) is not None
    odd = RequestSettings(**{**SETTINGS.__dict__, "standard_lps": False})
    root = _xml(build_request(QUERY, odd))
    assert root.findtext(".//ctxlps:Nom", namespaces=NS) == "DUI-REFERENCE"
    assert root.find(".//ctxlps:IDAM", NS).get("R") is None


def test_parse_found_with_history() -> None:
    reply = found(
        "1090763220834",
        "89",
        name="ECETINSI",
        first_names=["PIERRE-ALAIN", "MURIEL", "FLORIANT"],
        sex="M",
        date="2009-07-14",
        place="63220",
        history=(("2090763220834", "39"), ("2090663220123", "55")),
    )
    answer = parse_response(200, reply.body)
    assert answer.error is None and answer.cr == "00"
    assert answer.active is not None and answer.active.value == "109076322083489"
    assert [h.value for h in answer.history] == ["209076322083439", "209066322012355"]
    assert answer.tiq is not None and answer.tiq.first_names == ("PIERRE-ALAIN", "MURIEL", "FLORIANT")


def test_parse_nia_keeps_oid() -> None:
    reply = found(
        "1090763220888",
        "35",
        oid=OID_NIA,
        name="PROVISOIRE",
        first_names=["MATRICULE"],
        sex="M",
        date="2009-07-01",
        place="63220",
    )
    answer = parse_response(200, reply.body)
    assert answer.active is not None and answer.active.oid == OID_NIA


def test_parse_cr01_and_fault() -> None:
    assert parse_response(200, cr("01").body).cr == "01"
    fault = parse_response(500, FAULT_550)
    assert fault.error is not None and "siram_100" in fault.error and "desir_550" in fault.error
    assert "Numéro d'autorisation du logiciel inconnu" in fault.error


def test_parse_garbage_and_dtd() -> None:
    assert "HTTP 503" in (parse_response(503, b"Service Unavailable").error or "")
    assert parse_response(200, b"").error
    xxe = (
        b'<?xml version="1.0"?><!DOCTYPE e [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Body/></soap:Envelope>'
    )
    answer = parse_response(200, xxe)
    assert answer.error is not None and "passwd" not in answer.error.replace("file:///etc/passwd", "")
    incomplete = cr("00", "OK")
    assert "incomplète" in (parse_response(200, incomplete.body).error or "")


def test_a_vitale_card_search_is_a_conformant_recvitale_request() -> None:
    # given the card read (CORSE ANTHONY's test card of the identity base)
    card = VitaleQuery("180032B020401", "23", "CORSE", "1980-03-02", "1")
    data = build_request(card, SETTINGS)
    # then the harness's own INSi checks find a rechercherInsAvecCarteVitale with the card's matricule, no fault
    report = check_insi_request(
        data,
        content_type=CONTENT_TYPE_VITALE,
        over_tls=True,
        tls_subject="C=FR,O=EHPAD TEST,CN=INSI-AUTO",
    )
    assert report.operation == OP_VITALE
    assert report.matricule["nir"] == "180032B020401" and report.matricule["birth_rank"] == "1"
    assert [f.rule for f in report.findings] == []
