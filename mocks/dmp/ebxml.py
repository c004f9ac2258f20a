"""ebRIM objects as the registry stores and returns them: ids assigned, XML rewritten.

A submission may name its objects with symbolic ids (``Document01``); the registry gives each
one an ``urn:uuid:`` entryUUID and rewrites every reference (ITI TF-3 §4.2.3.1.6). Stored
XML is the submitted object after that rewriting, with the registry's own attributes
(status, lid, version, repositoryUniqueId, hash, size) set.
"""

from __future__ import annotations

import copy
import uuid

from lxml import etree

from harness.validators.safexml import parse_xml
from harness.validators.xds.ebrim import DE, NS, RIM, RegistryObject, Submission
from mocks.dmp.registry import StoredEntry

__all__ = ["assign_ids", "entry_from", "object_ref", "rewrite", "stored_element", "with_slot"]

REFERENCES = ("id", "lid", "sourceObject", "targetObject", "classifiedObject", "registryObject")


def new_uuid() -> str:
    return f"urn:uuid:{uuid.uuid4()}"


def assign_ids(submission: Submission) -> dict[str, str]:
    """symbolic id -> entryUUID for every object of the submission that has no UUID yet."""
    ids: dict[str, str] = {}
    for element in submission.request.iter():
        if not isinstance(element.tag, str):
            continue
        value = element.get("id")
        if value and not value.startswith("urn:uuid:") and value not in ids:
            ids[value] = new_uuid()
    return ids


def rewrite(element: etree._Element, ids: dict[str, str]) -> etree._Element:
    """A copy of ``element`` with every id and reference replaced through ``ids``."""
    clone = copy.deepcopy(element)
    for node in clone.iter():
        if not isinstance(node.tag, str):
            continue
        for name in REFERENCES:
            value = node.get(name)
            if value is not None and value in ids:
                node.set(name, ids[value])
    return clone


def with_slot(element: etree._Element, name: str, value: str) -> None:
    """Set (or replace) the single-valued slot ``name`` of a registry object."""
    for slot in element.findall(f"{{{RIM}}}Slot"):
        if slot.get("name") == name:
            element.remove(slot)
    slot = etree.Element(f"{{{RIM}}}Slot", name=name)
    etree.SubElement(etree.SubElement(slot, f"{{{RIM}}}ValueList"), f"{{{RIM}}}Value").text = value
    position = next(
        (
            i
            for i, child in enumerate(element)
            if isinstance(child.tag, str) and etree.QName(child).localname not in ("Slot",)
        ),
        len(element),
    )
    element.insert(position, slot)


def _structures(obj: RegistryObject) -> list[str]:
    """Struct_IdNat (XON.10) of every authorInstitution of the entry."""
    found = []
    for author in obj.authors:
        for institution in author.slots.get("authorInstitution") or []:
            comps = institution.split("^")
            if len(comps) > 9 and comps[9]:
                found.append(comps[9])
    return found


def entry_from(
    obj: RegistryObject,
    ids: dict[str, str],
    *,
    status: str,
    version: int,
    logical_id: str | None,
    repository: str,
    digest: str,
    size: int,
    submission_set: str,
) -> StoredEntry:
    """The stored form of a submitted DocumentEntry."""
    element = rewrite(obj.element, ids)
    entry_uuid = element.get("id", "")
    lid = logical_id or entry_uuid
    element.set("status", status)
    element.set("lid", lid)
    for info in element.findall(f"{{{RIM}}}VersionInfo"):
        element.remove(info)
    with_slot(element, "repositoryUniqueId", repository)
    if not obj.slot("hash"):
        with_slot(element, "hash", digest)
    if not obj.slot("size"):
        with_slot(element, "size", str(size))
    type_code, class_code, fmt = obj.code("typeCode"), obj.code("classCode"), obj.code("formatCode")
    return StoredEntry(
        entry_uuid=entry_uuid,
        logical_id=lid,
        version=version,
        unique_id=obj.identifiers.get(DE.UNIQUE_ID, ""),
        patient_id=obj.identifiers.get(DE.PATIENT_ID, ""),
        status=status,
        type_code=f"{type_code.code}^^{type_code.scheme}" if type_code else "",
        class_code=f"{class_code.code}^^{class_code.scheme}" if class_code else "",
        format_code=f"{fmt.code}^^{fmt.scheme}" if fmt else "",
        confidentiality=[f"{c.code}^^{c.scheme}" for c in obj.codes.get("confidentialityCode", [])],
        creation_time=obj.slot("creationTime"),
        author_structures=_structures(obj),
        mime_type=obj.mime_type,
        hash=obj.slot("hash") or digest,
        size=int(obj.slot("size")) if obj.slot("size").isdigit() else size,
        submission_set=submission_set,
        xml=etree.tostring(element, encoding="unicode"),
    )


def stored_element(xml: str, status: str | None = None) -> etree._Element:
    """Parse stored XML back (it is the registry's own, re-read through the safe parser)."""
    element = parse_xml(xml.encode("utf-8"))
    if status is not None:
        element.set("status", status)
    return element


def object_ref(entry_uuid: str) -> etree._Element:
    return etree.Element(f"{{{RIM}}}ObjectRef", nsmap={"rim": NS["rim"]}, id=entry_uuid)
