"""The reference DUI's own MSSanté logic: whose document it is, reading archives, the messages it writes."""

from __future__ import annotations

import io
import zipfile

import pytest

from harness.suites.mss.documents import STYLESHEET_NAME, cda_for, mss_person, producer_stylesheet, with_stylesheet
from harness.suites.mss.messages import document_message
from reference_dui.identity import Traits
from reference_dui.mssante.cda import build_document, read_patient
from reference_dui.mssante.receive import decide, documents_of, parse, stylesheet_href, stylesheets_of
from reference_dui.mssante.xdm import build_xdm, read_documents, read_stylesheets
from reference_dui.store import PersonRecord, StoredIns

HELENE = mss_person("mss-roux-helene")
ODILE = mss_person("mss-roux-odile")


def _record(person_id: str, key: str) -> PersonRecord:
    person = mss_person(key)
    t = person.traits
    traits = Traits(t.birth_name, t.first_names, t.sex, t.birth_date, t.birth_place)
    return PersonRecord(person_id, traits, "QUAL", ins=StoredIns(person.ins, person.oid))


PERSONS = [_record("p-helene", "mss-roux-helene"), _record("p-odile", "mss-roux-odile")]


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        (cda_for("vsm", HELENE), ("p-helene", None)),
        (cda_for("vsm", ODILE), ("p-odile", None)),
        (cda_for("vsm", HELENE, with_ins=False), (None, "903")),
        (cda_for("vsm", HELENE, drop=("birth_place",)), (None, "905")),
        (cda_for("vsm", mss_person("mss-garnier-sophie")), (None, "902")),
        (cda_for("vsm", HELENE.with_traits(first_names=("ODILE",))), (None, "904")),
    ],
)
def test_integration_decision(document: bytes, expected: tuple[str | None, str | None]) -> None:
    decision = decide(read_patient(document), PERSONS, wrong_person=False)
    assert (decision.person_id, decision.error_code) == expected


def test_wrong_person_defect_takes_the_first_homonym() -> None:
    decision = decide(read_patient(cda_for("vsm", ODILE)), PERSONS, wrong_person=True)
    assert decision.person_id == "p-helene"


def test_unreadable_documents_are_error_906_not_a_crash() -> None:
    assert decide(read_patient(b"<not xml"), PERSONS, wrong_person=False).error_code == "906"
    assert read_patient(b'<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>') is None


def test_own_archive_round_trip_and_hostile_archives() -> None:
    document, document_id = build_document(
        "p1",
        {"birth_name": "X", "first_names": ["Y"], "sex": "F", "birth_date": "1944-03-09", "birth_place": "75056"},
        None,
    )
    assert read_documents(build_xdm(document, document_id, "p1^^^&1.2&ISO^PI", "t")) == [document]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("IHE_XDM/../../x.XML", b"<x/>")
        archive.writestr("IHE_XDM/SUBSET01/BOMB.XML", b"\0" * (8 * 1024 * 1024))
    assert read_documents(buffer.getvalue()) == []
    assert read_documents(b"not a zip") == []


def test_the_producers_stylesheet_is_found_beside_the_cda_that_names_it() -> None:
    # given a CDA naming its producer's stylesheet, shipped beside it in the archive's subset (SC.CDA/INT.15)
    document = with_stylesheet(cda_for("cr-bio", HELENE))
    message = document_message(
        "labo@chu-essai.mssante.fr",
        "dui@ehpad-essai.mssante.fr",
        [document],
        acknowledgement=False,
        files=[(STYLESHEET_NAME, producer_stylesheet())],
    )
    parsed = parse(message.raw)
    assert parsed is not None
    # then the DUI reads the CDA unchanged, the name it gives and the stylesheet itself
    assert [content for content, _ in documents_of(parsed)] == [document]
    assert stylesheet_href(document) == STYLESHEET_NAME
    assert stylesheets_of(parsed) == {STYLESHEET_NAME: producer_stylesheet()}
    # and a CDA without the processing instruction names none; hostile archives give none
    assert stylesheet_href(cda_for("cr-bio", HELENE)) is None
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("IHE_XDM/../EVIL.XSL", b"<x/>")
        archive.writestr("IHE_XDM/SUBSET01/BOMB.XSL", b"\0" * (8 * 1024 * 1024))
    assert read_stylesheets(buffer.getvalue()) == {}
    assert read_stylesheets(b"not a zip") == {}
