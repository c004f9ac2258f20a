"""Self-presenting ("auto-présentable") CDA: an XSL stylesheet carrying the ClinicalDocument is judged on it.

The fixtures wrap official examples the way the CI-SIS form does (a stylesheet that displays the
document, the ``ClinicalDocument`` as a top-level data element), with the CDA namespace as the
default or behind a prefix, as ``schematrons/moteur/selectCDA.xsl`` accepts both.
"""

from __future__ import annotations

import pytest
from lxml import etree

from harness.core.findings import Severity
from harness.validators.cda import CdaPack, validate_cda
from tests.validators.cda.conftest import example

XSL = "http://www.w3.org/1999/XSL/Transform"


def _wrap(document: bytes, *, prefix: str | None = None) -> bytes:
    """``document`` inside an ``xsl:stylesheet`` that would display its title."""
    inner = etree.fromstring(document)
    if prefix:  # the same document with the CDA elements behind a prefix
        text = etree.tostring(inner).decode()
        text = text.replace('xmlns="urn:hl7-org:v3"', f'xmlns:{prefix}="urn:hl7-org:v3"', 1)
        text = __import__("re").sub(r"<(/?)(?![\w-]+:)([A-Za-z]\w*)", rf"<\1{prefix}:\2", text)
        inner = etree.fromstring(text.encode())
    stylesheet = etree.Element(f"{{{XSL}}}stylesheet", nsmap={"xsl": XSL, "n1": "urn:hl7-org:v3"})
    stylesheet.set("version", "1.0")
    template = etree.SubElement(stylesheet, f"{{{XSL}}}template", match="/")
    etree.SubElement(etree.SubElement(template, "html"), f"{{{XSL}}}value-of", select="//n1:title")
    stylesheet.append(inner)
    return bytes(etree.tostring(stylesheet, xml_declaration=True, encoding="UTF-8"))


@pytest.mark.parametrize("prefix", [None, "c"])
def test_the_embedded_document_is_judged_and_the_wrapper_reported(prefix: str | None) -> None:
    document = example("DLU-EHPAD-FLUDT_2022.01.xml").replace(b'<realmCode code="FR"/>', b"", 1)
    report = validate_cda(_wrap(document, prefix=prefix))
    assert report.root is not None and etree.QName(report.root).localname == "ClinicalDocument"
    wrapper, *rest = report.findings
    assert (wrapper.rule, wrapper.severity, wrapper.location) == (
        "cda.wrapper",
        Severity.INFO,
        "/xsl:stylesheet/ClinicalDocument",
    )
    (realm,) = (f for f in rest if f.rule == "cda.header.required")
    assert realm.location == "/ClinicalDocument/realmCode"  # relative to the embedded document
    assert report.header.template_ids and report.header.code == "74207-2"


def test_with_the_pack_every_layer_judges_the_embedded_document(pack: CdaPack) -> None:
    document = example("DLU-EHPAD-FLUDT_2022.01.xml").replace(b'code="74207-2"', b'code="34133-9"', 1)
    report = validate_cda(_wrap(document), pack=pack)
    assert all(layer.ran for layer in report.layers), [(lyr.name, lyr.reason) for lyr in report.layers]
    model = [f for f in report.findings if f.requirement == "CDA-SCH-01" and f.severity is Severity.ERROR]
    assert model and all(f.location.startswith("/") and "stylesheet" not in f.location for f in model)


def test_a_stylesheet_without_a_clinical_document_is_refused() -> None:
    stylesheet = f'<xsl:stylesheet xmlns:xsl="{XSL}" version="1.0"><xsl:template match="/"/></xsl:stylesheet>'
    (finding,) = validate_cda(stylesheet.encode()).findings
    assert finding.rule == "cda.root" and "stylesheet" in finding.message
