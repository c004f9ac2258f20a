"""Derive an ART-DECOR value-set file (``voc-<OID>-DYNAMIC.xml``) from the pack's IHE SVS value set.

The ART-DECOR schematron of the structuration minimale
(``profils/structurationMinimale/ASIP-STRUCT-MIN-StrucMin.sch``) reads its value sets from
``include/voc-<OID>-DYNAMIC.xml``::

    <valueSets xmlns="urn:hl7-org:v3"><valueSet xmlns="" id="<OID>" …>
      <conceptList><concept code="…" codeSystem="…" displayName="…" level="0" type="L"/>…

The public pack lacks ``voc-1.2.250.1.213.1.1.5.471-DYNAMIC.xml`` (JDV_J07 XdsTypeCode), but
carries the same value set, same OID, as ``jeuxDeValeurs/JDV_J07_XdsTypeCode_CISIS.xml`` in IHE
SVS form (``RetrieveValueSetResponse/ValueSet[@id]/ConceptList/Concept``). This module writes
the ART-DECOR form from the SVS form, concept for concept (code, code system, display name),
and says where it came from (``derivedFrom`` attribute, a comment). The schematron only reads
``conceptList/concept/@code`` and ``@codeSystem``.

The derived file is written to the project's cache, never into the user's pack.
"""

from __future__ import annotations

import re
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from lxml import etree

__all__ = ["SVS_NS", "derive_voc", "svs_oid", "voc_oid"]

SVS_NS = "urn:ihe:iti:svs:2008"
_VOC_NAME = re.compile(r"^voc-(?P<oid>[0-9]+(?:\.[0-9]+)+)-DYNAMIC\.xml$")
_SVS_ID = re.compile(rb"<(?:\w+:)?ValueSet\b[^>]*?\sid=\"([0-9.]+)\"", re.DOTALL)


def voc_oid(name: str) -> str | None:
    """The OID an ART-DECOR value-set file name carries (``voc-<OID>-DYNAMIC.xml``), else None."""
    match = _VOC_NAME.match(name)
    return match.group("oid") if match else None


def svs_oid(path: Path) -> str | None:
    """The ``ValueSet/@id`` of an IHE SVS file (read from its first 8 kB), else None."""
    try:
        with path.open("rb") as handle:
            head = handle.read(8192)
    except OSError:
        return None
    match = _SVS_ID.search(head)
    return match.group(1).decode("ascii") if match else None


def derive_voc(svs: Path, *, source_label: str) -> bytes:
    """The ART-DECOR ``voc-<OID>-DYNAMIC.xml`` content of the IHE SVS value set ``svs``.

    Args:
        svs: the SVS file (``RetrieveValueSetResponse``), read from the pack (trusted local file).
        source_label: how the source is named in the derived file (pack-relative path).

    Raises:
        ValueError: ``svs`` is not an SVS value set.
    """
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    root = etree.parse(str(svs), parser).getroot()
    value_set = root.find(f"{{{SVS_NS}}}ValueSet")
    if value_set is None or not value_set.get("id"):
        raise ValueError(f"{svs} is not an IHE SVS value set (no ValueSet/@id)")
    name = (value_set.get("displayName") or "").removesuffix(".tabs")
    attributes = (
        ("id", value_set.get("id", "")),
        ("name", name),
        ("displayName", name),
        ("effectiveDate", value_set.get("effectiveDate", "")),
        ("statusCode", "final"),
        ("versionLabel", value_set.get("dateMaj", "")),
        ("derivedFrom", source_label),
    )
    # written as text: the inner valueSet is in no namespace under a default-namespaced root
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f"<!-- derived by dui-harness from {escape(source_label).replace('--', '- -')} (IHE SVS to ART-DECOR form) -->",
        '<valueSets xmlns="urn:hl7-org:v3">',
        '  <valueSet xmlns=""' + "".join(f" {k}={quoteattr(v)}" for k, v in attributes) + ">",
        "    <conceptList>",
    ]
    for concept in value_set.iter(f"{{{SVS_NS}}}Concept"):
        values = "".join(f" {k}={quoteattr(concept.get(k, ''))}" for k in ("code", "codeSystem", "displayName"))
        lines.append(f'      <concept{values} level="0" type="L"/>')
    lines += ["    </conceptList>", "  </valueSet>", "</valueSets>", ""]
    return "\n".join(lines).encode("utf-8")
