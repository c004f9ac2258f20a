"""Embedded rules of the Volet de Synthèse Médicale, VSM (requirement CDA-VSM-01).

From the CI-SIS volet VSM and its schematrons (``CI-SIS_VSM_1.4_2022.01.sch`` and
``CI-SIS_VSM_2023.01.sch``, pattern ``Entete_VSM_2023``), the rules both versions share: the
model templateId ``1.2.250.1.213.1.1.1.13``, the document code ``SYNTH`` of
``1.2.250.1.213.1.1.4.12`` (TRE_A05), the ``serviceEvent`` code ``34117-2`` (LOINC
"Historique et clinique"), and the three sections "Pathologies, antécédents, allergies et
facteurs de risque" (``1.2.250.1.213.1.1.2.29``), "Résultats" (``1.3.6.1.4.1.19376.1.5.3.1.3.27``)
and "Traitement au long cours" (``1.2.250.1.213.1.1.2.32``).
"""

from __future__ import annotations

from lxml import etree

from harness.core.findings import Finding
from harness.core.rules import rule
from harness.validators.cda.common import body_sections, has, xp

__all__ = ["REQ_VSM", "VSM_TEMPLATE", "check_vsm"]

REQ_VSM = "CDA-VSM-01"
VSM_TEMPLATE = "1.2.250.1.213.1.1.1.13"
VSM_CODE = ("SYNTH", "1.2.250.1.213.1.1.4.12")
LOINC = "2.16.840.1.113883.6.1"
SECTIONS = {
    "1.2.250.1.213.1.1.2.29": "Pathologies, antécédents, allergies et facteurs de risque",
    "1.3.6.1.4.1.19376.1.5.3.1.3.27": "Résultats",
    "1.2.250.1.213.1.1.2.32": "Traitement au long cours",
}


@rule("cda.vsm", requirement=REQ_VSM, summary="VSM: templateId, SYNTH code, serviceEvent 34117-2, sections")
def check_vsm(root: etree._Element) -> list[Finding]:
    """VSM rules, applied to a document with the VSM templateId or the SYNTH code."""
    code, system = VSM_CODE
    is_vsm_code = has(root, f"cda:code[@code='{code}' and @codeSystem='{system}']")
    roots = {str(r) for r in xp(root, "cda:templateId/@root")}
    if VSM_TEMPLATE not in roots and not is_vsm_code:
        return []

    def finding(rule: str, message: str, where: str) -> Finding:
        return Finding(f"cda.vsm.{rule}", REQ_VSM, f"[VSM] {message}", location=f"/ClinicalDocument{where}")

    found = []
    if VSM_TEMPLATE not in roots:
        found.append(
            finding("template", f"the templateId {VSM_TEMPLATE} (Conformité au VSM) must be present", "/templateId")
        )
    if not is_vsm_code:
        found.append(finding("code", f"the document code must be {code} of {system}", "/code"))
    if not has(root, f"cda:documentationOf/cda:serviceEvent/cda:code[@code='34117-2' and @codeSystem='{LOINC}']"):
        found.append(
            finding(
                "service-event",
                "documentationOf/serviceEvent/code must be 34117-2 (LOINC, Historique et clinique)",
                "/documentationOf/serviceEvent/code",
            )
        )
    sections = body_sections(root)
    for template, label in SECTIONS.items():
        if not sections.get(template):
            found.append(
                finding(
                    "section",
                    f'the section "{label}" ({template}) must be present',
                    "/component/structuredBody/component/section",
                )
            )
    return found
