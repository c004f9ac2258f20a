"""The reference DUI's outgoing documents: FLUDT, recipients, visibility at submission, history, self-presenting."""

from __future__ import annotations

import pytest
from lxml import etree

from harness.core.findings import Severity
from harness.suites.ins.persons import person
from harness.validators.cda import validate_cda
from harness.validators.cda.self_presenting import check_self_presenting
from reference_dui.dmp import doc_options
from reference_dui.dmp.cda import KINDS, DocumentRequest, Patient, Recipient, build_document
from reference_dui.dmp.self_presenting import self_presenting
from reference_dui.dmp.xds import provide_and_register
from reference_dui.identity import InvalidInput

V3 = {"c": "urn:hl7-org:v3", "rim": "urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0"}
RECIPIENTS = (
    Recipient("899700000111", "URGENTISTE-ESSAI", "Claire", "1999000111", "CH DE TEST"),
    Recipient("899700000112", "REGULATEUR-ESSAI", "Marc"),
)


def _patient() -> Patient:
    who = person("santoni-paul")
    assert who.ins is not None and who.oid is not None
    t = who.traits
    return Patient(who.ins, who.oid, t.birth_name, tuple(t.first_names), t.sex, t.birth_date, t.birth_place, "IPP1")


def _request(kind: str, **options: object) -> DocumentRequest:
    return DocumentRequest(KINDS[kind], _patient(), **options)  # type: ignore[arg-type]


def _errors(document: bytes) -> list[str]:
    return [f"{f.rule}: {f.message}" for f in validate_cda(document).findings if f.severity is Severity.ERROR]


def test_the_fludt_follows_the_dlu_ehpad_model_and_names_its_recipients() -> None:
    # given a FLUDT addressed to two professionals
    document = build_document(_request("FLUDT", recipients=RECIPIENTS))
    root = etree.fromstring(document)
    # then the embedded rules (FLUDT model, header, INS) find nothing, and both recipients are named
    assert _errors(document) == []
    assert root.xpath("c:templateId[@root='1.2.250.1.213.1.1.1.23']/@extension", namespaces=V3) == ["2022.01"]
    assert root.xpath("c:documentationOf/c:serviceEvent/c:code/@code", namespaces=V3) == ["28651-8"]
    named = root.xpath("c:informationRecipient/c:intendedRecipient/c:id/@extension", namespaces=V3)
    assert named == ["899700000111", "899700000112"]


@pytest.mark.parametrize(
    ("quirk", "rule"), [("cda_fludt_no_vital_signs", "cda.fludt.section"), ("cda_first_recipient_only", None)]
)
def test_the_document_switches_bend_only_their_part(quirk: str, rule: str | None) -> None:
    document = build_document(_request("FLUDT", recipients=RECIPIENTS, quirks=frozenset({quirk})))
    assert [e.split(":")[0] for e in _errors(document)] == ([rule] if rule else [])
    named = etree.fromstring(document).xpath(
        "c:informationRecipient/c:intendedRecipient/c:id/@extension", namespaces=V3
    )
    assert len(named) == (1 if quirk == "cda_first_recipient_only" else 2)


def test_visibility_chosen_at_creation_is_in_the_first_submission() -> None:
    # given the three choices, then the DocumentEntry carries the three JDV_J08 codes beside the level N
    codes = doc_options.visibility_from(
        {"masked_from_professionals": True, "invisible_to_patient": True, "invisible_to_legal_representatives": True},
        frozenset(),
    )
    request = _request("N1", visibility=codes)
    body, _ = provide_and_register(request, build_document(request), "urn:uuid:e1", defects=frozenset())
    sent = body.xpath(
        "//rim:ExtrinsicObject/rim:Classification[@classificationScheme='urn:uuid:f4f85eac-e6cb-4883-b524-f2705394840f']"
        "/@nodeRepresentation",
        namespaces=V3,
    )
    assert sent == ["N", "MASQUE_PS", "INVISIBLE_PATIENT", "INVISIBLE_REPRESENTANTS_LEGAUX"]
    # and with the switch, the first submission carries none of them
    assert (
        doc_options.visibility_from({"invisible_to_patient": True}, frozenset({"dmp_visibility_after_submission"}))
        == ()
    )


def test_a_historical_document_is_dated_by_its_act_and_authored_by_the_legal_entity() -> None:
    act, legal = doc_options.historical_from({"historical": {"act_date": "2019-03-14", "author_left_rpps": True}})
    request = _request("N1", act_date=act, legal_entity_author=legal)
    document = build_document(request)
    low = etree.fromstring(document).xpath(
        "c:documentationOf/c:serviceEvent/c:effectiveTime/c:low/@value", namespaces=V3
    )
    assert low == ["20190314"]
    body, _ = provide_and_register(request, document, "urn:uuid:e1", defects=frozenset())
    assert body.xpath("//rim:Slot[@name='serviceStartTime']/rim:ValueList/rim:Value/text()", namespaces=V3) == [
        "20190314"
    ]
    persons = body.xpath("//rim:Slot[@name='authorPerson']/rim:ValueList/rim:Value/text()", namespaces=V3)
    legal_entities = [p for p in persons if p.endswith("^(structure de soins)")]
    assert len(legal_entities) == 2 and len(persons) == 4  # DocumentEntry and SubmissionSet, initial author kept


@pytest.mark.parametrize(
    "data",
    [
        {"recipients": "dr who"},
        {"recipients": [{"rpps": "1"}]},
        {"recipients": [{"rpps": "1", "family": "A", "given": "B"}] * 51},
        {"historical": {"act_date": "14/03/2019"}},
        {"historical": "2019"},
        {"invisible_to_patient": "yes"},
    ],
)
def test_malformed_choices_are_refused_with_a_clear_error(data: dict[str, object]) -> None:
    with pytest.raises(InvalidInput):
        doc_options.recipients_from(data)
        doc_options.historical_from(data)
        doc_options.visibility_from(data, frozenset())


def test_the_self_presenting_file_renders_the_document() -> None:
    document = build_document(_request("FLUDT", recipients=RECIPIENTS))
    document_id = str(etree.fromstring(document).xpath("c:id/@root", namespaces=V3)[0])
    assert check_self_presenting(self_presenting(document), document_id) == []
