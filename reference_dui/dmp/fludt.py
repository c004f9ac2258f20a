"""The reference DUI's FLUDT body: the fiche de liaison d'urgence - transfert (EHPAD → emergency service).

Written from the CI-SIS volet DLU-EHPAD 2022.01 facts (model templateId 1.2.250.1.213.1.1.1.23,
document code 74207-2, serviceEvent 28651-8 "transfert du patient au service des urgences") and
the sections its schematron asks for, each [1..1]: résultats d'événements (transfert), signes
vitaux, résultats d'examens (the state of consciousness as a FR-Simple-Observation coded DLU_002,
DLU_003 or DLU_004 of JDV_ChecklistDLU), traitements, évaluation fonctionnelle du sommeil et de
l'alimentation (dernier repas), prothèses et objets personnels. Each section carries a
human-readable narrative (``text``). Independent of the harness code.
"""

from __future__ import annotations

from collections.abc import Callable

from lxml import etree

__all__ = ["FLUDT_SECTIONS", "FLUDT_SERVICE_EVENT", "FLUDT_TEMPLATE", "fludt_body"]

FLUDT_TEMPLATE = "1.2.250.1.213.1.1.1.23"
#: serviceEvent of the FLUDT (LOINC): transfer of the resident to the emergency service
FLUDT_SERVICE_EVENT = ("28651-8", "Transfert du patient au service des urgences")
_PCC = "1.3.6.1.4.1.19376.1.5.3.1."
_EXAMS = f"{_PCC}3.28"
#: (section templateId, LOINC code, title, narrative)
FLUDT_SECTIONS = (
    (
        "1.3.6.1.4.1.19376.1.7.3.1.1.13.7",
        "42545-4",
        "Transfert du patient de l'EHPAD vers le SU",
        "Motif du transfert : chute dans la chambre, transfert vers le service des urgences.",
    ),
    (f"{_PCC}3.25", "8716-3", "Signes vitaux", "Pouls 82/min, température 37,2 °C, tension 13/8."),
    (_EXAMS, "30954-2", "Résultats d'examens", "Etat de conscience : conscient et éveillé."),
    (f"{_PCC}3.19", "10160-0", "Traitements", "Dernière prise du traitement habituel : ce matin, 8 h."),
    ("1.3.6.1.4.1.19376.1.7.3.1.1.13.5", "47420-5", "Dernier repas", "Dernier repas : déjeuner, 12 h."),
    ("1.2.250.1.213.1.1.2.53", "46264-8", "Prothèses et objets personnels", "Lunettes, appareil auditif."),
)
V3 = "urn:hl7-org:v3"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
LOINC = "2.16.840.1.113883.6.1"


def _add(parent: etree._Element, tag: str, text: str | None = None, **attributes: str) -> etree._Element:
    element = etree.SubElement(parent, f"{{{V3}}}{tag}", attributes)
    if text is not None:
        element.text = text
    return element


def _consciousness(section: etree._Element, text: etree._Element, stamp: str, new_id: Callable[[], str]) -> None:
    """The FR-Simple-Observation the FLUDT schematron asks for in "Résultats d'examens" (DLU_002)."""
    _add(text, "content", "Etat de conscience", ID="etat-conscience")
    observation = _add(_add(section, "entry"), "observation", classCode="OBS", moodCode="EVN")
    _add(observation, "templateId", root="1.3.6.1.4.1.19376.1.5.3.1.4.13")
    _add(observation, "templateId", root="1.2.250.1.213.1.1.3.48")
    _add(observation, "id", root=new_id())
    _add(observation, "code", code="DLU_002", codeSystem="1.2.250.1.213.1.1.4.322", displayName="Conscient et éveillé")
    _add(_add(observation, "text"), "reference", value="#etat-conscience")
    _add(observation, "statusCode", code="completed")
    _add(observation, "effectiveTime", value=stamp)
    value = _add(observation, "value", value="true")
    value.set(f"{{{XSI}}}type", "BL")


def fludt_body(
    body: etree._Element, stamp: str, new_id: Callable[[], str], *, skip: frozenset[str] = frozenset()
) -> None:
    """The FLUDT sections in ``body`` (a ``structuredBody``); sections whose templateId is in ``skip`` left out
    (the ``cda_fludt_no_vital_signs`` defect)."""
    for template, code, title, narrative in FLUDT_SECTIONS:
        if template in skip:
            continue
        section = _add(_add(body, "component"), "section")
        _add(section, "templateId", root=template)
        _add(section, "id", root=new_id())
        _add(section, "code", code=code, codeSystem=LOINC)
        _add(section, "title", title)
        text = _add(section, "text", narrative)
        if template == _EXAMS:
            _consciousness(section, text, stamp, new_id)
