"""Received-document updates and deletions the harness sends to a DUI (SC.MSS.23.MS1, SC.MSS.24.MS1).

A new version ("annule et remplace") is a CDA with a new ``id``, the same ``setId``, the next
``versionNumber`` and ``relatedDocument typeCode="RPLC"`` whose ``parentDocument`` names the
replaced document (``id``, ``setId``, ``versionNumber``), as the CI-SIS structuration minimale
writes a replacement. A deletion is modelled by the bench: the document is sent again with its
XDM ``DocumentEntry`` marked ``status="urn:oasis:names:tc:ebxml-regrep:StatusType:Deprecated"``
(how an ITI-57 metadata update withdraws a document in the DMP) and a body that says it is
withdrawn; the stored references hold no published MSSanté deletion message, so the bench
states this model (README, ``listMssDocumentTrace``).
"""

from __future__ import annotations

import uuid

from lxml import etree

from harness.errors import HarnessCheckError
from harness.validators.safexml import parse_xml

__all__ = ["DELETION_BODY", "REPLACEMENT_BODY", "document_id_of", "new_version"]

CDA = "urn:hl7-org:v3"
NS = {"cda": CDA}
REPLACEMENT_BODY = "Ce document annule et remplace le document transmis précédemment (essai)."
DELETION_BODY = "Le document ci-joint est supprimé : il annule et ne remplace pas le document transmis (essai)."
#: the header elements that follow relatedDocument in a ClinicalDocument (CDA R2 schema order)
_AFTER_RELATED = ("authorization", "componentOf", "component")


def _id(element: etree._Element | None) -> str:
    if element is None:
        return ""
    extension = element.get("extension")
    return str(element.get("root", "")) + (f"^{extension}" if extension else "")


def document_id_of(cda: bytes) -> str:
    """``root^extension`` of the CDA's id."""
    return _id(parse_xml(cda).find("cda:id", NS))


def new_version(cda: bytes) -> bytes:
    """The next version of ``cda``: a new id, the same setId, versionNumber + 1, relatedDocument RPLC."""
    root = parse_xml(cda)
    old_id = root.find("cda:id", NS)
    if old_id is None:
        raise HarnessCheckError("the CDA to replace has no cda:id")
    set_id = root.find("cda:setId", NS)
    version = root.find("cda:versionNumber", NS)
    number = int(version.get("value", "1")) if version is not None and version.get("value", "").isdigit() else 1
    related = etree.Element(f"{{{CDA}}}relatedDocument", typeCode="RPLC")
    parent = etree.SubElement(related, f"{{{CDA}}}parentDocument")
    etree.SubElement(parent, f"{{{CDA}}}id", dict(old_id.attrib))
    if set_id is not None:
        etree.SubElement(parent, f"{{{CDA}}}setId", dict(set_id.attrib))
    etree.SubElement(parent, f"{{{CDA}}}versionNumber", value=str(number))
    old_id.set("extension", f"{old_id.get('extension', 'DOC')}-V{number + 1}-{uuid.uuid4().hex[:6].upper()}")
    if version is not None:
        version.set("value", str(number + 1))
    anchor = next((c for c in root if etree.QName(c).localname in _AFTER_RELATED), None)
    if anchor is not None:
        anchor.addprevious(related)
    else:
        root.append(related)
    data: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return data
