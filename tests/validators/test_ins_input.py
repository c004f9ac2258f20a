"""harness.validators.ins_input: INS values read from text lines and INSi XML, with their locations."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.errors import InputError
from harness.validators.ins_input import element_path, validate_ins_input, validate_ins_text, validate_ins_xml
from harness.validators.result import ValidateOptions
from harness.validators.safexml import parse_xml

SOAP = "http://www.w3.org/2003/05/soap-envelope"
RESULTAT = "http://www.cnamts.fr/INSiResultat"


def _response(individu: str) -> bytes:
    return (
        f'<S:Envelope xmlns:S="{SOAP}"><S:Body><RESULTAT xmlns="{RESULTAT}">'
        f"<CR><CodeCR>00</CodeCR><LibelleCR>OK</LibelleCR></CR><INDIVIDU>{individu}</INDIVIDU>"
        "</RESULTAT></S:Body></S:Envelope>"
    ).encode()


def _ins(tag: str, nir: str, key: str, oid: str | None = "1.2.250.1.213.1.4.8") -> str:
    oid_xml = f"<OID>{oid}</OID>" if oid is not None else ""
    ident = f"<IdIndividu><NumIdentifiant>{nir}</NumIdentifiant><Cle>{key}</Cle></IdIndividu>"
    return f"<{tag}>{ident}{oid_xml}</{tag}>"


def test_element_path_uses_soap_prefix_and_positions_only_when_needed() -> None:
    root = parse_xml(
        _response(_ins("INSACTIF", "2751263220749", "74") + _ins("INSHISTO", "1", "2") + _ins("INSHISTO", "3", "4"))
    )
    active, first, second = root.iter(f"{{{RESULTAT}}}INSACTIF", f"{{{RESULTAT}}}INSHISTO")
    assert element_path(active) == "/soap:Envelope/soap:Body/RESULTAT/INDIVIDU/INSACTIF"
    assert element_path(first) == "/soap:Envelope/soap:Body/RESULTAT/INDIVIDU/INSHISTO[1]"
    assert element_path(second) == "/soap:Envelope/soap:Body/RESULTAT/INDIVIDU/INSHISTO[2]"


def test_element_path_keeps_other_prefixes() -> None:
    root = parse_xml(b'<r:RESULTAT xmlns:r="urn:x"><r:INSACTIF/></r:RESULTAT>')
    assert element_path(root[0]) == "/r:RESULTAT/r:INSACTIF"


def test_xml_checks_every_ins_with_its_oid() -> None:
    root = parse_xml(
        _response(
            _ins("INSACTIF", "2751263220749", "74")
            + _ins("INSHISTO", "2751263220749", "75")
            + _ins("INSHISTO", "2751263220749", "74", oid=None)
            + _ins("INSHISTO", "2751263220749", "74", oid="1.2.250.1.213.1.4.2")
        )
    )
    result = validate_ins_xml(root, "rep.xml")
    assert result.checked == 4 and not result.valid
    assert [(f.rule, f.location.rsplit("/", 1)[1]) for f in result.findings] == [
        ("ins.key", "INSHISTO[1]"),
        ("ins.oid.missing", "INSHISTO[2]"),
        ("ins.oid.ins-c", "INSHISTO[3]"),
    ]


def test_xml_with_an_incomplete_ins() -> None:
    root = parse_xml(
        _response(
            "<INSACTIF><IdIndividu><NumIdentifiant>2751263220749</NumIdentifiant>"
            "</IdIndividu><OID>1.2.250.1.213.1.4.8</OID></INSACTIF>"
        )
    )
    (finding,) = validate_ins_xml(root, "rep.xml").findings
    assert finding.rule == "ins.length" and "IdIndividu/Cle" in finding.message


def test_xml_without_ins_is_not_valid() -> None:
    root = parse_xml(
        f'<RESULTAT xmlns="{RESULTAT}"><CR><CodeCR>01</CodeCR>'
        "<LibelleCR>Aucune identite trouvee</LibelleCR></CR></RESULTAT>".encode()
    )
    result = validate_ins_xml(root, "cr01.xml")
    assert not result.valid and result.checked == 0  # nothing checked is never VALID (issue 17)
    assert [(f.rule, f.severity.value) for f in result.findings] == [("ins.none", "error")]
    assert "CodeCR 01: Aucune identite trouvee" in result.findings[0].message


def test_text_lines_comments_and_oids() -> None:
    text = (
        "# INS du jeu de test\n\n275126322074974\n275126322074975 ; 1.2.250.1.213.1.4.10\n"
        "180032B020401 23 # CORSE\n277076322082910;1.2.250.1.213.1.4.2\n"
    )
    result = validate_ins_text(text, "ins.txt", default_oid="1.2.250.1.213.1.4.8")
    assert result.checked == 4
    assert [(f.rule, f.location) for f in result.findings] == [
        ("ins.key", "ins.txt:4"),
        ("ins.oid.ins-c", "ins.txt:6"),
    ]


def test_value_argument_with_oid() -> None:
    (result,) = validate_ins_input("275126322074974;1.2.250.1.213.1.4.2", ValidateOptions())
    assert [f.rule for f in result.findings] == ["ins.oid.ins-c"]
    assert result.file == "275126322074974;1.2.250.1.213.1.4.2"


@pytest.mark.parametrize("target", ["missing.txt", "dir/ins.xml", "ça n'existe pas"])
def test_a_missing_file_is_an_input_error(target: str) -> None:
    with pytest.raises(InputError, match="no such file"):
        validate_ins_input(target, ValidateOptions())


def test_utf16_xml_file_is_read(tmp_path: Path) -> None:
    path = tmp_path / "rep.xml"
    path.write_bytes(_response(_ins("INSACTIF", "2751263220749", "74")).decode().encode("utf-16"))
    (result,) = validate_ins_input(str(path), ValidateOptions())
    assert result.valid and result.checked == 1
