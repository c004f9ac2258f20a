"""Named defect switches: each one makes one small, realistic mistake in the reference DUI's own code.

The clean reference DUI (no defect) is conformant. A run of the harness against the DUI with
one switch on must report exactly the requirements the switch breaks as failed (listed per
switch in ``tests/suites/test_sensitivity.py``, usually one), every other requirement passing
or *blocked* by the broken one: this is how the harness proves that each check detects what it
claims to detect, and only that. Every testable MUST requirement of the default profile has at
least one switch (``dmp_*`` / ``cda_*`` switches live in :mod:`reference_dui.dmp`, the others
beside the behaviour they bend).
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["DEFECTS", "check_defects"]

#: defect name -> what it breaks (one line)
DEFECTS: dict[str, str] = {
    "wrong_ins_key": "stores the INS with a wrong key (key + 1 mod 100) and skips its own key check",
    "no_ctxlps": "sends INSi requests without the ContexteLPS header",
    "bad_lps_nom": 'ContexteLPS/LPS/Nom without the urn:lps:<nom>:<version> form, IDAM without R="4"',
    "no_ctxbam": "sends INSi requests without ContexteBAM and without wsa:MessageID",
    "qualify_without_insi": "a verified identity document alone gives QUAL (even after an INSi error or 01)",
    "first_name_only": "never retries after CR 01/02: only the first birth first name is ever sent",
    "share_unqualified_ins": "exchange-identity carries the INS whatever the identity status",
    "store_histo_ins": "when INSi returns INSHISTO entries, stores the first INSHISTO as the active INS",
    "nia_as_nir": "stores an INS-NIA under the INS-NIR OID 1.2.250.1.213.1.4.8",
    "lose_person_on_insi_error": "deletes the person when the INSi call fails",
    "keep_typed_traits": "on CR 00 keeps the traits the operator typed instead of the INSi TIQ",
    "bad_date_format": "sends DateNaissance to INSi as DD/MM/YYYY",
    "wrong_cert_cn": "authenticates to INSi with the client-wrong-cn certificate of the test PKI "
    "(no client certificate when no PKI directory is configured)",
    "insi_soap11_content_type": "posts its SOAP 1.2 INSi requests with the SOAP 1.1 media type text/xml",
    "ins_test_oid": "stores every INS-NIR under the test OID 1.2.250.1.213.1.4.10 left hard-coded from the "
    "qualification campaign, whatever OID INSi returned",
    "insi_stale_answer": "on CR 01 stores the INS of the previous INSi lookup (an answer cache keyed on nothing)",
    "share_ins_c_oid": "exchange-identity writes the INS with the retired INS-C OID 1.2.250.1.213.1.4.2",
    # INS identity lifecycle (guide d'implémentation de l'INS, rules 11-55): reference_dui.ins_rules, ins_lifecycle
    "insi_lunar_date_stored": "stores the INS INSi returns with 00 as birth day or month (rule 11)",
    "insi_blank_tiq_stored": "stores the INS INSi returns with an empty birth name, first names or sex, keeping "
    "the typed traits for the empty ones (rule 12)",
    "strict_traits_editable": "lets an ordinary user change the strict traits of a RECUP/QUAL identity, INS kept "
    "(rule 26)",
    "complementary_traits_locked": "refuses every traits edit of an ordinary user on a RECUP/QUAL identity, used "
    "names too (rule 26)",
    "keep_ins_after_strict_change": "keeps the INS, OID and status when a strict trait of a RECUP/QUAL identity "
    "changes (rule 27)",
    "qualify_doubtful": "ignores the doubtful/fictitious attributes: INSi is called and the identity qualified "
    "(rule 25)",
    "trust_received_qualified": "keeps a qualified identity received from another domain as QUAL (rule 30)",
    "no_received_ins_verification": "integrates an INS received from another domain without verifying it with "
    "INSi (rule 52)",
    "keep_ins_after_failed_verification": "keeps the INS and status of an identity whose INSi verification is KO "
    "(rule 49)",
    "integrate_after_failed_verification": "stores a received INS and integrates the data although the INSi "
    "verification is KO (rules 51, 55)",
    "document_nature_not_recorded": "records a validated/qualified identity's document as AUTRE, not its "
    "nature (CNI, passport…) (rule 19)",
    "skip_first_name_consistency": "stores the INS although the first name typed is not among the birth first "
    "names INSi returned (rule 6)",
    "anteriority_exact_text": "anteriority search compares names as typed: accents, apostrophes and hyphens "
    "count (rule 17)",
    "insi_vitale_ignored": "INSi: given the person's Vitale card, searches by traits anyway (no "
    "rechercherInsAvecCarteVitale, SC.INS.28A)",
    "cpx_anonymous_assertion": "CPx mode: the AssertionPs names no professional (Subject without NameID)",
    "untraced_verification": "does not trace INSi verifications and their answers (rules 48, 53)",
    # INS guide rules 5 and 16, PSC-backed INSi calls (ins12): reference_dui.ins_lifecycle.identity_rules, service
    "creation_without_birth_place": "the creation form accepts an identity without birth place code (rule 5)",
    "creation_requires_used_name": "the creation form makes the used name mandatory (rule 5)",
    "identity_changes_untraced": "traces the accesses to an identity but not its creation nor its changes (rule 16)",
    "insi_psc_token_missing": "asked for a PSC-backed INSi search, calls INSi with the organisation certificate "
    "alone, the professional's PSC access token left out (SC.INS/PSC.01)",
    "psc_scope_without_openid": "Pro Santé Connect: asks for scope=scope_all, without openid",
    "psc_token_no_client_auth": "Pro Santé Connect: exchanges the code without authenticating the client "
    "(no client_secret, PKCE alone)",
    "psc_no_acr_eidas1": "Pro Santé Connect: the authorization request has no acr_values=eidas1",
    "psc_no_state_check": "Pro Santé Connect: accepts an authorization answer whatever its state (CSRF)",
    "psc_no_nonce_check": "Pro Santé Connect: never compares the ID token nonce with the one it sent",
    "psc_accept_bad_signature": "Pro Santé Connect: reads the ID token without verifying its signature",
    "psc_accept_wrong_issuer": "Pro Santé Connect: accepts an ID token from another issuer",
    "psc_accept_wrong_audience": "Pro Santé Connect: accepts an ID token issued to another client (aud)",
    "psc_accept_expired": "Pro Santé Connect: accepts an expired ID token (exp not checked)",
    "psc_no_userinfo_sub_check": (
        "Pro Santé Connect: takes the userinfo identity even when its sub is not the ID token's"
    ),
    # Pro Santé Connect completed (psc16, issue 16 item 5)
    "psc_refresh_reuse": "Pro Santé Connect: refreshes with the login's first refresh token, never the rotated one",
    "psc_no_end_session": "Pro Santé Connect: logs out locally only, without ending the PSC session",
    "psc_ciba_poll_too_fast": "Pro Santé Connect CIBA: polls the token endpoint without waiting the interval",
    "psc_native_no_pkce": "Pro Santé Connect native app: the loopback login sends no PKCE challenge",
    "psc_no_account_linking": "Pro Santé Connect: a PSC login opens its own account, never the local account "
    "of the same RPPS",
    "tddui_batch_bundle": "e-parcours: exports the record in a Bundle of type batch instead of transaction",
    "tddui_ins_wrong_system": "e-parcours: writes the Patient INS with the bare OID as system (no urn:oid:)",
    "tddui_no_master_identifier": "e-parcours: the TDDUI DocumentReference has no masterIdentifier",
    "tddui_attachment_url": "e-parcours: the EXPORT_DUI document is referenced by attachment.url, not sent in data",
    "tddui_refusal_as_accepted": "e-parcours: reports an export accepted whatever the consumer answered (422 too)",
    "tddui_qr_identifier_list": "e-parcours: QuestionnaireResponse.identifier written as a list (R5), not one "
    "Identifier (R4 0..1)",
    "tddui_no_birth_place": "e-parcours: the Patient with an INS has no birth place (patient-birthPlace)",
    "tddui_no_identity_status": "e-parcours: the Patient carries no identity reliability status",
    "tddui_no_care_plan": "e-parcours: the personalised project (CarePlan) is left out of the exported record",
    "tddui_doc_category_label": "e-parcours: the DocumentReference category is the label GESTION, not the "
    "TRE_A03 code 95",
    "tddui_export_no_set_id": "e-parcours: the EXPORT_DUI CDA document has no setId in its header",
    # issue 16 (fhir16): the TDDUI event encounter
    "tddui_event_no_end": "e-parcours: the event (TDDUIEncounterEvenement) is exported without its end "
    "(period.end 1..1)",
    "epresc_wrong_person": "e-prescription: integrates a prescription without comparing its INS with the resident's",
    "epresc_lose_on_unavailable": "e-prescription: drops an administration when the teleservice does not answer",
    "epresc_accept_xml": "e-prescription: asks the teleservice for application/fhir+xml (Accept) on retrieval",
    "epresc_first_line_only": "e-prescription: integrates only the first line of a prescription",
    "epresc_unknown_as_error": "e-prescription: reports an unknown identifier (empty searchset) as a service error",
    "epresc_adm_no_request": "e-prescription: the MedicationAdministration has no request (prescribed line)",
    "mss_no_nil": "MSSanté: sends messages (documents and acknowledgements) without the X-MSS-NIL header",
    "mss_trust_any_ca": "MSSanté: accepts any server certificate (no check of the operator's certificate at all: CA "
    "(ECO.1.1.10), expiry, revocation)",
    "mss_subject_iso_birth_date": "MSSanté: the subject carries the birth date as stored (YYYY-MM-DD), not DD/MM/YYYY",
    "mss_wrong_codecda": "MSSanté: X-MSS-CODECDA carries another code than the attached CDA's code@code",
    "mss_ins_without_qualified": "MSSanté: X-MSS-INS: O even when the attached CDA has no qualified INS",
    "mss_no_mes_to_patient": "MSSanté: no X-MSS-MES: FIN on messages to a patient's Mon espace santé mailbox",
    "mss_xdm_no_metadata": "MSSanté: the IHE_XDM.ZIP has no IHE_XDM/SUBSET01/METADATA.XML",
    "mss_integrate_wrong_person": "MSSanté: integrates a received document for the first person with the same "
    "birth name and birth date, ignoring the INS (homonyms)",
    "mss_no_error_mdn": "MSSanté: sends no acknowledgement when a received document is rejected (902-905)",
    "mss_smtp_stale_password": (
        "MSSanté: submits messages by password, without its certificate, with a stale SMTP password "
        "(not updated after a rotation)"
    ),
    "mss_from_noreply": "MSSanté: From is a no-reply address of the domain, not the DUI's authenticated mailbox",
    "mss_no_date": "MSSanté: document messages have no Date header (RFC 5322 §3.6)",
    "mss_xdm_size_of_body": "MSSanté: METADATA.XML size slot counts the CDA without its XML declaration",
    "mss_cda_no_language": "MSSanté: the attached CDA has no languageCode in its header",
    "mss_send_invisible_to_patient": "MSSanté: sends to the patient's mailbox a document marked INVISIBLE_PATIENT",
    "mss_no_dnt": "MSSanté: no Disposition-Notification-To when an acknowledgement is asked for",
    "mss_skip_trait_check": "MSSanté: integrates a received document on its INS alone, never comparing its traits "
    "with the stored identity (no 904)",
    "mss_mdn_no_final_recipient": "MSSanté: acknowledgements (MDN) without the Final-Recipient field",
    "mss_mdn_unasked": "MSSanté: acknowledges every integrated document, even when no acknowledgement was asked for",
    # MSSanté: the PDF/A-1 copy and its INS datamatrix (issue 13 item 4)
    "mss_no_pdf": "MSSanté: document messages carry the IHE_XDM.ZIP only, without the PDF/A-1 copy of the document",
    "mss_pdf_not_pdfa": "MSSanté: the PDF copy is a plain PDF (no PDF/A-1 identification, standard font not embedded)",
    "mss_pdf_no_identity_block": "MSSanté: the PDF copy prints no identity block (traits, matricule INS, nature)",
    "mss_pdf_datamatrix_mismatch": "MSSanté: the INS datamatrix of the PDF copy carries another matricule than the CDA",
    # MSSanté: the DUI's message rules (issue 13 item 3)
    "mss_from_no_display_name": "MSSanté: document messages' From is the bare address, without the mailbox's label",
    "mss_html_only_body": "MSSanté: the body of document messages is text/html only (no text/plain alternative)",
    "mss_no_auto_mention": "MSSanté: messages of the application mailbox do not say they were generated automatically",
    "mss_reply_to_self": "MSSanté: Reply-To of the application mailbox's messages is the application mailbox itself",
    "mss_reply_no_references": "MSSanté: answers to a received message have no In-Reply-To nor References",
    "mss_no_dsn": "MSSanté: a delivery status notification asked for is not requested (no Return-Receipt-To)",
    "mss_replace_no_mention": "MSSanté: the new version of a sent document has no 'annule et remplace' mention",
    "mss_ignore_refusal": "MSSanté: records the person's refusal of sending but sends their documents anyway",
    "mss_patient_unqualified_address": "MSSanté: writes to <INS>@patient.mssante.fr with an INS that is not "
    "qualified (récupérée)",
    "mss_ann_no_import": "Annuaire Santé: never downloads the public extraction, keeps the stale list it shipped with",
    "mss_ann_search_by_name_only": "Annuaire Santé: finds a correspondent by name only, ignoring the RPPS (homonyms)",
    "mss_drop_unmatched": "MSSanté: a received document it cannot attach to a person is dropped, not kept in a "
    "work list",
    # mss13: correspondents, received updates and deletions, autoconfiguration, TLS offer
    "mss_correspondents_max_5": "MSSanté: a person's record keeps only its first five correspondents",
    "mss_ignore_received_replacement": "MSSanté: a received new version (RPLC) is added beside the old one, which "
    "stays current",
    "mss_ignore_received_deletion": "MSSanté: a received deletion is taken for a new copy of the document",
    "mss_no_update_trace": "MSSanté: received documents replaced or deleted are changed without a trace",
    "mss_autoconfig_ignored": "MSSanté: 'autoconfiguration' keeps its built-in servers, never reads the operator's "
    "document",
    "mss_autoconfig_no_test": "MSSanté: autoconfiguration without the connection test",
    "mss_tls_offer_extra_suite": "MSSanté: its ClientHello also offers ECDHE-ECDSA-CHACHA20-POLY1305 (not in "
    "SC.MSS/CONF.03's list)",
    "dmp_wrong_format_code": "DMP: formatCode of the content model swapped (DLU sent as XDS-SD PDF, PDF as DLU)",
    "dmp_missing_ins_traits": "DMP: the CDA recordTarget lacks the first birth first name (BR) and the birth place",
    "dmp_patient_id_mismatch": "DMP: the XDS patientId is the local IPP, not the INS of the CDA recordTarget",
    "dmp_no_confidentiality": "DMP: the DocumentEntry has no confidentialityCode",
    "dmp_hash_mismatch": "DMP: the hash slot is the SHA-1 of other bytes than the document sent",
    "dmp_n1_extra_template": "DMP: unstructured (N1) documents also carry the DLU model templateId",
    "dmp_lose_document_when_unavailable": "DMP: drops the document when the DMP does not answer (no pending copy)",
    "dmp_integrate_wrong_person": "DMP: integrates a retrieved document for the first person with the same birth "
    "name, ignoring its INS (homonyms)",
    "dmp_skip_td02": "DMP: feeds the DMP without the TD0.2 existence/authorisation check",
    "dmp_no_client_cert": "DMP: calls the DMP over TLS without the organisation's client certificate",
    "dmp_vihf_unsigned": "DMP: the VIHF assertion is sent without its XML-DSIG signature",
    "dmp_vihf_no_role": "DMP: the VIHF has no subject:role attribute (the professional's role)",
    "dmp_vihf_resource_local_id": "DMP: the VIHF resource-id is the local IPP, not the patient's INS",
    "dmp_member_no_status": "DMP: the HasMember association has no SubmissionSetStatus=Original slot",
    "dmp_ss_no_source_id": "DMP: the SubmissionSet has no sourceId",
    "dmp_facility_local_code": "DMP: healthcareFacilityTypeCode is the local label EHPAD, not a JDV code",
    "dmp_service_start_iso": "DMP: serviceStartTime in ISO 8601 (2026-01-02T10:00:00+00:00), not HL7 DTM",
    "dmp_n1_generic_type_code": "DMP: unstructured documents get the generic typeCode 11490-0, not their CDA code",
    "dmp_creation_time_local": "DMP: creationTime is Paris local time written as UTC (1 h off the CDA)",
    "dmp_confidentiality_default_r": "DMP: confidentialityCode is the structure's default R, not the document's",
    "dmp_unique_id_with_version": "DMP: uniqueId is the CDA document id with the version number appended",
    "dmp_dlu_status_not_updated": "DMP: a DLU the DMP accepted stays 'pending' in the DUI (confirmation never read)",
    "dmp_ppa_wrong_code": "DMP: the PPA is written (CDA and metadata) with the LOINC code of a synthesis, 34133-9",
    "dmp_n1_status_not_updated": "DMP: an unstructured (N1) document the DMP accepted stays 'pending' in the DUI",
    "dmp_publish_unqualified": "DMP: feeds the DMP for an identity that is not qualified (checks the INS search only)",
    "dmp_failure_as_published": "DMP: a RegistryResponse Failure (HTTP 200) is reported as published",
    "dmp_replace_without_rplc": "DMP: a replacement is sent as a new document, without the RPLC association",
    "dmp_mask_patient_only": "DMP: when both are asked, only INVISIBLE_PATIENT is sent (MASQUE_PS dropped)",
    "dmp_find_without_status": "DMP: FindDocuments (ITI-18) without $XDSDocumentEntryStatus",
    # DMP, issue 14 (request validation, access control, deletion, opposition, TD0.2/TD0.3)
    "dmp_bare_pdf": "DMP: an unstructured document is sent as the bare PDF (application/pdf), not in its N1 CDA",
    "dmp_consult_without_td02": "DMP: consults the DMP (ITI-18/43) without checking the access right with TD0.2 first",
    "dmp_delete_locally_only": "DMP: a deleted document is only marked deleted in the DUI, the DMP is never told",
    "dmp_ignore_opposition": "DMP: the person's opposition to feeding is recorded but documents are still sent",
    "dmp_td03_before_feeding": "DMP: asks a TD0.3 access authorisation before each feeding (ITI-41)",
    # DMP, issue 14: consent to consultation and the authorisation positioned (reference_dui.dmp.consent)
    "dmp_consult_despite_opposition": "DMP: the person's opposition to consulting her DMP is recorded, yet it is "
    "consulted (TD0.2, TD0.3, ITI-18/43)",
    "dmp_consent_untraced": "DMP: the choice about consultation is kept without its date and author (no trace)",
    "dmp_no_auto_authorisation": "DMP: no TD0.3 when no access authorisation is positioned: the consultation stops "
    "there, as if the user had to set it by hand",
    # DMP, issue 14: automatic feeding of historical documents, the catch-up (reference_dui.dmp.backfill)
    "dmp_histo_feed_deceased": "DMP: the historical catch-up feeds the documents of a person recorded as deceased",
    "dmp_histo_refeed": "DMP: the historical catch-up sends again documents already fed with success",
    # DMP, issue 14 item 1: automatic feeding at validation and automatic resending (reference_dui.dmp.feeding)
    "dmp_no_auto_feed": "DMP: a validated document is not sent by itself: it waits for a manual send (on demand)",
    "dmp_feed_in_foreground": "DMP: the validation request sends the document itself and answers only once the "
    "DMP has (not in the background)",
    "dmp_no_auto_resend": "DMP: a document the DMP did not take (unreachable) stays pending until someone asks "
    "(no automatic resend)",
    "dmp_webps_dashboard_only": "DMP: the person's « Consulter le DMP » button opens the web PS dashboard, not the "
    "person's DMP (TD0.9 mode TABLEAU_DE_BORD, no resource-id)",
    "cda_no_custodian": "CDA: documents sent to the DMP have no custodian",
    "cda_no_birth_place": "CDA: the recordTarget has the INS but no birth place",
    "cda_n1_no_representation": 'CDA: the N1 nonXMLBody carries base64 without representation="B64"',
    "cda_dlu_no_service_event_code": "CDA: the DLU's serviceEvent has no code 34117-2",
    "cda_language_before_confidentiality": "CDA: languageCode written before confidentialityCode (schema order)",
    "cda_dlu_unknown_attachment_code": "CDA: the DLU's attached document is typed DLU_999, outside JDV_ChecklistDLU",
    "cda_dlu_attachment_no_status": "CDA: the DLU's attached-document type observation (FR-Type-document-attache) "
    "has no statusCode",
    # outgoing documents (issue 14 item 2, document part): FLUDT, recipients, visibility at the first submission
    "dmp_no_fludt": "DMP: a DLU-only DUI: it refuses to produce the FLUDT (fiche de liaison d'urgence de transfert)",
    "cda_fludt_no_vital_signs": "CDA: the FLUDT has no signes vitaux section (1.3.6.1.4.1.19376.1.5.3.1.3.25)",
    "cda_first_recipient_only": "CDA: only the first recipient of a document is named as informationRecipient",
    "cda_not_self_presenting": "CDA: the DLU / FLUDT is handed out as the bare CDA, without the ESMS's stylesheet",
    "cda_stylesheet_titles_only": "CDA: the ESMS's stylesheet of the self-presenting DLU / FLUDT shows the sections' "
    "titles, not their narratives (SC.CDA/INT.16)",
    "dmp_histo_dated_at_sending": "DMP: a historical document is dated (serviceEvent, serviceStartTime) when it is "
    "sent, not by the date of its act",
    "dmp_histo_no_legal_author": "DMP: a historical document whose author left the RPPS is sent without the legal "
    "entity among its authors",
    "dmp_visibility_after_submission": "DMP: the masking / visibility chosen at creation is not sent with the first "
    "submission (the first version is visible to all)",
    # DMP calls backed by the professional's Pro Santé Connect session (SC.DMP/PSC.01): reference_dui.dmp.psc_identity
    "dmp_no_psc_token": "DMP: with a professional signed in with PSC, calls the DMP without the PSC access token "
    "(no Authorization: Bearer), the VIHF alone naming him (SC.DMP/PSC.01)",
    "dmp_vihf_not_psc_user": "DMP: with a professional signed in with PSC, sends his PSC access token but a VIHF "
    "whose NameID is the organisation's default author (SC.DMP/PSC.01)",
    # MSSanté client security (issue 13 item 1): one check of the operator's TLS each
    "mss_accept_expired_cert": "MSSanté: accepts an operator certificate whose validity has ended (SC.MSS/va1.04)",
    "mss_ignore_crl": "MSSanté: never checks the operator certificate against the CA's CRL (SC.MSS/va1.05)",
    "mss_no_crl_cache": "MSSanté: keeps no CRL; when the distribution point fails it refuses every operator "
    "(SC.MSS/CONF.22)",
    "mss_accept_weak_tls": "MSSanté: accepts TLS 1.0/1.1, suites outside SC.MSS/CONF.03 and small DH groups "
    "(@SECLEVEL=0)",
    # MSSanté API LPS connection modes (issue 13 item 2): reference_dui.mssante.lps, tls_policy
    "mss_lps_user_professional": "MSSanté API LPS: XOAUTH2 names the professional's idNat in user=, not the mailbox "
    "address (SC.MSS/CONF.07)",
    "mss_lps_no_sasl_ir": "MSSanté API LPS: IMAP AUTHENTICATE XOAUTH2 waits for the continuation instead of sending "
    "the initial response (SASL-IR, SC.MSS/CONF.09)",
    "mss_lps_session_after_logout": "MSSanté API LPS: after the PSC logout it keeps the access token and still opens "
    "SMTP/IMAP sessions with it (SC.MSS/CONF.10)",
    "mss_lps_no_reconnect": "MSSanté API LPS: a session the operator ends (421) is reported failed, not reopened "
    "(SC.MSS/CONF.11)",
    "mss_lps_no_token_renewal": "MSSanté API LPS: sends the expired access token and never renews it (no refresh, "
    "no new PSC authentication; SC.MSS/CONF.11)",
    "mss_lps_token_on_disk": "MSSanté API LPS: writes the PSC access token to a file of the workstation "
    "(SC.MSS/CONF.28)",
    "mss_replace_no_parent": "MSSanté: the new version of a sent document is a CDA that does not name the one it "
    "replaces (no relatedDocument RPLC, a new setId)",
    "mss_no_read_receipt": "MSSanté: a received message asking for a read receipt is opened by the user, and no "
    "MDN 'displayed' is returned (SC.MSS/UX.34)",
    "mss_tls13_only": "MSSanté: connects with TLS 1.3 only, so an operator offering TLS 1.2 (the minimum "
    "SC.MSS/CONF.01 names) is unreachable",
    "mss_implicit_tls": "MSSanté: submits over SMTPS and reads over IMAPS (implicit TLS) instead of SMTP and IMAP "
    "with STARTTLS (SC.MSS/CONF.05/06)",
    "mss_drop_stylesheet": "MSSanté: keeps a received CDA but not the producer's stylesheet shipped with it "
    "(SC.CDA/INT.15)",
    "mss_error_breaks_dui": "MSSanté API LPS: a technical error at SMTP authentication leaves the DUI out of order "
    "(registering, INS search and identity answer 500 until a message goes again; SC.MSS/CONF.08)",
    "mss_app_password_only": "MSSanté: the application mailbox logs in with its password, without the "
    "organisation's authentication certificate (SC.MSS/CONF.12)",
    # HL7 v2 identity feeds (IHE PAM France): what the DUI emits, how it acknowledges and integrates feeds
    "hl7_lf_segments": "HL7 v2: emits its ADT messages with segments ended by LF instead of CR",
    "hl7_msh_version_23": "HL7 v2: emits ADT messages declaring version 2.3 in MSH-12 (not 2.5^FRA^2.x)",
    "hl7_no_evn": "HL7 v2: emits ADT messages without the EVN segment",
    "hl7_ins_type_nh": "HL7 v2: writes the INS in PID-3 with identifier type NH instead of INS",
    "hl7_ins_key_off_by_one": "HL7 v2: writes the INS in PID-3 with its key recomputed off by one",
    "hl7_ins_unqualified": "HL7 v2: writes the INS in PID-3 whatever the identity status (RECUP too)",
    "hl7_pid32_history": "HL7 v2: writes the status history in PID-32 (RECUP~QUAL) instead of the one status",
    "hl7_no_birth_place": "HL7 v2: writes no birth place (PID-11 of type BDL) in the PID",
    "hl7_ack_own_control_id": "HL7 v2: its ACKs echo their own control id in MSA-2, not the message's MSH-10",
    "hl7_ack_always_aa": "HL7 v2: acknowledges every message AA, even those it cannot read or integrate",
    "hl7_merge_homonyms": "HL7 v2: takes a fed identity with the same birth name, first name and sex for the "
    "known person (homonyms merged)",
    "hl7_overwrite_traits": "HL7 v2: a known INS fed with other strict traits overwrites the stored traits",
    "hl7_keep_qualified": "HL7 v2: keeps the qualifiee status (and INS) a feed carries, without its own procedure",
    # SI-SdO (CNSA orientation decisions, flux 1 to 5): reference_dui.sdo
    "sdo_search_all_fields": "SdO flux 1.1: searches the decisions without _elements=id (whole resources asked)",
    "sdo_cda_not_kept": "SdO flux 1.3: keeps the decision's identifiers but drops its CDA document",
    "sdo_consent_literal_reference": "SdO flux 2: the Consent points at DocumentReference/<id> instead of the "
    "decision's idNat_Decision (identifier use official)",
    "sdo_evaluation_by_id_decision": "SdO flux 3.1: searches the evaluation by idDecision (the MDPH's id) instead "
    "of idNat_Decision",
    "sdo_task_in_progress": "SdO flux 4: sends its status Task with status in-progress (fixed completed)",
    "sdo_notifications_everything": "SdO flux 5.1: searches the notifications without _lastUpdated",
    # the signed submission set of the DMPi alimentation (IHE DSG): reference_dui.dmp.signing
    "dmp_unsigned_submission": "DMP: the ITI-41 carries no signature document (the submission set is not signed)",
    "dmp_signature_wrong_digest": "DMP: the signed Manifest's digest of each document is taken over other bytes",
    "dmp_signature_untrusted": "DMP: the submission set is signed with a self-signed key outside the IGC Santé",
}


def check_defects(names: Iterable[str]) -> frozenset[str]:
    """Return ``names`` as a frozenset; ``ValueError`` listing the known ones if one is unknown."""
    chosen = frozenset(names)
    unknown = sorted(chosen - DEFECTS.keys())
    if unknown:
        raise ValueError(f"unknown defect switch(es): {', '.join(unknown)}; known: {', '.join(sorted(DEFECTS))}")
    return chosen
