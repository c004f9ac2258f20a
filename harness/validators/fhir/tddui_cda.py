"""The EXPORT_DUI CDA document carried in a TDDUIDocumentReference (``ans.cda.fr.tddui`` 1.0.1).

The document is decoded from ``content.attachment.data`` and validated by the project's CDA
validator (:func:`harness.validators.cda.validate_cda`: structuration minimale header, INS
rules and, when present, its EXPORT_DUI rules ``CDA-EXPORT-01``; its findings are re-filed
under ``EPARCOURS-DOC-04`` with their own rule and original requirement in the message). Then
the TDDUI header facts (skipped when the CDA validator already reported on them) (``contenu_dossier_entete_cda.md``
and the example ``CDA_TDDUI_Exemple_v1.0.1.xml``): templateId ``1.2.250.1.213.1.1.1.58``,
``code`` EXPORT_DUI of ``1.2.250.1.213.1.1.4.12``, an author that is the DUI software
(``assignedAuthor/code`` LOGICIEL_DUI of ``1.2.250.1.213.1.1.4.6`` with an
``assignedAuthoringDevice``), and the same person as the bundle's Patient.
"""

from __future__ import annotations

from pathlib import Path

from harness.core.findings import Finding
from harness.core.rules import rule
from harness.validators.cda import validate_cda
from harness.validators.cda.pack import CdaPack
from harness.validators.fhir.patient import PatientFacts

__all__ = ["DOC_CDA", "TDDUI_TEMPLATE", "check_export_dui"]

DOC_CDA = "EPARCOURS-DOC-04"
TDDUI_TEMPLATE = "1.2.250.1.213.1.1.1.58"
EXPORT_DUI = ("EXPORT_DUI", "1.2.250.1.213.1.1.4.12")
LOGICIEL_DUI = ("LOGICIEL_DUI", "1.2.250.1.213.1.1.4.6")
NS = {"cda": "urn:hl7-org:v3"}


@rule(
    "tddui.cda",
    requirement="EPARCOURS-DOC-04",
    summary="the CDA carried is an export of the DUI (template, code, author, person)",
)
def check_export_dui(
    data: bytes, patient: PatientFacts | None, where: str, *, pack: Path | CdaPack | None = None
) -> list[Finding]:
    """Findings on one EXPORT_DUI CDA document (``where``: the attachment's FHIRPath)."""
    report = validate_cda(data, pack=pack)
    findings = [
        Finding(
            f.rule,
            DOC_CDA,
            f"[{f.requirement}] {f.message}",
            f.severity,
            f"{where} → {f.location}" if f.location else where,
        )
        for f in report.findings
    ]
    root = report.root
    if root is None or (not report.header.code and not report.header.template_ids):
        return findings
    # the CDA validator's own EXPORT_DUI rules (CDA-EXPORT-01) supersede the header checks below
    has_export_rules = any(f.requirement == "CDA-EXPORT-01" for f in report.findings)
    header = report.header
    if TDDUI_TEMPLATE not in header.template_ids:
        findings.append(
            Finding(
                "tddui.cda.template",
                DOC_CDA,
                f"the CDA has no templateId {TDDUI_TEMPLATE} (modèle Transfert de données DUI)",
                location=f"{where} → /ClinicalDocument/templateId",
            )
        )
    if (header.code, header.code_system) != EXPORT_DUI:
        findings.append(
            Finding(
                "tddui.cda.code",
                DOC_CDA,
                f"the document code must be {EXPORT_DUI[0]} of "
                f"{EXPORT_DUI[1]}, not {header.code or 'none'} of {header.code_system or 'none'}",
                location=f"{where} → /ClinicalDocument/code",
            )
        )
    author = "cda:author/cda:assignedAuthor"
    code = root.xpath(
        f"{author}/cda:code[@code='{LOGICIEL_DUI[0]}' and @codeSystem='{LOGICIEL_DUI[1]}']", namespaces=NS
    )
    device = root.xpath(f"{author}/cda:assignedAuthoringDevice", namespaces=NS)
    if not code or not device:
        findings.append(
            Finding(
                "tddui.cda.author",
                DOC_CDA,
                "the author must be the DUI software: assignedAuthor/"
                f"code {LOGICIEL_DUI[0]} ({LOGICIEL_DUI[1]}) and an assignedAuthoringDevice",
                location=f"{where} → /ClinicalDocument/author/assignedAuthor",
            )
        )
    if has_export_rules:
        findings = [
            f for f in findings if not f.rule.startswith(("tddui.cda.template", "tddui.cda.code", "tddui.cda.author"))
        ]
    if patient is not None:
        if patient.ins and header.ins and patient.ins != header.ins:
            findings.append(
                Finding(
                    "tddui.cda.person",
                    DOC_CDA,
                    f"the CDA is about INS {header.ins}, the bundle's Patient has INS {patient.ins}",
                    location=f"{where} → recordTarget/patientRole/id",
                )
            )
        if patient.ins and not header.ins:
            findings.append(
                Finding(
                    "tddui.cda.person",
                    DOC_CDA,
                    f"the Patient carries INS {patient.ins} but the CDA recordTarget has none",
                    location=f"{where} → recordTarget/patientRole/id",
                )
            )
        if patient.birth_name and header.birth_name and patient.birth_name.upper() != header.birth_name.upper():
            findings.append(
                Finding(
                    "tddui.cda.person",
                    DOC_CDA,
                    f"birth name {header.birth_name!r} in the CDA, {patient.birth_name!r} in the Patient",
                    location=f"{where} → recordTarget/patientRole/patient/name/family",
                )
            )
    return findings
