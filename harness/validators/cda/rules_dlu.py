"""Embedded rules of the DLU-EHPAD documents: DLU, FLUDT, FLUDR (CDA-DLU-01, CDA-FLUDT-01, CDA-FLUDR-01).

From the CI-SIS volet *Document de liaison d'urgence* (DLU-EHPAD, version 2022.01) and its
schematrons (``CI-SIS_DLU-EHPAD-DLU_2022.01.sch`` with pattern ``Entete_DLU-DLU``,
``…-FLUDT_2022.01.sch`` / ``Entete_DLU-FLUDT``, ``…-FLUDR_2022.01.sch`` / ``Entete_DLU-FLUDR``):
the model templateId, the document code ``74207-2`` (LOINC), the patient's birthTime, the
``serviceEvent`` code (``34117-2`` for the DLU, ``28651-8`` for FLUDT and FLUDR) with an
``effectiveTime`` that has no nullFlavor, for the DLU the informant participant
(``typeCode='INF'``, ``functionCode='PCP'``), and the sections of each document with their
cardinalities. A document coded ``74207-2`` must carry one of the DLU model templateIds.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from harness.core.findings import Finding
from harness.core.rules import rule
from harness.validators.cda.common import body_sections, has, xp

__all__ = ["DLU_CODE", "MODELS", "REQ_DLU", "REQ_FLUDR", "REQ_FLUDT", "check_dlu"]

REQ_DLU, REQ_FLUDT, REQ_FLUDR = "CDA-DLU-01", "CDA-FLUDT-01", "CDA-FLUDR-01"
DLU_CODE = ("74207-2", "2.16.840.1.113883.6.1")
IPS_FR_DLU = "1.2.250.1.213.1.1.1.51"
_PCC, _ANS = "1.3.6.1.4.1.19376.1.5.3.1.", "1.2.250.1.213.1.1.2."
_DIRECTIVES = f"{_PCC}3.35"
_EVENTS, _COMMENT, _PROSTHESES, _ADDED = (
    "1.3.6.1.4.1.19376.1.7.3.1.1.13.7",
    "1.3.6.1.4.1.19376.1.4.1.2.16",
    f"{_ANS}53",
    f"{_ANS}37",
)


@dataclass(frozen=True)
class _Model:
    name: str
    template: str
    requirement: str
    service_event: str
    #: section templateId -> (label, exactly one (True) or at most one (False))
    sections: dict[str, tuple[str, bool]]
    informant: bool = False


MODELS = (
    _Model(
        "DLU",
        "1.2.250.1.213.1.1.1.22",
        REQ_DLU,
        "34117-2",
        {
            f"{_PCC}1.13.2.10": ("Dispositions : Etablissement de santé de préférence", True),
            f"{_PCC}3.6": ("Pathologies actives", False),
            f"{_PCC}3.8": ("Antécédents médicaux", False),
            f"{_PCC}3.13": ("Allergies et intolérances", False),
            f"{_PCC}3.19": ("Traitements", True),
            _DIRECTIVES: ("Directives anticipées", True),
            _EVENTS: ("Résultats d'événements", True),
            f"{_PCC}3.28": ("Résultats d'examens : BMR", True),
            f"{_PCC}3.23": ("Vaccinations", False),
            _ADDED: ("Documents ajoutés", True),
            _COMMENT: ("Commentaire non codé", False),
        },
        informant=True,
    ),
    _Model(
        "FLUDT",
        "1.2.250.1.213.1.1.1.23",
        REQ_FLUDT,
        "28651-8",
        {
            _EVENTS: ("Résultats d'événements : transfert du patient de l'EHPAD vers le SU", True),
            f"{_PCC}3.25": ("Signes vitaux", True),
            f"{_PCC}3.28": ("Résultats d'examens", True),
            f"{_PCC}3.19": ("Traitements", True),
            "1.3.6.1.4.1.19376.1.7.3.1.1.13.5": ("Évaluation fonctionnelle du sommeil et de l'alimentation", True),
            _PROSTHESES: ("Prothèses et objets personnels", True),
            _COMMENT: ("Commentaire non codé", False),
        },
    ),
    _Model(
        "FLUDR",
        "1.2.250.1.213.1.1.1.24",
        REQ_FLUDR,
        "28651-8",
        {
            _EVENTS: ("Résultats d'événements : retour du patient à l'EHPAD", True),
            f"{_PCC}3.7": ("Diagnostic de sortie", True),
            f"{_PCC}3.22": ("Traitements à la sortie", True),
            _PROSTHESES: ("Prothèses et objets personnels", True),
            _ADDED: ("Documents ajoutés", True),
            _COMMENT: ("Commentaire non codé", False),
        },
    ),
)


def _check(root: etree._Element, model: _Model) -> list[Finding]:
    def finding(rule: str, message: str, where: str) -> Finding:
        return Finding(
            f"cda.{model.name.lower()}.{rule}",
            model.requirement,
            f"[{model.name}] {message}",
            location=f"/ClinicalDocument{where}",
        )

    found = []
    code, system = DLU_CODE
    if not has(root, f"cda:code[@code='{code}' and @codeSystem='{system}']"):
        found.append(finding("code", f"the document code must be {code} of {system} (LOINC)", "/code"))
    if not has(root, "cda:recordTarget/cda:patientRole/cda:patient/cda:birthTime"):
        found.append(
            finding("birth-time", "the patient's birthTime is mandatory", "/recordTarget/patientRole/patient/birthTime")
        )
    event = "cda:documentationOf/cda:serviceEvent"
    if not has(root, f"{event}/cda:code[@code='{model.service_event}']"):
        found.append(
            finding(
                "service-event",
                f"documentationOf/serviceEvent/code must be {model.service_event}",
                "/documentationOf/serviceEvent/code",
            )
        )
    if not has(root, f"{event}/cda:effectiveTime"):
        found.append(
            finding(
                "service-event-time",
                "documentationOf/serviceEvent/effectiveTime (start of the act) is mandatory",
                "/documentationOf/serviceEvent/effectiveTime",
            )
        )
    elif has(root, f"{event}/cda:effectiveTime[@nullFlavor] | {event}/cda:effectiveTime/cda:low[@nullFlavor]"):
        found.append(
            finding(
                "service-event-time",
                "documentationOf/serviceEvent/effectiveTime: nullFlavor is forbidden",
                "/documentationOf/serviceEvent/effectiveTime",
            )
        )
    if model.informant:
        if not has(root, "cda:participant[@typeCode='INF']"):
            found.append(finding("informant", "a participant with typeCode='INF' is mandatory", "/participant"))
        if not has(root, "cda:participant/cda:functionCode[@code='PCP']"):
            found.append(
                finding("informant", "the informant's functionCode must be 'PCP'", "/participant/functionCode")
            )
    sections = body_sections(root)
    for template, (label, required) in model.sections.items():
        count = sections.get(template, 0)
        if (required and count != 1) or count > 1:
            cardinality = "[1..1]" if required else "[0..1]"
            found.append(
                finding(
                    "section",
                    f'section "{label}" ({template}) appears {count} time(s); cardinality {cardinality}',
                    "/component/structuredBody/component/section",
                )
            )
    return found


@rule("cda.dlu", requirement=REQ_DLU, summary="DLU: code 74207-2, birthTime, serviceEvent, informant, sections")
@rule("cda.fludt", requirement=REQ_FLUDT, summary="FLUDT: code 74207-2, birthTime, serviceEvent 28651-8, sections")
@rule("cda.fludr", requirement=REQ_FLUDR, summary="FLUDR: code 74207-2, birthTime, serviceEvent 28651-8, sections")
def check_dlu(root: etree._Element) -> list[Finding]:
    """DLU / FLUDT / FLUDR rules, by the model templateId; a 74207-2 document without one is refused."""
    roots = {str(r) for r in xp(root, "cda:templateId/@root")}
    found = []
    for model in MODELS:
        if model.template in roots:
            found += _check(root, model)
    code, system = DLU_CODE
    dlu_models = {m.template for m in MODELS} | {IPS_FR_DLU}
    if has(root, f"cda:code[@code='{code}' and @codeSystem='{system}']") and not roots & dlu_models:
        found.append(
            Finding(
                "cda.dlu.template",
                REQ_DLU,
                f"the document is coded {code} (Document de liaison "
                "d'urgence) but carries none of the DLU model templateIds "
                f"({', '.join(sorted(dlu_models))})",
                location="/ClinicalDocument/templateId",
            )
        )
    return found
