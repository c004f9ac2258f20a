"""Embedded rules of the EXPORT_DUI document, *Transfert de données DUI* (requirement CDA-EXPORT-01).

From the ANS implementation guide ``ans.cda.fr.tddui`` 1.0.1 (page
``contenu_dossier_entete_cda``, "contraintes spécifiques à l'entête TDDUI") and its example
``CDA_TDDUI_Exemple_v1.0.1.xml``: model templateId ``1.2.250.1.213.1.1.1.58``, code
``EXPORT_DUI`` of ``1.2.250.1.213.1.1.4.12``; the author is the DUI software
(``assignedAuthor/id@root`` ``1.2.250.1.71.4.2.1``, ``code`` ``LOGICIEL_DUI`` of
``1.2.250.1.213.1.1.4.6``, an ``assignedAuthoringDevice`` and a ``representedOrganization``);
the custodian is the ESSMS (id root ``1.2.250.1.71.4.2.2``); the legalAuthenticator's
``assignedEntity/id`` root is ``1.2.250.1.71.4.2.1``; ``documentationOf/serviceEvent`` has an
``effectiveTime`` and one ``performer`` whose organisation's ``standardIndustryClassCode`` is
``ESSMS`` (``1.2.250.1.213.1.1.4.9``); ``healthCareFacility/code`` is SA16, SA18 or SA41 of
``1.2.250.1.71.4.2.4`` with a ``translation`` (FINESS category, JDV_J254).
"""

from __future__ import annotations

from lxml import etree

from harness.core.findings import Finding
from harness.core.rules import rule
from harness.validators.cda.common import has, xp

__all__ = ["EXPORT_TEMPLATE", "REQ_EXPORT", "check_export"]

REQ_EXPORT = "CDA-EXPORT-01"
EXPORT_TEMPLATE = "1.2.250.1.213.1.1.1.58"
EXPORT_CODE = ("EXPORT_DUI", "1.2.250.1.213.1.1.4.12")
LOGICIEL_DUI = ("LOGICIEL_DUI", "1.2.250.1.213.1.1.4.6")
SYSTEMS, STRUCTURES = "1.2.250.1.71.4.2.1", "1.2.250.1.71.4.2.2"
FACILITY_SYSTEM = "1.2.250.1.71.4.2.4"
FACILITY_CODES = ("SA16", "SA18", "SA41")

#: XPath that must select something -> (rule, message, location under /ClinicalDocument)
_REQUIRED: tuple[tuple[str, str, str, str], ...] = (
    (
        f"cda:code[@code='{EXPORT_CODE[0]}' and @codeSystem='{EXPORT_CODE[1]}']",
        "code",
        f"the document code must be {EXPORT_CODE[0]} of {EXPORT_CODE[1]}",
        "/code",
    ),
    (
        f"cda:author/cda:assignedAuthor/cda:id[@root='{SYSTEMS}' and @extension and not(@nullFlavor)]",
        "author",
        f"author/assignedAuthor/id must identify the DUI software (root {SYSTEMS}, extension <structure>/<system>)",
        "/author/assignedAuthor/id",
    ),
    (
        f"cda:author/cda:assignedAuthor/cda:code[@code='{LOGICIEL_DUI[0]}' and @codeSystem='{LOGICIEL_DUI[1]}']",
        "author",
        f"author/assignedAuthor/code must be {LOGICIEL_DUI[0]} of {LOGICIEL_DUI[1]}",
        "/author/assignedAuthor/code",
    ),
    (
        "cda:author/cda:assignedAuthor/cda:assignedAuthoringDevice",
        "author",
        "author/assignedAuthor/assignedAuthoringDevice is mandatory (the author is a system)",
        "/author/assignedAuthor/assignedAuthoringDevice",
    ),
    (
        "cda:author/cda:assignedAuthor/cda:representedOrganization",
        "author",
        "author/assignedAuthor/representedOrganization is mandatory (the author is a system)",
        "/author/assignedAuthor/representedOrganization",
    ),
    (
        f"cda:custodian/cda:assignedCustodian/cda:representedCustodianOrganization/cda:id[@root='{STRUCTURES}']",
        "custodian",
        f"the custodian is the ESSMS: representedCustodianOrganization/id root {STRUCTURES}",
        "/custodian/assignedCustodian/representedCustodianOrganization/id",
    ),
    (
        f"cda:legalAuthenticator/cda:assignedEntity/cda:id[@root='{SYSTEMS}' and not(@nullFlavor)]",
        "legal-authenticator",
        f"legalAuthenticator/assignedEntity/id must identify the DUI software (root {SYSTEMS})",
        "/legalAuthenticator/assignedEntity/id",
    ),
    (
        "cda:documentationOf/cda:serviceEvent/cda:effectiveTime[not(@nullFlavor)]",
        "service-event",
        "documentationOf/serviceEvent/effectiveTime (date of the transfer) is mandatory, nullFlavor forbidden",
        "/documentationOf/serviceEvent/effectiveTime",
    ),
    (
        "cda:documentationOf/cda:serviceEvent/cda:performer/cda:assignedEntity/cda:representedOrganization/"
        "cda:standardIndustryClassCode[@code='ESSMS' and @codeSystem='1.2.250.1.213.1.1.4.9']",
        "service-event",
        "serviceEvent/performer/assignedEntity/representedOrganization/standardIndustryClassCode must be ESSMS of "
        "1.2.250.1.213.1.1.4.9",
        "/documentationOf/serviceEvent/performer",
    ),
)


