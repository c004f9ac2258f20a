"""Answers shaped exactly like the real INSi fixtures; the identity base; the SOAP helpers."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from lxml import etree

from harness.core.ins import Traits
from mocks.common.soap import SoapError, content_type_action, parse_envelope, soap_fault
from mocks.insi.identity_base import IdentityBase, fold
from mocks.insi.responses import (
    DESIR_550_MESSAGE,
    DESIR_550_REASON,
    _result_envelope,
    fault_envelope,
    result_envelope,
)
from mocks.insi.samples import build_request


def canonical(data: bytes) -> bytes:
    parser = etree.XMLParser(remove_blank_text=True, remove_comments=True, resolve_entities=False)
    out: bytes = etree.tostring(etree.fromstring(data, parser), method="c14n")
    return out


def same_tree(a: etree._Element, b: etree._Element) -> bool:
    """Equal names, attributes, texts and children, whatever the prefixes."""
    return (
        a.tag == b.tag
        and dict(a.attrib) == dict(b.attrib)
        and (a.text or "").strip() == (b.text or "").strip()
        and len(a) == len(b)
        and all(same_tree(x, y) for x, y in zip(a, b, strict=True))
    )


@pytest.fixture(scope="module")
def base() -> IdentityBase:
    return IdentityBase.load()


@pytest.mark.parametrize(
    ("fixture", "cr", "person"),
    [
        ("TEST_2.08_cas1.xml", "00", "corse-anthony"),
        ("TEST_2.05.xml", "00", "provisoire-matricule"),
        ("REP_CR01.xml", "01", None),
    ],
)
def test_result_is_byte_for_byte_like_the_fixture(
    insi_reference: Path, base: IdentityBase, fixture: str, cr: str, person: str | None
) -> None:
    ours = result_envelope(cr, base.get(person) if person else None)
    assert canonical(ours) == canonical((insi_reference / "fixtures" / fixture).read_bytes())


def test_inshisto_like_test_2_04_cas2(insi_reference: Path, base: IdentityBase) -> None:
    """The real answer for ECETINSI: DateDeb/DateFin first in INSHISTO; its TIQ has no Prenom."""
    ours = etree.fromstring(result_envelope("00", base.get("ecetinsi-pierre-alain")))
    for prenom in ours.iter("{http://www.cnamts.fr/INSiResultat}Prenom"):
        prenom.getparent().remove(prenom)
    real = (insi_reference / "fixtures" / "TEST_2.04_cas2.xml").read_bytes()
    assert canonical(etree.tostring(ours)) == canonical(real)


def test_inshisto_in_xsd_order(base: IdentityBase) -> None:
    root = etree.fromstring(result_envelope("00", base.get("ecetinsi-pierre-alain"), dates_first=False))
    first = root.find(".//{http://www.cnamts.fr/INSiResultat}INSHISTO")
    assert [etree.QName(c).localname for c in first] == ["IdIndividu", "OID", "DateDeb", "DateFin"]


def test_cr02_and_bad_cr() -> None:
    assert b"<LibelleCR>Plusieurs identites trouvees</LibelleCR>" in result_envelope("02")
    with pytest.raises(ValueError, match="unknown INSi CR"):
        result_envelope("03")
    with pytest.raises(ValueError, match="needs a person"):
        result_envelope("00")


def test_fault_like_the_desir_550_fixture(insi_reference: Path) -> None:
    ours = fault_envelope(message_id="uuid:b3549edd-4ae9-472a-b26f-fd2fb4ef397f", reason=DESIR_550_REASON)
    real = (insi_reference / "fixtures" / "FAULT_siram_100_desir_550.xml").read_bytes()
    parser = etree.XMLParser(remove_blank_text=True, remove_comments=True)
    assert same_tree(etree.fromstring(ours, parser), etree.fromstring(real, parser))
    assert DESIR_550_MESSAGE in ours.decode()


def test_fault_arguments_are_checked() -> None:
    with pytest.raises(ValueError, match="severite"):
        fault_envelope(severite="grave")
    with pytest.raises(ValueError, match="Sender or Receiver"):
        soap_fault("Client", "x", "y")  # type: ignore[arg-type]


# -- identity base ------------------------------------------------------------------------------
def traits(name: str, first: tuple[str, ...], sex: str, date: str, place: str | None = None) -> Traits:
    return Traits(name, first, sex, date, place)


def test_fold() -> None:
    assert fold("  Zoé  Ève ") == "ZOE EVE"
    assert fold(None) == ""


def test_search_rules(base: IdentityBase) -> None:
    assert [p.id for p in base.search(traits("adrun", ("zoé",), "f", "1975-12-31"))] == ["adrun-zoe"]
    assert base.search(traits("HOUILLES", ("PIERRE",), "M", "1993-01-27")) == []
    assert len(base.search(traits("DUPONT-ESSAI", ("LOUISE",), "F", "1941-05-12"))) == 2
    assert [p.id for p in base.search(traits("DUPONT-ESSAI", ("LOUISE ANNE",), "F", "1941-05-12"))] == [
        "dupont-louise-anne"
    ]
    assert base.search(traits("ECETINSI", ("MURIEL",), "M", "2009-07-14"))  # any birth first name
    assert not base.search(traits("ECETINSI", ("PIERRE",), "M", "2009-07-14"))  # not a part of a name
    assert not base.search(traits("ADRUN", ("ZOE",), "M", "1975-12-31"))


def test_search_by_matricule(base: IdentityBase) -> None:
    found = base.search_by_matricule("2751263220749", "74", "Adrun", "1975-12-31")
    assert [p.id for p in found] == ["adrun-zoe"]
    assert base.search_by_matricule("2751263220749", "75", "ADRUN", "1975-12-31") == []
    assert base.search_by_matricule("2751263220749", None, "ADRUNE", "1975-12-31") == []


def test_base_edits_are_checked(base: IdentityBase) -> None:
    copy = base.copy()
    with pytest.raises(ValueError, match="already in the base"):
        copy.add(base.persons[0])
    with pytest.raises(ValueError, match="no person"):
        copy.remove("nobody")
    with pytest.raises(ValueError, match="missing or bad field"):
        copy.add({"id": "x", "traits": {}})
    copy.remove("adrun-zoe")
    assert base.get("adrun-zoe") is not None and copy.get("adrun-zoe") is None


def test_load_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    with pytest.raises(ValueError, match="cannot read"):
        IdentityBase.load(bad)
    with pytest.raises(ValueError, match="persons"):
        IdentityBase.from_dict({})


# -- SOAP helpers -------------------------------------------------------------------------------
def test_parse_envelope_of_a_good_request() -> None:
    env = parse_envelope(build_request())
    assert env.action == "urn:ServiceIdentiteCertifiee:1.0.0:rechercherInsAvecTraitsIdentite"
    assert etree.QName(env.body_child).localname == "RECSANSVITALE"
    assert len(env.header_blocks()) == 4


@pytest.mark.parametrize(
    ("xml", "words"),
    [
        (
            b'<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/"><e:Body><x/></e:Body></e:Envelope>',
            "SOAP 1.1",
        ),
        (b'<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"/>', "no soap:Body"),
        (b'<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body/></e:Envelope>', "Body is empty"),
        (
            b'<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body><x/></e:Body><e:Header/>'
            b"</e:Envelope>",
            "unexpected element",
        ),
        (b"<Envelope/>", "not a SOAP 1.2"),
        (b"<e:Envelope", "not well-formed"),
    ],
)
def test_parse_envelope_refusals(xml: bytes, words: str) -> None:
    with pytest.raises(SoapError, match=words):
        parse_envelope(xml)


def test_content_type_action() -> None:
    assert content_type_action('application/soap+xml; charset=utf-8; action="urn:a:b"') == "urn:a:b"
    assert content_type_action("application/soap+xml;action=urn:a:b") == "urn:a:b"
    assert content_type_action("application/soap+xml") is None
    assert content_type_action(None) is None


def test_a_remembered_answer_is_the_answer_written_for_that_person() -> None:
    base = IdentityBase.load()
    person = base.get("ecetinsi-pierre-alain")
    assert person is not None
    renamed = dataclasses.replace(person, traits=dataclasses.replace(person.traits, birth_name="AUTRE"))
    for _ in range(2):  # written, then remembered: the same bytes
        for who in (person, renamed):
            assert result_envelope("00", who) == _result_envelope("00", who)
            assert result_envelope("00", who, dates_first=False) == _result_envelope("00", who, dates_first=False)
    assert result_envelope("00", person) != result_envelope("00", renamed)  # another TIQ, another answer
    with pytest.raises(ValueError):
        result_envelope("00", None)  # refused every time, never remembered
    with pytest.raises(ValueError):
        result_envelope("00", None)


def test_fold_gives_the_same_value_remembered_or_not() -> None:
    long = " Zoé " * 100  # longer than what is remembered
    assert fold(" Zoé ") == fold(" Zoé ") == "ZOE"
    assert fold(long) == " ".join(["ZOE"] * 100)
    assert fold(None) == ""
