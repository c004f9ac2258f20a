"""FHIR URLs, identifier systems and codes of FR Core, TDDUI and the base specification.

Facts from ``Interop-Sante/hl7.fhir.fr.core`` (FRCorePatientINSProfile.fsh,
FRCorePatientProfile.fsh, FRCorePatientIdentityReliabilityExtension.fsh, examples),
``ansforge/IG-fhir-medicosocial-transfert-donnees-dui`` 2.0.0 (TDDUIBundle.fsh,
TDDUIPatientINS.fsh, TDDUIEncounterSejour.fsh…) and ``ans.cda.fr.tddui`` 1.0.1
(TDDUIDocumentReference examples: type TRE_A05#EXPORT_DUI, category TRE_A03#95). See
``shared/research/french-specs.md`` §1.3–1.4 and §5.3.
"""

from __future__ import annotations

from harness.core.ins import OID_INS_NIA, OID_INS_NIR, OID_INS_NIR_DEMO, OID_INS_NIR_TEST

__all__ = [
    "BASE_CODES",
    "BIRTH_LIST_GIVEN_NAME",
    "BIRTH_PLACE",
    "FR_CORE_V2_0203",
    "IDENTITY_RELIABILITY",
    "IDENTITY_STATUS_CODES",
    "IDENTITY_STATUS_LEGACY",
    "IDENTITY_STATUS_SYSTEM",
    "INSEE_CODE",
    "INS_SLICES",
    "INS_TYPE_CODES",
    "STAY_IDENTIFIER_SYSTEM",
    "TRE_A03",
    "TRE_A05",
    "InsSlice",
]

FR_CORE = "https://hl7.fr/ig/fhir/core"
#: identifier types of FR Core (INS-NIR, INS-NIA, INS-NIR-TEST, INS-NIR-DEMO, INS-C…)
FR_CORE_V2_0203 = f"{FR_CORE}/CodeSystem/fr-core-cs-v2-0203"
IDENTITY_RELIABILITY = f"{FR_CORE}/StructureDefinition/fr-core-identity-reliability"
#: FR Core 2.2.0 code system of the RNIV statuses (PROV, RECUP, VALI, QUAL)
IDENTITY_STATUS_SYSTEM = f"{FR_CORE}/CodeSystem/fr-core-cs-identity-status"
#: the code system FR Core up to 2.1.0 used (TDDUI 2.0.0 depends on FR Core 2.1.0); there the
#: invariants fr-core-1/2 tie the INS to ``VALI``
IDENTITY_STATUS_LEGACY = f"{FR_CORE}/CodeSystem/fr-core-cs-v2-0445"
IDENTITY_STATUS_CODES = ("PROV", "RECUP", "VALI", "QUAL")
BIRTH_PLACE = "http://hl7.org/fhir/StructureDefinition/patient-birthPlace"
INSEE_CODE = f"{FR_CORE}/StructureDefinition/fr-core-address-insee-code"
BIRTH_LIST_GIVEN_NAME = f"{FR_CORE}/StructureDefinition/fr-core-patient-birth-list-given-name"

NOS = "https://mos.esante.gouv.fr/NOS"
TRE_A05 = f"{NOS}/TRE_A05-TypeDocComplementaire/FHIR/TRE-A05-TypeDocComplementaire"
TRE_A03 = f"{NOS}/TRE_A03-ClasseDocument/FHIR/TRE-A03-ClasseDocument"
#: TDDUIEncounterSejour identifier[idStay].system
STAY_IDENTIFIER_SYSTEM = "https://identifiant-medicosocial-sejour.esante.gouv.fr"


class InsSlice:
    """One INS identifier slice of FR Core PatientINS: its OID, type code and allowed ``use``."""

    def __init__(self, oid: str, type_code: str, uses: tuple[str, ...]) -> None:
        self.oid = oid
        self.system = f"urn:oid:{oid}"
        self.type_code = type_code
        self.uses = uses


#: OID -> slice (INS-NIR use from FRCoreValueSetPatientIdentifierUseINS: official, or old
#: for a deactivated INS; INS-NIA use = temp; test and demonstration NIR use = official)
INS_SLICES: dict[str, InsSlice] = {
    OID_INS_NIR: InsSlice(OID_INS_NIR, "INS-NIR", ("official", "old")),
    OID_INS_NIA: InsSlice(OID_INS_NIA, "INS-NIA", ("temp",)),
    OID_INS_NIR_TEST: InsSlice(OID_INS_NIR_TEST, "INS-NIR-TEST", ("official",)),
    OID_INS_NIR_DEMO: InsSlice(OID_INS_NIR_DEMO, "INS-NIR-DEMO", ("official",)),
}
INS_TYPE_CODES = {s.type_code: s for s in INS_SLICES.values()}

#: (resource type, element) -> codes of a required binding of the R4 base specification
#: (``fhir.resources`` checks datatypes, not code values)
BASE_CODES: dict[tuple[str, str], frozenset[str]] = {
    ("Bundle", "type"): frozenset(
        {
            "document",
            "message",
            "transaction",
            "transaction-response",
            "batch",
            "batch-response",
            "history",
            "searchset",
            "collection",
        }
    ),
    ("Patient", "gender"): frozenset({"male", "female", "other", "unknown"}),
    ("DocumentReference", "status"): frozenset({"current", "superseded", "entered-in-error"}),
    ("Encounter", "status"): frozenset(
        {
            "planned",
            "arrived",
            "triaged",
            "in-progress",
            "onleave",
            "finished",
            "cancelled",
            "entered-in-error",
            "unknown",
        }
    ),
    ("QuestionnaireResponse", "status"): frozenset(
        {"in-progress", "completed", "amended", "entered-in-error", "stopped"}
    ),
    ("CarePlan", "status"): frozenset(
        {"draft", "active", "on-hold", "revoked", "completed", "entered-in-error", "unknown"}
    ),
    ("CarePlan", "intent"): frozenset({"proposal", "plan", "order", "option"}),
    ("MedicationRequest", "status"): frozenset(
        {"active", "on-hold", "cancelled", "completed", "entered-in-error", "stopped", "draft", "unknown"}
    ),
    ("MedicationAdministration", "status"): frozenset(
        {"in-progress", "not-done", "on-hold", "completed", "entered-in-error", "stopped", "unknown"}
    ),
}