@rule(
    "cda.export",
    requirement=REQ_EXPORT,
    summary="EXPORT_DUI: templateId, code, the DUI as author, ESSMS custodian, transfer date, facility",
)
def check_export(root: etree._Element) -> list[Finding]:
    """EXPORT_DUI rules, applied to a document with the TDDUI templateId or the EXPORT_DUI code."""
    code, system = EXPORT_CODE
    roots = {str(r) for r in xp(root, "cda:templateId/@root")}
    if EXPORT_TEMPLATE not in roots and not has(root, f"cda:code[@code='{code}' and @codeSystem='{system}']"):
        return []

    def finding(rule: str, message: str, where: str) -> Finding:
        return Finding(
            f"cda.export.{rule}", REQ_EXPORT, f"[EXPORT_DUI] {message}", location=f"/ClinicalDocument{where}"
        )

    found = []
    if EXPORT_TEMPLATE not in roots:
        found.append(
            finding(
                "template",
                f"the templateId {EXPORT_TEMPLATE} (Transfert de données DUI) must be present",
                "/templateId",
            )
        )
    found += [finding(rule, message, where) for path, rule, message, where in _REQUIRED if not has(root, path)]
    performers = xp(root, "cda:documentationOf/cda:serviceEvent/cda:performer")
    if len(performers) != 1:
        found.append(
            finding(
                "service-event",
                f"documentationOf/serviceEvent must have one performer (the DUI), found {len(performers)}",
                "/documentationOf/serviceEvent/performer",
            )
        )
    facility = "cda:componentOf/cda:encompassingEncounter/cda:location/cda:healthCareFacility/cda:code"
    codes = xp(root, facility)
    where = "/componentOf/encompassingEncounter/location/healthCareFacility/code"
    if not codes or codes[0].get("code") not in FACILITY_CODES or codes[0].get("codeSystem") != FACILITY_SYSTEM:
        value = f"{codes[0].get('code')} of {codes[0].get('codeSystem')}" if codes else "absent"
        found.append(
            finding(
                "facility",
                f"healthCareFacility/code is {value}; expected {', '.join(FACILITY_CODES)} of {FACILITY_SYSTEM}",
                where,
            )
        )
    elif not has(codes[0], "cda:translation[@code]"):
        found.append(
            finding(
                "facility",
                "healthCareFacility/code needs a translation with the ESSMS category (JDV_J254)",
                f"{where}/translation",
            )
        )
    return found
