"""Embedded structuration minimale rules: the hand-written header patterns of the CI-SIS, without a pack.

Written from the CI-SIS *Volet Structuration minimale des documents de santé* as its hand-written
schematrons checked it (``CI-SIS_StructurationMinimale.sch``, phase ``Struct_minimale``, patterns
of ``schematrons/include/en-tete/``, pack of May 2023): one rule per constraint, in the project's
words, requirement ``CDA-HDR-01``, grouped by the official pattern they mirror (the rule id is
``cda.sm.<pattern>.<n>``). As in a schematron, each rule applies to every element its context
selects — anywhere in the document (an ``addr`` or a ``telecom`` of the body too) — and its
location is written in the ANS tool's notation (``/ClinicalDocument/author[2]/assignedAuthor``),
so that a finding can be compared with the official one (``tests/validators/cda/test_strucmin_rules.py``).

Not mirrored: the value-set patterns (``JDV_*``: they need the pack's value sets; the
confidentiality code is checked by :mod:`.rules_header`), the abstract ``IVL_TS`` pattern of the
document's effectiveTime (checked by :mod:`.rules_header`), and the rules whose context names an
element without the CDA namespace (``assignedAuthor``, ``associatedPerson``): they never apply.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from lxml import etree

from harness.core.findings import Finding
from harness.core.rules import register

__all__ = ["PATTERNS", "STRUCMIN_RULES", "StrucMinRule", "ans_path", "check_strucmin"]

REQ = "CDA-HDR-01"
NS = {"cda": "urn:hl7-org:v3", "lab": "urn:oid:1.3.6.1.4.1.19376.1.3.2"}
_PREFIXES = ("M", "MLLE", "MME", "DR", "MC", "MG", "PC", "PG", "PR")
_ALLOWED_PREFIXES = " or ".join(f". = '{p}'" for p in _PREFIXES)


@dataclass(frozen=True)
class StrucMinRule:
    """One constraint: where it applies (XPath selecting context nodes), what must hold there (XPath 1.0)."""

    pattern: str
    context: str
    test: str
    message: str


def _r(pattern: str, context: str, test: str, message: str) -> StrucMinRule:
    return StrucMinRule(pattern, context, test, message)


def _person(pattern: str, context: str, who: str) -> list[StrucMinRule]:
    """The name constraints shared by the persons of the header (author, entity, recipient…)."""
    return [
        _r(pattern, context, "cda:name or @nullFlavor", f"{who} : un nom ou un nullFlavor / a name or a nullFlavor"),
        _r(pattern, context, "count(cda:name) = 1", f"{who} : un seul nom / exactly one name"),
        _r(pattern, context, "count(cda:name/cda:family) = 1", f"{who} : un nom de famille / exactly one family"),
        _r(pattern, context, "count(cda:name/cda:given) <= 1", f"{who} : au plus un prénom / at most one given"),
        _r(pattern, context, "count(cda:name/cda:prefix) <= 1", f"{who} : au plus une civilité / at most one prefix"),
        _r(pattern, context, "count(cda:name/cda:suffix) <= 1", f"{who} : au plus un suffixe / at most one suffix"),
        _r(
            pattern,
            context,
            f"not(cda:name/cda:prefix) or cda:name/cda:prefix[{_ALLOWED_PREFIXES}]",
            f"{who} : civilité hors de la liste permise / prefix not in the allowed list",
        ),
        _r(
            pattern,
            context,
            "not(cda:name/cda:suffix) or cda:name/cda:suffix[. = 'DR' or . = 'MC' or . = 'MG' or "
            ". = 'PC' or . = 'PG' or . = 'PR']",
            f"{who} : suffixe hors de la liste permise / suffix not allowed",
        ),
    ]


_NULL = "(. = 'UNK' or . = 'NASK' or . = 'ASKU' or . = 'NAV' or . = 'MSK')"
_STREET_ONLY = (
    "cda:streetAddressLine and not(cda:postalCode) and not(cda:city) and not(cda:country) and "
    "not(cda:state) and not(cda:houseNumber) and not(cda:streetName) and not(cda:additionalLocator) and "
    "not(cda:unitID) and not(cda:postBox) and not(cda:precinct)"
)
_HEADER = "//cda:ClinicalDocument"

#: every embedded rule, by official pattern, in the order of the official phase
STRUCMIN_RULES: tuple[StrucMinRule, ...] = (
    _r(
        "addr",
        "//cda:addr",
        "(count(@*) = 0 and count(*) > 0) or (count(@*) > 0 and name(@*[1]) = 'use' and "
        f"count(*) > 0) or (count(@*) = 1 and @nullFlavor[{_NULL}] and count(*) = 0)",
        "adresse vide sans nullFlavor admis, ou attribut non permis / address empty without an allowed nullFlavor, "
        "or with an attribute other than use",
    ),
    _r(
        "addr",
        "//cda:addr",
        f"count(*) = 0 or ({_STREET_ONLY}) or not(cda:streetAddressLine)",
        "adresse : streetAddressLine seule, ou éléments détaillés sans streetAddressLine / address: either "
        "streetAddressLine alone or detailed parts without it",
    ),
    _r(
        "assignedEntity_fr", "//cda:assignedEntity", "count(cda:id) = 1", "assignedEntity : un seul id / exactly one id"
    ),
    _r(
        "assignedEntity_fr",
        "//cda:assignedEntity",
        "(cda:id[@root] and cda:id[@extension]) or cda:id[@nullFlavor]",
        "assignedEntity : id avec root et extension, ou nullFlavor / id with root and extension, or a nullFlavor",
    ),
    _r(
        "assignedEntity_fr",
        "//cda:assignedEntity/cda:representedOrganization",
        "not(cda:id) or cda:id[@root = '1.2.250.1.71.4.2.2']",
        "organisation représentée : id d'OID 1.2.250.1.71.4.2.2 / represented organization id of OID "
        "1.2.250.1.71.4.2.2",
    ),
    _r(
        "assignedEntity_fr",
        "//cda:assignedEntity/cda:representedOrganization",
        "count(cda:name) <= 1",
        "organisation représentée : au plus un nom / at most one name",
    ),
    *_person("assignedEntity_fr", "//cda:assignedEntity/cda:assignedPerson", "assignedEntity/assignedPerson"),
    _r(
        "associatedEntity_fr",
        "//cda:associatedEntity",
        "count(cda:id) <= 1",
        "associatedEntity : au plus un id / at most one id",
    ),
    _r(
        "associatedEntity_fr",
        "//cda:associatedEntity/cda:scopingOrganization",
        "not(cda:id) or cda:id[@root]",
        "scopingOrganization : id avec root / id with a root",
    ),
    _r(
        "associatedEntity_fr",
        "//cda:associatedEntity/cda:scopingOrganization",
        "count(cda:name) <= 1",
        "scopingOrganization : au plus un nom / at most one name",
    ),
    *_person("associatedEntity_fr", "//cda:associatedEntity/cda:associatedPerson", "associatedEntity/associatedPerson"),
    _r(
        "authenticator_fr",
        "//cda:authenticator",
        "cda:time[@value] or cda:time[@nullFlavor]",
        "authenticator : time avec value ou nullFlavor / time with a value or a nullFlavor",
    ),
    _r(
        "authenticator_fr",
        "//cda:authenticator",
        "cda:signatureCode[@code = 'S']",
        "authenticator : signatureCode S / signatureCode S",
    ),
    _r(
        "author_fr",
        f"{_HEADER}/cda:author",
        "cda:time[@value] or cda:time[@nullFlavor]",
        "author : time avec value ou nullFlavor / author time with a value or a nullFlavor",
    ),
    _r(
        "componentOf_fr",
        "//cda:componentOf/cda:encompassingEncounter",
        "count(cda:location) <= 1",
        "encompassingEncounter : au plus un lieu / at most one location",
    ),
    _r(
        "componentOf_fr",
        "//cda:componentOf/cda:encompassingEncounter/cda:id",
        "@root",
        "encompassingEncounter/id : root obligatoire / root required",
    ),
    _r(
        "componentOf_fr",
        "//cda:componentOf/cda:encompassingEncounter/cda:code",
        "@code and @codeSystem and @displayName",
        "encompassingEncounter/code : code, codeSystem et displayName / code, codeSystem and displayName",
    ),
    _r(
        "componentOf_fr",
        "//cda:componentOf/cda:encompassingEncounter/cda:dischargeDispositionCode",
        "@code and @displayName",
        "dischargeDispositionCode : code et displayName / code and displayName",
    ),
    _r(
        "componentOf_fr",
        "//cda:componentOf/cda:encompassingEncounter/cda:dischargeDispositionCode",
        "not(@codeSystem) or @codeSystem = '1.2.250.1.213.2.14'",
        "dischargeDispositionCode : codeSystem 1.2.250.1.213.2.14 / code system 1.2.250.1.213.2.14",
    ),
    _r(
        "custodian_fr",
        "//cda:representedCustodianOrganization",
        "cda:id[@root = '1.2.250.1.71.4.2.2'] or cda:id[@root = '1.2.250.1.213.4.1'] or cda:id[@nullFlavor]",
        "custodian : id FINESS/SIRET (1.2.250.1.71.4.2.2), hébergeur (1.2.250.1.213.4.1) ou nullFlavor / custodian id "
        "of OID 1.2.250.1.71.4.2.2 or 1.2.250.1.213.4.1, or a nullFlavor",
    ),
    _r(
        "custodian_fr",
        "//cda:representedCustodianOrganization",
        "count(cda:id) = 1",
        "custodian : un seul id / exactly one id",
    ),
    _r(
        "documentationOf_fr",
        "//cda:documentationOf",
        "cda:serviceEvent",
        "documentationOf : serviceEvent obligatoire / serviceEvent required",
    ),
    _r(
        "documentationOf_fr",
        "//cda:documentationOf/cda:serviceEvent",
        "not(cda:code) or cda:code[@code and @codeSystem and @displayName] or cda:code[@nullFlavor]",
        "serviceEvent/code : code, codeSystem et displayName, ou nullFlavor / code, codeSystem and displayName, or a "
        "nullFlavor",
    ),
    _r(
        "documentationOf_fr",
        "//cda:documentationOf/cda:serviceEvent",
        "cda:performer[@typeCode = 'PRF'] or not(cda:performer)",
        "serviceEvent/performer : typeCode PRF / performer typeCode PRF",
    ),
    _r(
        "documentationOf_fr",
        "//cda:documentationOf/cda:serviceEvent",
        "count(cda:performer) < 2",
        "serviceEvent : au plus un performer / at most one performer",
    ),
    _r(
        "documentationOf_fr",
        "//cda:documentationOf/cda:serviceEvent/cda:effectiveTime",
        "cda:low and not(@nullFlavor)",
        "serviceEvent/effectiveTime : low obligatoire, pas de nullFlavor / low required, no nullFlavor",
    ),
    _r(
        "documentationOf_fr",
        f"{_HEADER}/cda:documentationOf/cda:serviceEvent/cda:performer",
        "not(@nullFlavor)",
        "serviceEvent/performer : pas de nullFlavor / no nullFlavor",
    ),
    _r(
        "documentationOf_fr",
        f"{_HEADER}/cda:documentationOf/cda:serviceEvent/cda:performer",
        "cda:assignedEntity/cda:representedOrganization/cda:standardIndustryClassCode",
        "serviceEvent/performer : secteur d'activité (standardIndustryClassCode) / the organization's "
        "standardIndustryClassCode",
    ),
    _r(
        "informantRelatedEntity_fr",
        "//cda:informant/cda:relatedEntity",
        "count(@*) = 1 and @classCode[. = 'ECON' or . = 'NOK' or . = 'CON' or . = 'CAREGIVER' or . = 'PAT']",
        "informant/relatedEntity : classCode ECON, NOK, CON, CAREGIVER ou PAT / classCode ECON, NOK, CON, CAREGIVER "
        "or PAT",
    ),
    _r(
        "informantRelatedEntity_fr",
        "//cda:informant/cda:relatedEntity",
        "count(cda:relatedPerson/cda:name) = 1",
        "informant/relatedEntity : un nom / exactly one name",
    ),
    _r(
        "informantRelatedEntity_fr",
        "//cda:informant/cda:relatedEntity",
        "count(cda:relatedPerson/cda:name/cda:family) = 1",
        "informant : un nom de famille / exactly one family",
    ),
    _r(
        "informantRelatedEntity_fr",
        "//cda:informant/cda:relatedEntity",
        "count(cda:relatedPerson/cda:name/cda:given) <= 1",
        "informant : au plus un prénom / at most one given",
    ),
    _r(
        "informationRecipient_fr",
        "//cda:informationRecipient/cda:intendedRecipient",
        "not(cda:id) or (cda:id[@root = '1.2.250.1.71.4.2.1'] and cda:id[@extension])",
        "intendedRecipient : id RPPS/ADELI (1.2.250.1.71.4.2.1) avec extension / id of OID 1.2.250.1.71.4.2.1",
    ),
    _r(
        "informationRecipient_fr",
        "//cda:informationRecipient/cda:intendedRecipient",
        "count(cda:informationRecipient) <= 1",
        "intendedRecipient : au plus une personne / at most one person",
    ),
    *[
        r
        for r in _person(
            "informationRecipient_fr",
            "//cda:informationRecipient/cda:intendedRecipient/cda:informationRecipient",
            "informationRecipient",
        )
        if "nullFlavor" not in r.test and r.test != "count(cda:name) = 1"
    ],
    _r(
        "inFulfillmentOf_fr",
        "//cda:inFulfillmentOf/cda:order",
        "count(cda:id) = 1",
        "inFulfillmentOf/order : un seul id / exactly one id",
    ),
    _r(
        "inFulfillmentOf_fr",
        "//cda:inFulfillmentOf/cda:order",
        "cda:id[@root]",
        "inFulfillmentOf/order : id avec root / id with a root",
    ),
    _r(
        "legalAuthenticator_fr",
        f"{_HEADER}/cda:legalAuthenticator",
        "cda:time[@value] or cda:time[@nullFlavor]",
        "legalAuthenticator : time avec value ou nullFlavor / time with a value or a nullFlavor",
    ),
    _r(
        "legalAuthenticator_fr",
        f"{_HEADER}/cda:legalAuthenticator",
        "cda:signatureCode[@code = 'S']",
        "legalAuthenticator : signatureCode S / signatureCode S",
    ),
    _r(
        "legalAuthenticator_fr",
        f"{_HEADER}/cda:legalAuthenticator",
        "cda:assignedEntity",
        "legalAuthenticator : assignedEntity obligatoire / assignedEntity required",
    ),
    _r(
        "legalAuthenticator_fr",
        f"{_HEADER}/cda:legalAuthenticator",
        "cda:assignedEntity/cda:assignedPerson",
        "legalAuthenticator : assignedPerson obligatoire / assignedPerson required",
    ),
    _r("modeleEntete_fr", _HEADER, "count(cda:realmCode) = 1", "un seul realmCode / exactly one realmCode"),
    _r("modeleEntete_fr", _HEADER, "cda:realmCode[@code = 'FR']", "realmCode FR obligatoire / realmCode FR required"),
    _r(
        "modeleEntete_fr",
        _HEADER,
        "cda:typeId[@root = '2.16.840.1.113883.1.3'] and cda:typeId[@extension = 'POCD_HD000040']",
        "typeId POCD_HD000040 obligatoire / typeId POCD_HD000040 required",
    ),
    _r("modeleEntete_fr", _HEADER, "count(cda:templateId) >= 3", "au moins trois templateId / at least 3 templateIds"),
    _r(
        "modeleEntete_fr",
        _HEADER,
        "cda:templateId[@root = '2.16.840.1.113883.2.8.2.1']",
        "templateId HL7 France 2.16.840.1.113883.2.8.2.1 obligatoire / HL7 France templateId required",
    ),
    _r(
        "modeleEntete_fr",
        _HEADER,
        "cda:templateId[@root = '1.2.250.1.213.1.1.1.1']",
        "templateId CI-SIS 1.2.250.1.213.1.1.1.1 obligatoire / CI-SIS templateId required",
    ),
    _r("modeleEntete_fr", _HEADER, "cda:id[@root]", "id du document avec root / document id with a root"),
    _r(
        "modeleEntete_fr",
        _HEADER,
        "cda:code[@code] and cda:code[@codeSystem] and cda:code[@displayName]",
        "code du document : code, codeSystem et displayName / document code with code, codeSystem and displayName",
    ),
    _r("modeleEntete_fr", _HEADER, "cda:title", "titre obligatoire / title required"),
    _r("modeleEntete_fr", _HEADER, "cda:effectiveTime[@value]", "effectiveTime avec value / effectiveTime required"),
    _r("modeleEntete_fr", _HEADER, "cda:languageCode[@code = 'fr-FR']", "languageCode fr-FR / languageCode fr-FR"),
    _r("modeleEntete_fr", _HEADER, "count(cda:recordTarget) = 1", "un seul recordTarget / exactly one recordTarget"),
    _r(
        "modeleEntete_fr",
        _HEADER,
        "count(cda:legalAuthenticator) = 1",
        "un seul legalAuthenticator / exactly one legalAuthenticator",
    ),
    _r("modeleEntete_fr", _HEADER, "cda:documentationOf", "documentationOf obligatoire / documentationOf required"),
    _r(
        "modeleEntete_fr",
        _HEADER,
        "count(cda:relatedDocument) <= 1",
        "au plus un relatedDocument / at most one relatedDocument",
    ),
    _r("modeleEntete_fr", _HEADER, "cda:componentOf", "componentOf obligatoire / componentOf required"),
    _r(
        "participant_fr",
        f"{_HEADER}/cda:participant",
        "cda:time/cda:low[@value] or not(cda:time/cda:low)",
        "participant : time/low avec value / time/low with a value",
    ),
    _r(
        "participant_fr",
        f"{_HEADER}/cda:participant",
        "cda:time/cda:high[@value] or not(cda:time/cda:high)",
        "participant : time/high avec value / time/high with a value",
    ),
    _r(
        "participant_fr",
        f"{_HEADER}/cda:participant",
        "not(cda:functionCode) or (cda:functionCode/@code and "
        "cda:functionCode/@codeSystem) or cda:functionCode/@nullFlavor",
        "participant/functionCode : code et codeSystem, ou nullFlavor / code and codeSystem, or a nullFlavor",
    ),
    _r(
        "participant_fr",
        "//cda:participant/cda:associatedEntity",
        "@classCode = 'PROV' or @classCode = 'AGNT' or "
        "@classCode = 'ECON' or @classCode = 'GUARD' or @classCode = 'QUAL' or @classCode = 'POLHOLD' or "
        "@classCode = 'CON' or @classCode = 'CAREGIVER' or @classCode = 'PAT'",
        "participant/associatedEntity : classCode non permis / classCode not allowed",
    ),
    _r(
        "participant_fr",
        "//cda:participant/cda:associatedEntity",
        "not(cda:code) or cda:code[@code and @codeSystem and @displayName]",
        "participant/associatedEntity/code : code, codeSystem et displayName / code, codeSystem and displayName",
    ),
    _r(
        "recordTarget_fr",
        f"{_HEADER}/cda:recordTarget/cda:patientRole",
        "not(cda:id[@nullFlavor])",
        "patient : pas d'identifiant nullFlavor / no nullFlavor id",
    ),
    _r(
        "recordTarget_fr",
        f"{_HEADER}/cda:recordTarget/cda:patientRole",
        "count(cda:patient/cda:name) = 1",
        "patient : un seul nom / exactly one name",
    ),
    _r(
        "recordTarget_fr",
        f"{_HEADER}/cda:recordTarget/cda:patientRole",
        "count(cda:patient/cda:name/cda:given/@qualifier) = 0 or cda:patient/cda:name/cda:given/@qualifier = 'BR' or "
        "cda:patient/cda:name/cda:given/@qualifier = 'CL'",
        "patient : prénom qualifié BR ou CL / given qualifier BR or CL",
    ),
    _r(
        "recordTarget_fr",
        f"{_HEADER}/cda:recordTarget/cda:patientRole",
        "not(cda:patient/cda:religiousAffiliationCode)"
        " and not(cda:patient/cda:raceCode) and not(cda:patient/cda:ethnicGroupCode)",
        "patient : ni religion, ni race, ni groupe ethnique / no religion, race or ethnic group",
    ),
    _r(
        "recordTarget_fr",
        f"{_HEADER}/cda:recordTarget/cda:patientRole",
        "cda:patient/cda:birthTime",
        "patient : date de naissance obligatoire / birthTime required",
    ),
    _r(
        "recordTarget_fr",
        f"{_HEADER}/cda:recordTarget/cda:patientRole",
        "(not(cda:id/@root = '1.2.250.1.213.1.4.8') and not(cda:id/@root = '1.2.250.1.213.1.4.9') and "
        "not(cda:id/@root = '1.2.250.1.213.1.4.10') and not(cda:id/@root = '1.2.250.1.213.1.4.11') and "
        "cda:id/@extension) or (cda:patient/cda:name/cda:family/@qualifier and cda:patient/cda:name/cda:given and "
        "cda:patient/cda:birthTime and cda:patient/cda:administrativeGenderCode)",
        "INS : nom de naissance, prénom, date de naissance et sexe obligatoires / INS: birth name, given name, birth "
        "date and sex required",
    ),
    _r(
        "recordTarget_fr",
        f"{_HEADER}/cda:recordTarget/cda:patientRole",
        "cda:patient/cda:name/cda:family/@qualifier = 'BR' or cda:patient/cda:name/cda:family/@qualifier = 'SP' or "
        "cda:patient/cda:name/cda:family/@qualifier = 'CL'",
        "patient : nom qualifié BR, SP ou CL / family qualifier BR, SP or CL",
    ),
    _r(
        "recordTarget_fr",
        f"{_HEADER}/cda:recordTarget/cda:patientRole",
        "cda:patient/cda:name/cda:given/@qualifier = 'BR' or cda:patient/cda:name/cda:given/@qualifier = 'CL' or "
        "not(cda:patient/cda:name/cda:given/@qualifier)",
        "patient : qualificatif de prénom BR ou CL / given qualifier BR or CL",
    ),
    _r(
        "recordTarget_fr",
        f"{_HEADER}/cda:recordTarget/cda:patientRole/cda:patient/cda:name/cda:family",
        "@qualifier",
        "nom du patient : qualifier obligatoire / family qualifier required",
    ),
    _r(
        "recordTarget_fr",
        f"{_HEADER}/cda:recordTarget/cda:patientRole/cda:patient/cda:name/cda:family",
        "@qualifier = 'BR' or @qualifier = 'CL' or @qualifier = 'SP'",
        "nom du patient : qualifier BR, CL ou SP / family qualifier BR, CL or SP",
    ),
    _r(
        "recordTarget_fr",
        f"{_HEADER}/cda:recordTarget/cda:patientRole/cda:patient/cda:name/cda:given",
        "@qualifier = 'BR' or @qualifier = 'CL' or not(@qualifier)",
        "prénom du patient : qualifier BR ou CL / given qualifier BR or CL",
    ),
    _r(
        "recordTarget_fr",
        f"{_HEADER}/cda:recordTarget/cda:patientRole/cda:patient/cda:guardian",
        "count(cda:guardianPerson/cda:name) <= 1",
        "tuteur : au plus un nom / guardian: at most one name",
    ),
    _r(
        "recordTarget_fr",
        f"{_HEADER}/cda:recordTarget/cda:patientRole/cda:patient/cda:guardian",
        "count(cda:guardianOrganization/cda:name) <= 1",
        "tuteur (organisation) : au plus un nom / at most one name",
    ),
    _r(
        "relatedDocument_fr",
        "//cda:relatedDocument",
        "@typeCode = 'RPLC'",
        "relatedDocument : typeCode RPLC / typeCode RPLC",
    ),
    _r(
        "relatedDocument_fr",
        "//cda:relatedDocument",
        "count(cda:parentDocument/cda:id) = 1",
        "relatedDocument : un seul id du document parent / exactly one parentDocument id",
    ),
    _r(
        "relatedDocument_fr",
        "//cda:relatedDocument",
        "cda:parentDocument/cda:id[@root]",
        "relatedDocument : id parent avec root / parentDocument id with a root",
    ),
    _r(
        "serviceEventLabStatusCode",
        f"{_HEADER}/cda:documentationOf/cda:serviceEvent/lab:statusCode",
        "../../../cda:code[@code = '11502-2' or @code = '11526-1']",
        "lab:statusCode réservé aux comptes rendus de biologie / lab:statusCode only in laboratory reports",
    ),
    _r(
        "serviceEventLabStatusCode",
        f"{_HEADER}/cda:documentationOf/cda:serviceEvent/lab:statusCode",
        "@code = 'active' or @code = 'completed'",
        "lab:statusCode active ou completed / active or completed",
    ),
    _r(
        "telecom",
        "//cda:telecom",
        f"(count(@*) = 1 and @nullFlavor[{_NULL}]) or "
        "(substring-after(@value, ':') != '' and (substring-before(@value, ':') = 'tel' or "
        "substring-before(@value, ':') = 'fax' or substring-before(@value, ':') = 'mailto' or "
        "substring-before(@value, ':') = 'http' or substring-before(@value, ':') = 'ftp' or "
        "substring-before(@value, ':') = 'mllp'))",
        "telecom : préfixe:valeur (tel, fax, mailto, http, ftp, mllp) ou nullFlavor / prefix:value or a nullFlavor",
    ),
    _r(
        "telecom",
        "//cda:telecom",
        "@use = 'H' or @use = 'HP' or @use = 'HV' or @use = 'WP' or @use = 'DIR' or "
        "@use = 'PUB' or @use = 'EC' or @use = 'MC' or @use = 'PG' or not(@use)",
        "telecom : use H, HP, HV, WP, DIR, PUB, EC, MC ou PG / use not allowed",
    ),
)
PATTERNS: tuple[str, ...] = tuple(dict.fromkeys(r.pattern for r in STRUCMIN_RULES))


def ans_path(node: etree._Element) -> str:
    """The location of ``node`` as the ANS tool writes it: ``/ClinicalDocument/component[8]/section``."""
    steps = []
    for element in [*reversed(list(node.iterancestors())), node]:
        qname = etree.QName(element)
        name = f"{element.prefix}:{qname.localname}" if element.prefix else qname.localname
        before = sum(
            1 for s in element.itersiblings(preceding=True) if s.tag == element.tag and s.prefix == element.prefix
        )
        steps.append(f"/{name}[{before + 1}]" if before else f"/{name}")
    return "".join(steps)


def check_strucmin(root: etree._Element) -> list[Finding]:
    """Every embedded structuration minimale rule on the document ``root`` (a ``ClinicalDocument``)."""
    findings = []
    tree = root.getroottree()
    for number, rule, context, test in _compiled_rules():
        for node in context(tree):
            if not test(node):
                findings.append(
                    Finding(
                        f"cda.sm.{rule.pattern}.{number}",
                        REQ,
                        f"[structuration minimale, {rule.pattern}] {rule.message}",
                        location=ans_path(node),
                    )
                )
    return findings


def _compiled_rules() -> list[tuple[int, StrucMinRule, etree.XPath, etree.XPath]]:
    """The numbered rules with their context and test compiled, once per thread (issue 18: compiling the
    ~100 expressions on every document was half of a DMP submission's CDA checks)."""
    rules: list[tuple[int, StrucMinRule, etree.XPath, etree.XPath]] | None = getattr(_COMPILED, "rules", None)
    if rules is None:
        rules = _COMPILED.rules = [
            (
                number,
                rule,
                etree.XPath(rule.context, namespaces=NS),
                etree.XPath(f"boolean({rule.test})", namespaces=NS),
            )
            for number, rule in _NUMBERED
        ]
    return rules


_COMPILED = threading.local()
_NUMBERED = [
    (sum(1 for r in STRUCMIN_RULES[:i] if r.pattern == rule.pattern) + 1, rule) for i, rule in enumerate(STRUCMIN_RULES)
]
for _number, _rule in _NUMBERED:  # one registered rule per constraint (``dui-harness rules``)
    register(f"cda.sm.{_rule.pattern}.{_number}", REQ, _rule.message, f"{__name__}.check_strucmin", module=__name__)
