"""harness.validators.mail.scenario: answers (threading), DSN request, 'annule et remplace'."""

from __future__ import annotations

from email.message import EmailMessage
from email.policy import SMTP

from lxml import etree

from harness.validators.cda import CdaHeader, CdaReport
from harness.validators.mail.mime import ParsedMessage, parse_message
from harness.validators.mail.scenario import check_dsn, check_replacement, check_reply

ORIGINAL = "<question@chu-essai.mssante.fr>"
EARLIER = "<premier@chu-essai.mssante.fr>"


def _parsed(headers: dict[str, str], body: str = "Bonjour") -> ParsedMessage:
    message = EmailMessage()
    message["From"] = '"DUI" <dui@ehpad-essai.mssante.fr>'
    message["To"] = "jean@chu-essai.mssante.fr"
    message["Subject"] = headers.pop("Subject", "Re: Suivi")
    for name, value in headers.items():
        message[name] = value
    message.set_content(body)
    return parse_message(message.as_bytes(policy=SMTP))


def _reply_rules(**headers: str) -> set[str]:
    parsed = _parsed({"Message-ID": "<answer@ehpad-essai.mssante.fr>", **headers})
    return {f.rule for f in check_reply(parsed, ORIGINAL, EARLIER)}


def test_a_threaded_answer_passes() -> None:
    assert _reply_rules(**{"In-Reply-To": ORIGINAL, "References": f"{EARLIER} {ORIGINAL}"}) == set()


def test_each_threading_fault_is_named() -> None:
    assert _reply_rules(**{"References": f"{EARLIER} {ORIGINAL}"}) == {"mss.reply.in_reply_to"}
    assert _reply_rules(**{"In-Reply-To": ORIGINAL}) == {"mss.reply.references"}
    assert _reply_rules(**{"In-Reply-To": ORIGINAL, "References": ORIGINAL}) == {"mss.reply.references"}
    assert _reply_rules(**{"In-Reply-To": ORIGINAL, "References": f"{ORIGINAL} {EARLIER}"}) == {"mss.reply.references"}
    parsed = _parsed({"Message-ID": ORIGINAL, "In-Reply-To": ORIGINAL, "References": f"{EARLIER} {ORIGINAL}"})
    assert {f.rule for f in check_reply(parsed, ORIGINAL, EARLIER)} == {"mss.reply.message_id"}


def test_dsn_needs_return_receipt_to() -> None:
    assert check_dsn(_parsed({"Return-Receipt-To": "dui@ehpad-essai.mssante.fr"})) == []
    assert [f.rule for f in check_dsn(_parsed({}))] == ["mss.dsn.missing"]


def test_a_new_version_says_annule_et_remplace_and_carries_another_cda() -> None:
    new = CdaReport(header=CdaHeader(document_id="1.2.3^NEW"))
    said = _parsed({}, "Ce document annule et remplace le document 1.2.3^OLD.")
    assert check_replacement(said, [new], "1.2.3^OLD") == []
    assert [f.rule for f in check_replacement(_parsed({}), [new], "1.2.3^OLD")] == ["mss.replace.mention"]
    old = CdaReport(header=CdaHeader(document_id="1.2.3^OLD"))
    assert [f.rule for f in check_replacement(said, [old], "1.2.3^OLD")] == ["mss.replace.same_document"]


def _cda(related: str) -> etree._Element:
    return etree.fromstring(
        f'<ClinicalDocument xmlns="urn:hl7-org:v3"><id root="1.2.3" extension="NEW"/>{related}</ClinicalDocument>'
    )


def test_a_new_version_names_the_document_it_replaces() -> None:
    # given the message saying "annule et remplace", with a new CDA
    said = _parsed({}, "Ce document annule et remplace le document 1.2.3^OLD.")
    rplc = '<relatedDocument typeCode="RPLC"><parentDocument><id root="1.2.3" extension="{}"/></parentDocument>'
    named = CdaReport(header=CdaHeader(document_id="1.2.3^NEW"), root=_cda(rplc.format("OLD") + "</relatedDocument>"))
    other = CdaReport(header=CdaHeader(document_id="1.2.3^NEW"), root=_cda(rplc.format("X") + "</relatedDocument>"))
    silent = CdaReport(header=CdaHeader(document_id="1.2.3^NEW"), root=_cda(""))
    # then the CDA naming the replaced document in relatedDocument RPLC passes; one naming none or another fails
    assert check_replacement(said, [named], "1.2.3^OLD") == []
    assert [f.rule for f in check_replacement(said, [silent], "1.2.3^OLD")] == ["mss.replace.parent"]
    found = check_replacement(said, [other], "1.2.3^OLD")
    assert [f.rule for f in found] == ["mss.replace.parent"] and "1.2.3^X" in found[0].message
