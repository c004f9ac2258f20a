"""CDA-PRES-01: a self-presenting DLU / FLUDT renders itself readable, with no access outside the file;
CDA-PRES-02: its stylesheet shows every section's narrative, added sections included."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.validators.cda.self_presenting import check_self_presenting
from harness.validators.cda.wrapper import XSL_NS

V3 = "urn:hl7-org:v3"
DOCUMENT = f"""<ClinicalDocument xmlns="{V3}"><id root="1.2.3.4"/><title>Fiche de liaison</title>
<recordTarget><patientRole><patient><name><family>SANTONI-ESSAI</family></name></patient></patientRole></recordTarget>
<custodian><assignedCustodian><representedCustodianOrganization><name>EHPAD TEST</name>
</representedCustodianOrganization></assignedCustodian></custodian>
<component><structuredBody><component><section><title>Signes vitaux</title><text>Pouls 80</text></section>
</component><component><section><templateId root="1.2.250.1.999.42"/><title>Projet d'accompagnement</title>
<text><table><tr><td>Atelier</td><td>Mémoire</td></tr></table><list><item>Sortie au marché</item></list></text>
</section></component></structuredBody></component></ClinicalDocument>"""
RENDER_ALL = """<xsl:template match="/"><html><body>
  <xsl:for-each select="//n1:ClinicalDocument">
    <h1><xsl:value-of select="n1:title"/></h1><p><xsl:value-of select=".//n1:family"/></p>
    <p><xsl:value-of select=".//n1:representedCustodianOrganization/n1:name"/></p>
    <xsl:for-each select=".//n1:section"><h2><xsl:value-of select="n1:title"/></h2>
      <xsl:for-each select="n1:text//text()"><span><xsl:value-of select="."/></span> </xsl:for-each></xsl:for-each>
  </xsl:for-each></body></html></xsl:template>"""


def _file(templates: str, document: str = DOCUMENT, output: str = "html") -> bytes:
    return (
        f'<xsl:stylesheet version="1.0" xmlns:xsl="{XSL_NS}" xmlns:n1="{V3}"><xsl:output method="{output}"/>'
        f"{templates}{document}</xsl:stylesheet>"
    ).encode()


def _rules(data: bytes, document_id: str | None = "1.2.3.4") -> list[str]:
    return [f.rule for f in check_self_presenting(data, document_id)]


def test_a_stylesheet_rendering_the_document_passes() -> None:
    assert _rules(_file(RENDER_ALL)) == []


@pytest.mark.parametrize(
    ("data", "rule"),
    [
        (DOCUMENT.encode(), "cda.self-presenting.stylesheet"),
        (b"<not-closed", "cda.self-presenting.xml"),
        (_file(RENDER_ALL, document=""), "cda.self-presenting.no-document"),
        (_file('<xsl:template match="/"><xsl:value-of select="(("/></xsl:template>'), "cda.self-presenting.compile"),
        (_file('<xsl:template match="/"><doc>x</doc></xsl:template>', output="xml"), "cda.self-presenting.html"),
    ],
    ids=["bare CDA", "not XML", "no document", "does not compile", "not HTML"],
)
def test_what_does_not_present_itself_is_named(data: bytes, rule: str) -> None:
    assert _rules(data) == [rule]


def test_each_missing_part_of_the_rendering_is_named() -> None:
    # given a stylesheet that shows the title only
    found = check_self_presenting(
        _file('<xsl:template match="/"><html><xsl:value-of select="//n1:title"/></html></xsl:template>'), "1.2.3.4"
    )
    # then the patient, the ESMS and each section's title are missing (CDA-PRES-01), and each narrative (PRES-02)
    assert [f.rule for f in found] == ["cda.self-presenting.readable"] * 4 + ["cda.self-presenting.narrative"] * 2
    assert (
        "SANTONI-ESSAI" in found[0].message and "EHPAD TEST" in found[1].message and "Signes vitaux" in found[2].message
    )
    assert [f.requirement for f in found[4:]] == ["CDA-PRES-02", "CDA-PRES-02"]


def test_a_stylesheet_that_shows_only_the_sections_it_knows_misses_the_added_one() -> None:
    # given a stylesheet that renders the narrative of the vital signs section only (the one its volume foresees)
    known = RENDER_ALL.replace('select="n1:text//text()"', "select=\"n1:text[../n1:title = 'Signes vitaux']//text()\"")
    found = check_self_presenting(_file(known), "1.2.3.4")
    # then the added section's narrative is named, with its templateId and the first text missing
    assert [f.rule for f in found] == ["cda.self-presenting.narrative"]
    assert "Projet d'accompagnement" in found[0].message and "1.2.250.1.999.42" in found[0].message
    assert "Atelier" in found[0].message and "2 more" in found[0].message


def test_another_document_than_the_one_produced_is_named() -> None:
    assert _rules(_file(RENDER_ALL), "9.9.9") == ["cda.self-presenting.document"]


@pytest.mark.parametrize(
    "reach",
    ["document('file:///etc/passwd')", "document('http://127.0.0.1:9/x')"],
)
def test_a_stylesheet_reaching_outside_the_file_is_stopped(reach: str) -> None:
    # given a stylesheet that reads a file or the network, then the read is denied and named, nothing leaks
    found = check_self_presenting(
        _file(f'<xsl:template match="/"><html><xsl:copy-of select="{reach}"/></html></xsl:template>'), "1.2.3.4"
    )
    assert [f.rule for f in found] == ["cda.self-presenting.render"]
    assert "root:" not in found[0].message


def test_a_stylesheet_writing_a_file_is_stopped(tmp_path: Path) -> None:
    target = f"{tmp_path}/written.html"
    data = _file(
        f'<xsl:template match="/"><exsl:document href="{target}" xmlns:exsl="http://exslt.org/common">'
        "<html>x</html></exsl:document><html/></xsl:template>"
    ).replace(b"<xsl:stylesheet ", b'<xsl:stylesheet extension-element-prefixes="exsl" ', 1)
    data = data.replace(b'xmlns:n1="', b'xmlns:exsl="http://exslt.org/common" xmlns:n1="', 1)
    found = check_self_presenting(data, "1.2.3.4")
    assert found and found[0].rule == "cda.self-presenting.render"
    assert not Path(target).exists()
