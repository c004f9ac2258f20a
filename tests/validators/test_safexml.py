"""harness.validators.safexml: hostile or broken XML is refused with a message, never expanded."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.validators.safexml import XmlInputError, parse_xml

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<lolz>&lol3;</lolz>"""


def _xxe(system_id: str) -> bytes:
    return (f'<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY x SYSTEM "{system_id}">]>\n<r>&x;</r>').encode()


@pytest.fixture
def secret_file(tmp_path: Path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text("TOP-SECRET-CONTENT", encoding="utf-8")
    return path


@pytest.mark.parametrize("allow_dtd", [False, True])
def test_billion_laughs_is_refused(allow_dtd: bool) -> None:
    with pytest.raises(XmlInputError, match=r"document type declaration|entity") as info:
        parse_xml(BILLION_LAUGHS, allow_dtd=allow_dtd)
    assert "lollol" not in str(info.value)  # named, never expanded


@pytest.mark.parametrize("allow_dtd", [False, True])
def test_xxe_file_entity_is_refused_and_never_read(secret_file: Path, allow_dtd: bool) -> None:
    with pytest.raises(XmlInputError) as info:
        parse_xml(_xxe(secret_file.as_uri()), allow_dtd=allow_dtd)
    assert "TOP-SECRET" not in str(info.value)


@pytest.mark.parametrize("allow_dtd", [False, True])
def test_xxe_http_entity_is_refused_without_network(allow_dtd: bool) -> None:
    # 192.0.2.1 (TEST-NET-1) never answers: a fetch attempt would hang, not fail fast
    with pytest.raises(XmlInputError, match=r"document type declaration|entity"):
        parse_xml(_xxe("http://192.0.2.1/evil.dtd"), allow_dtd=allow_dtd)


def test_xxe_in_utf16_is_refused(secret_file: Path) -> None:
    # the raw-bytes DOCTYPE check cannot see UTF-16; the parsed tree check still refuses it
    data = _xxe(secret_file.as_uri()).decode().replace('version="1.0"', 'version="1.0" encoding="UTF-16"')
    with pytest.raises(XmlInputError, match="document type declaration") as info:
        parse_xml(data.encode("utf-16"))
    assert "TOP-SECRET" not in str(info.value)


def test_plain_doctype_is_refused() -> None:
    with pytest.raises(XmlInputError, match=r"<!DOCTYPE>"):
        parse_xml(b"<!DOCTYPE html><html/>")


@pytest.mark.parametrize("data", [b"", b"   \n\t "])
def test_empty_document(data: bytes) -> None:
    with pytest.raises(XmlInputError, match="empty XML document"):
        parse_xml(data)


def test_oversize_document_is_refused_before_parsing() -> None:
    data = b"<r>" + b"x" * 200 + b"</r>"
    with pytest.raises(XmlInputError, match=r"207 bytes exceeds the limit of 100 bytes"):
        parse_xml(data, max_bytes=100)


def test_truncated_document_gives_line_and_column() -> None:
    with pytest.raises(XmlInputError) as info:
        parse_xml(b'<?xml version="1.0"?>\n<RESULTAT>\n  <CR><CodeCR>00</Code')
    error = info.value
    assert error.line == 3 and error.column is not None
    assert str(error).startswith("XML not well-formed: ")
    assert str(error).count(f"line {error.line}, column") == 1  # the position is written once


def test_not_xml_at_all() -> None:
    with pytest.raises(XmlInputError, match="not well-formed"):
        parse_xml(b"NumIdentifiant;Cle")


def test_a_normal_document_parses() -> None:
    root = parse_xml(
        b'\xef\xbb\xbf<?xml version="1.0" encoding="UTF-8"?>'
        b'<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Body>'
        b'<RESULTAT xmlns="http://www.cnamts.fr/INSiResultat"><CR><CodeCR>00</CodeCR></CR></RESULTAT>'
        b"</soap:Body></soap:Envelope>"
    )
    assert root.tag == "{http://www.w3.org/2003/05/soap-envelope}Envelope"
    assert root.findtext(".//{http://www.cnamts.fr/INSiResultat}CodeCR") == "00"
