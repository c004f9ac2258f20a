"""The bundled services, declared once each (see ARCHITECTURE.md, "Adding a service").

Order matters only for display and start-up: simulators start in this order, reports list
services in it. ``CDA`` and ``DUI`` are requirement domains of the catalogs without a simulator.
Every fixed port of the bench is written here and nowhere else.
"""

from __future__ import annotations

from harness.services.registry import Indicator, Service, UsageCounter, register

__all__ = ["BUILTIN"]

_USAGE = "harness.evidence.usage"

BUILTIN = (
    Service(
        "INS",
        "Identité nationale de santé (INS)",
        "National health identifier",
        name="insi",
        catalog="ins.csv",
        ports={"port": 8701},
        simulator="mocks.insi:create",
        endpoint_key="insi",
        trigger_operations=(
            "createPerson",
            "listPersons",
            "lookupIns",
            "checkIdentityDocument",
            "getIdentity",
            "getExchangeIdentity",
            "updateTraits",
            "setIdentityAttributes",
            "verifyIns",
            "receiveIdentity",
            "getInsiTrace",
            "searchIdentities",
            "submitIdentityCreation",
            "getIdentityAudit",
        ),
        reference_dui_settings="harness.plugin.endpoints:insi_settings",
        reference_dui_feature="reference_dui.ins_lifecycle.feature",
        indicators=(
            Indicator(
                "ins_identities_searched",
                "Identités recherchées auprès du téléservice INSi",
                "Identities searched with INSi",
            ),
            Indicator(
                "ins_identities_with_ins",
                "Identités pour lesquelles INSi a renvoyé un INS",
                "Identities for which INSi returned an INS",
            ),
        ),
        counters=(UsageCounter(f"{_USAGE}:insi_identities", "rechercherInsAvecTraitsIdentite"),),
        aliases=("INSi",),
    ),
    Service(
        "PSC",
        "Pro Santé Connect",
        "Professional sign-in",
        catalog="psc.csv",
        ports={"port": 8706},
        simulator="mocks.psc:create",
        endpoint_key="psc",
        trigger_operations=(
            "pscLogin",
            "getPscSession",
            "pscLogout",
            "getPscCapabilities",
            "pscRefresh",
            "pscLocalAccount",
            "pscLocalLogin",
        ),
        reference_dui_feature="reference_dui.psc.feature",
    ),
    Service(
        "MSS",
        "Messagerie sécurisée de santé (MSSanté)",
        "Secure health messaging",
        name="mss",
        catalog="mss.csv",
        ports={"port": 8710, "smtp_port": 8587, "smtps_port": 8465, "imap_port": 8143, "imaps_port": 8993},
        simulator="mocks.mssante:create",
        endpoint_key="mssante",
        trigger_operations=(
            "sendMssDocument",
            "listMssDocuments",
            "fetchMssMail",
            "listMssAcknowledgements",
            "replyMssMessage",
            "recordMssRefusal",
            "importAnnuaire",
            "searchMssAddress",
            "listMssWorklist",
            "mssLpsConnect",
            "getMssLpsSession",
            "mssLpsLogout",
            "sendMssLpsMessage",
            "fetchMssLpsMail",
            "setMssCorrespondents",
            "listMssCorrespondents",
            "listMssDocumentTrace",
            "autoconfigureMssMailbox",
        ),
        reference_dui_feature="reference_dui.mssante.feature",
        indicators=(
            Indicator(
                "mss_messages_to_professionals",
                "Messages MSSanté envoyés à des professionnels",
                "MSSanté messages sent to professionals",
            ),
            Indicator(
                "mss_messages_to_patients",
                "Messages MSSanté envoyés à des usagers (Mon espace santé)",
                "MSSanté messages sent to patients",
            ),
        ),
        counters=(UsageCounter(f"{_USAGE}:mss_messages", "SMTP"),),
        aliases=("MSSante",),
    ),
    Service(
        # the id stays EPARCOURS (catalog, exchanges, usage); what is simulated is the TDDUI consumer, a "SI
        # tiers" (the IG's example: CNSA SIDOBA), not a regional e-parcours platform (APIs not standardised)
        "EPARCOURS",
        "SI tiers consommateur TDDUI (ex. CNSA SIDOBA)",
        "Third-party IS consuming TDDUI (e.g. CNSA SIDOBA)",
        catalog="eparcours.csv",
        ports={"port": 8707},
        simulator="mocks.fhir:create_eparcours",
        endpoint_key="eparcours",
        trigger_operations=("exportToEparcours", "listEparcoursExports"),
        reference_dui_feature="reference_dui.fhir.feature",
        indicators=(
            Indicator(
                "eparcours_documents_exchanged",
                "Données DUI transmises à un SI tiers (TDDUI) ; hypothèse : tenues pour les échanges "
                "e-parcours, la plateforme régionale n'étant pas simulée",
                "DUI data sent to a third-party IS (TDDUI); assumption: taken as the e-parcours "
                "exchanges, the regional platform not being simulated",
            ),
        ),
        counters=(UsageCounter(f"{_USAGE}:eparcours_documents"),),
        aliases=("FHIR",),
    ),
    Service(
        "EPRESC",
        "e-prescription",
        "Electronic prescription",
        catalog="epresc.csv",
        ports={"port": 8708},
        simulator="mocks.fhir:create_epresc",
        endpoint_key="epresc",
        trigger_operations=("retrievePrescription", "listPrescriptions", "recordAdministration", "listAdministrations"),
        reference_dui_feature="reference_dui.fhir.feature",
    ),
    Service(
        "DMP",
        "Dossier médical partagé (DMP)",
        "Shared medical record",
        catalog="dmp.csv",
        ports={"port": 8702},
        simulator="mocks.dmp:create",
        endpoint_key="dmp",
        trigger_operations=(
            "listDmpDocuments",
            "publishDmpDocument",
            "replaceDmpDocument",
            "setDmpDocumentVisibility",
            "retrieveDmpDocuments",
            "retryDmpDocuments",
            "validateDocument",
            "getDmpWebAccess",
            "setDmpConsultationConsent",
            "getDmpConsultationConsent",
            "recordHistoricalDocument",
            "setPersonDeceased",
            "runDmpHistoryBackfill",
        ),
        reference_dui_feature="reference_dui.dmp.feature",
        indicators=(Indicator("dmp_documents_sent", "Documents envoyés au DMP", "Documents sent to the DMP"),),
        counters=(UsageCounter(f"{_USAGE}:dmp_documents"),),
    ),
    Service("CDA", "Documents CDA", "CDA documents", catalog="cda.csv"),
    Service(
        "HL7V2",
        "Flux d'identité HL7 v2 (IHE PAM France)",
        "HL7 v2 identity feeds (IHE PAM France)",
        name="hl7v2",
        catalog="hl7v2.csv",
        ports={"port": 8711, "mllp_port": 2575},
        simulator="mocks.hl7v2:create",
        endpoint_key="hl7v2",
        trigger_operations=("getHl7v2Endpoint", "emitHl7v2Identity", "listHl7v2Identities"),
        reference_dui_feature="reference_dui.hl7v2.feature",
        indicators=(
            Indicator(
                "hl7v2_identity_messages", "Messages d'identité HL7 v2 échangés", "HL7 v2 identity messages exchanged"
            ),
        ),
        counters=(UsageCounter("harness.evidence.hl7v2_usage:hl7v2_messages"),),
    ),
    Service(
        # CNSA orientation decisions (ANS IG ans.fhir.fr.sdo): the DUI of a disability-sector ESMS is the SdO's client
        "SDO",
        "Suivi des décisions d'orientation (SI-SdO CNSA)",
        "Orientation-decision tracking (CNSA SI-SdO)",
        catalog="sdo.csv",
        ports={"port": 8712},
        simulator="mocks.sdo:create",
        endpoint_key="sdo",
        trigger_operations=(
            "syncSdoDecisions",
            "sendSdoConsent",
            "fetchSdoEvaluation",
            "sendSdoStatus",
            "syncSdoNotifications",
        ),
        reference_dui_feature="reference_dui.sdo.feature",
    ),
    Service("DUI", "DUI (exigences générales)", "DUI general requirements"),
)

for _service in BUILTIN:
    register(_service)
