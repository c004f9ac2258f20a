"""CDA documents of the MSSanté suite: the fixture documents, made about a scenario's person.

The fixtures (``fixtures/mssante/cda/*.xml``, provenance in each file) are CDA R2 documents
about a placeholder patient. :func:`cda_for` replaces their ``recordTarget/patientRole`` with
the identity a scenario needs: a qualified INS with every trait, no INS at all, or an INS
whose traits are incomplete.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, replace
from functools import cache

from lxml import etree

from harness.core.ins import Traits
from harness.errors import HarnessCheckError
from harness.paths import fixtures_dir
from harness.validators.safexml import parse_xml

__all__ = [
    "DOCUMENT_KINDS",
    "STYLESHEET_NAME",
    "MssPerson",
    "cda_for",
    "mss_person",
    "mss_persons_for_insi",
    "producer_stylesheet",
    "with_stylesheet",
]

CDA = "urn:hl7-org:v3"
#: the producer's stylesheet's name in the IHE_XDM subset, as the CDA's ``xml-stylesheet`` names it
STYLESHEET_NAME = "PRODUCTEUR.XSL"
#: fixture file stem -> what it is
DOCUMENT_KINDS = {
    "vsm": "Volet de synthèse médicale (VSM)",
    "fludr": "Fiche de liaison d'urgence, retour des urgences (FLUDR)",
    "cr-bio": "Compte rendu d'examens biologiques",
    "ldl-ses": "Lettre de liaison à la sortie d'un établissement de soins",
    "presc-med": "Prescription de médicaments",
}


@dataclass(frozen=True)
class MssPerson:
    """A synthetic person of ``fixtures/mssante/persons.json``."""

    id: str
    traits: Traits
    ins: str
    oid: str

    def with_traits(self, **changes: object) -> MssPerson:
        return replace(self, traits=replace(self.traits, **changes))  # type: ignore[arg-type]


@cache
def _raw_persons() -> list[dict[str, object]]:
    data = json.loads((fixtures_dir() / "mssante" / "persons.json").read_text(encoding="utf-8"))
    persons: list[dict[str, object]] = data["persons"]
    return persons


def mss_persons_for_insi() -> list[dict[str, object]]:
    """The persons in the INSi identity base format (``add_persons`` of the INSi state)."""
    return [dict(p) for p in _raw_persons()]


def mss_person(person_id: str) -> MssPerson:
    for entry in _raw_persons():
        if entry["id"] == person_id:
            t = entry["traits"]
            ins = entry["ins"]
            if not isinstance(t, dict) or not isinstance(ins, dict):
                raise HarnessCheckError(f"fixture person {person_id}: traits and ins must be objects")
            traits = Traits(
                str(t["birth_name"]), tuple(t["first_names"]), str(t["sex"]), str(t["birth_date"]), t.get("birth_place")
            )
            return MssPerson(person_id, traits, str(ins["nir"]) + str(ins["key"]), str(ins["oid"]))
    raise KeyError(f"no MSSanté test person {person_id!r} in fixtures/mssante/persons.json")


@cache
def _template(kind: str) -> bytes:
    if kind not in DOCUMENT_KINDS:
        raise KeyError(f"unknown document kind {kind!r}; known: {', '.join(DOCUMENT_KINDS)}")
    return (fixtures_dir() / "mssante" / "cda" / f"{kind}.xml").read_bytes()


def _el(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, f"{{{CDA}}}{tag}", attrs)
    if text is not None:
        element.text = text
    return element


def cda_for(
    kind: str, person: MssPerson, *, with_ins: bool = True, drop: tuple[str, ...] = (), local_id: str | None = None
) -> bytes:
    """The fixture document ``kind`` about ``person``.

    Args:
        kind: a key of :data:`DOCUMENT_KINDS`.
        person: whose document it is (traits and INS).
        with_ins: False writes no INS (only the local identifier): a CDA without INS.
        drop: traits left out of the header (``birth_place``, ``first_names``, ``birth_date``…):
            an INS with incomplete traits.
        local_id: the sender's local patient identifier (IPP), always written.
    """
    root = parse_xml(_template(kind))
    ns = {"cda": CDA}
    document_id = root.find("cda:id", ns)
    if document_id is None:
        raise HarnessCheckError(f"CDA template {kind} has no cda:id")
    document_id.set("root", "1.2.250.1.213.1.1.9.999")
    document_id.set("extension", f"{kind.upper()}-{uuid.uuid4().hex[:12].upper()}")
    role = root.find("cda:recordTarget/cda:patientRole", ns)
    if role is None:
        raise HarnessCheckError(f"CDA template {kind} has no patientRole")
    for child in list(role):
        role.remove(child)
    t = person.traits
    if with_ins:
        _el(role, "id", root=person.oid, extension=person.ins)
    _el(role, "id", root="1.2.250.1.213.1.1.9.999.1", extension=local_id or f"IPP-{person.id.upper()}")
    patient = _el(role, "patient", classCode="PSN")
    name = _el(patient, "name")
    _el(name, "family", t.birth_name, qualifier="BR")
    if "first_names" not in drop:
        _el(name, "given", " ".join(t.first_names))
    if "first_name" not in drop:
        _el(name, "given", t.first_names[0], qualifier="BR")
    if "sex" not in drop:
        _el(patient, "administrativeGenderCode", code=t.sex, codeSystem="2.16.840.1.113883.5.1")
    if "birth_date" not in drop:
        _el(patient, "birthTime", value=t.birth_date.replace("-", ""))
    if "birth_place" not in drop and t.birth_place:
        addr = _el(_el(_el(patient, "birthplace"), "place"), "addr")
        _el(addr, "county", t.birth_place)
    data: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return data


@cache
def producer_stylesheet() -> bytes:
    """A document producer's own stylesheet (``fixtures/mssante/producer-stylesheet.xsl``, the project's)."""
    return (fixtures_dir() / "mssante" / "producer-stylesheet.xsl").read_bytes()


def with_stylesheet(document: bytes, href: str = STYLESHEET_NAME) -> bytes:
    """``document`` naming the producer's stylesheet ``href`` in an ``xml-stylesheet`` processing instruction
    (after the XML declaration), as a producer that ships its stylesheet with the CDA does."""
    declaration, _, rest = document.partition(b"?>")
    return declaration + b'?>\n<?xml-stylesheet type="text/xsl" href="' + href.encode("ascii") + b'"?>' + rest
