"""What every ITI-18 stored query of the DMP simulator shares: parameters, visibility, the result.

Parameters are read as ITI TF-2a §3.18.4.1.2.3.5 writes them: quoted strings, lists in
parentheses (``('a','b')``), codes as ``code^^scheme``. Missing required parameters →
``XDSStoredQueryParamNumber``.

Masking (DMP visibility, modelled on the public facts: TRE_A07 ``MASQUE_PS``): a document
whose confidentialityCode list holds MASQUE_PS is returned only to the organisation that
authored it (VIHF ``Identifiant_Structure`` = the authorInstitution's Struct_IdNat); the
patient-side ``INVISIBLE_PATIENT`` does not restrict professionals. An assumption: the DMP
rules are not public.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

from harness.validators.xds.ebrim import RIM, STATUS_DELETED
from mocks.dmp.access import QueryError
from mocks.dmp.ebxml import object_ref, stored_element
from mocks.dmp.registry import StoredEntry, StoredSet

__all__ = ["MASQUE_PS", "Found", "codes", "one", "params_of", "visible"]

_QUOTED = re.compile(r"'((?:[^']|'')*)'")
MASQUE_PS = "MASQUE_PS"
Association = tuple[str, str, str, str, str]  # entry_uuid, type, source, target, xml


@dataclass
class Found:
    """What a stored query returns: document entries, submission sets, associations (registry order)."""

    entries: list[StoredEntry] = field(default_factory=list)
    sets: list[StoredSet] = field(default_factory=list)
    assocs: list[Association] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.entries) + len(self.sets) + len(self.assocs)

    def leaf(self, return_type: str) -> etree._Element:
        """The ``rim:RegistryObjectList`` of the answer (ObjectRef or LeafClass)."""
        refs = return_type == "ObjectRef"
        objects = etree.Element(f"{{{RIM}}}RegistryObjectList", nsmap={"rim": RIM})
        for entry in self.entries:
            objects.append(object_ref(entry.entry_uuid) if refs else stored_element(entry.xml, entry.status))
        for ss in self.sets:
            objects.append(object_ref(ss.entry_uuid) if refs else stored_element(ss.xml, ss.status))
        for assoc in self.assocs:
            objects.append(object_ref(assoc[0]) if refs else stored_element(assoc[4]))
        return objects


def params_of(query: etree._Element) -> dict[str, list[str]]:
    """The query's parameters, each a list of unquoted values."""
    params: dict[str, list[str]] = {}
    for slot in query.findall(f"{{{RIM}}}Slot"):
        values = params.setdefault(slot.get("name", ""), [])
        for value in slot.iterfind(f"{{{RIM}}}ValueList/{{{RIM}}}Value"):
            text = (value.text or "").strip()
            quoted = [m.replace("''", "'") for m in _QUOTED.findall(text)]
            values.extend(quoted if quoted else ([text] if text else []))
    return params


def one(params: dict[str, list[str]], name: str, required: bool = True) -> str:
    """The single value of ``name`` (``""`` when optional and absent)."""
    values = params.get(name) or []
    if not values:
        if required:
            raise QueryError("XDSStoredQueryParamNumber", f"required parameter {name} is missing")
        return ""
    if len(values) > 1:
        raise QueryError("XDSStoredQueryParamNumber", f"parameter {name} takes one value, {len(values)} given")
    return values[0]


def either(params: dict[str, list[str]], query: str, *names: str) -> tuple[list[str], list[str]]:
    """The values of exactly one of two alternative parameters (entryUUID or uniqueId)."""
    first, second = (params.get(n) or [] for n in names)
    if bool(first) == bool(second):
        raise QueryError("XDSStoredQueryParamNumber", f"{query} takes {' or '.join(names)} (exactly one of them)")
    return first, second


def visible(entry: StoredEntry, structure: str) -> bool:
    """Whether a professional of ``structure`` may see the entry (MASQUE_PS hides it from others; a deleted
    document is seen by nobody)."""
    if entry.status == STATUS_DELETED:
        return False
    masked = any(c.split("^")[0] == MASQUE_PS for c in entry.confidentiality)
    return not masked or (bool(structure) and structure in entry.author_structures)


def codes(params: dict[str, list[str]], name: str) -> set[str]:
    """The codes of a coded parameter (``code^^scheme`` → ``code``)."""
    return {v.split("^")[0] for v in params.get(name) or []}
