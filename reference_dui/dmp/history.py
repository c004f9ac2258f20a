"""Historical documents fed to the DMP: dated by the act, the legal entity among their authors.

* SC.DMP/HISTO.03: a historical document is dated, in the CDA (``documentationOf/serviceEvent/
  effectiveTime``) and in its XDS metadata (``serviceStartTime``), by the date of the act, even
  when its CDA is rebuilt from a PDF at the time it is sent (:func:`reference_dui.dmp.cda.act_time`);
* SC.DMP/HISTO.04 (DMPi guide RG_2230 derogation): when its author is no longer in the RPPS, the
  legal entity is added as one of the authors (``authorPerson``) of the DocumentEntry and of the
  SubmissionSet, beside the initial author: family name its label, given name its kind in
  brackets, ``(structure de soins)``, as the referencing scenario shows it.
"""

from __future__ import annotations

import uuid

from lxml import etree

from reference_dui.dmp.cda import ORGANISATION, DocumentRequest

__all__ = ["LEGAL_ENTITY", "legal_entity_author"]

RIM = "urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0"
#: the EHPAD as an authorPerson (XCN: no identifier, family = label, given = kind of legal entity)
LEGAL_ENTITY = f"^{ORGANISATION['name']}^(structure de soins)"
INSTITUTION = f"{ORGANISATION['name']}^^^^^&1.2.250.1.71.4.2.2&ISO^IDNST^^^{ORGANISATION['struct']}"


def _slot(parent: etree._Element, name: str, value: str) -> None:
    values = etree.SubElement(etree.SubElement(parent, f"{{{RIM}}}Slot", name=name), f"{{{RIM}}}ValueList")
    etree.SubElement(values, f"{{{RIM}}}Value").text = value


def legal_entity_author(registry_object: etree._Element, object_id: str, scheme: str, request: DocumentRequest) -> None:
    """One more author classification, the legal entity, when ``request`` asks for it (and no
    ``dmp_histo_no_legal_author`` defect)."""
    if not request.legal_entity_author or "dmp_histo_no_legal_author" in request.quirks:
        return
    author = etree.SubElement(
        registry_object,
        f"{{{RIM}}}Classification",
        id=f"urn:uuid:{uuid.uuid4()}",
        classificationScheme=scheme,
        classifiedObject=object_id,
        nodeRepresentation="",
    )
    _slot(author, "authorPerson", LEGAL_ENTITY)
    _slot(author, "authorInstitution", INSTITUTION)
