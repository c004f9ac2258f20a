"""Specific sensitivity: the clean reference DUI passes, each defect switch fails exactly its requirements.

Each run is a real ``dui-harness run`` (simulators, reference DUI, pytest, coverage matrix) with
the same arguments an editor types, forked from one warm interpreter by
``tests/suites/sensitivity_runner.py`` (the imports are shared, nothing else). The clean run
uses the full default profile (with the official CDA pack when it is beside the repository):
it is the baseline, every requirement passes; the CDA profile runs clean without the pack too.

Each defect run uses the profile of its service, restricted (``-k``) to its *scope*: the test
modules judging the requirements the switch breaks and those they block
(``tests/suites/sensitivity_scope.py``). For every switch the failed requirements (verdict fail
or error) must be EXACTLY the ones it is meant to break, over every requirement judged in that
scope (whole modules: all the other requirements they judge must pass, be blocked with a named
root cause, or not be judged); every planned test of the scope must have run, none outside it.
Requirements outside the scope are not judged by that run. ``DUI_SENSITIVITY_SCOPE=profile``
runs each switch against its whole service profile instead (the former proof: exactly over the
whole service profile; about twice the CPU time). The score printed at the end: testable MUST
requirements of the default profile with a proven switch / all of them (``tests/suites/conftest.py``),
with the set-up's run count, wall and CPU seconds.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from harness.core.requirements import load_profile
from harness.paths import profiles_dir
from reference_dui import DEFECTS
from tests.suites.sensitivity_scope import NOTHING, Plan, ran_tests, scope_modules, scope_tests
from tests.support import reference_present

#: defect switch -> (profile that exercises it, the requirements it breaks, every one of them).
#: Every defect switch of the reference DUI has one entry (a test checks it).
EXPECTED: dict[str, tuple[str, frozenset[str]]] = {
    name: (profile, frozenset(reqs))
    for name, (profile, reqs) in {
        # INS: what the DUI sends to INSi, what it stores, what it exchanges
        "wrong_ins_key": ("ins", {"INS-KEY-01"}),
        "no_ctxlps": ("ins", {"INS-INSI-02"}),
        "bad_lps_nom": ("ins", {"INS-INSI-02"}),
        "no_ctxbam": ("ins", {"INS-INSI-03"}),
        # a document alone gives QUAL, also after an INSi failure: both rules are broken
        "qualify_without_insi": ("ins", {"EXI SI 07", "INS-RES-04"}),
        "first_name_only": ("ins", {"INS-INSI-06"}),
        "share_unqualified_ins": ("ins", {"EXI SI 08"}),
        "store_histo_ins": ("ins", {"INS-HIST-01"}),
        "nia_as_nir": ("ins", {"INS-RES-05"}),
        "lose_person_on_insi_error": ("ins", {"INS-RES-04"}),
        "keep_typed_traits": ("ins", {"INS-RES-02"}),
        "bad_date_format": ("ins", {"INS-INSI-05"}),
        "wrong_cert_cn": ("ins", {"INS-INSI-04"}),
        "insi_soap11_content_type": ("ins", {"INS-INSI-01"}),
        "ins_test_oid": ("ins", {"INS-RES-01"}),
        "insi_stale_answer": ("ins", {"INS-RES-03"}),
        "share_ins_c_oid": ("ins", {"INS-OID-01"}),
        # INS identity lifecycle: rules 11 to 55 of the INS implementation guide, each on its own requirement
        "insi_lunar_date_stored": ("ins", {"INS-REG-11"}),
        "insi_blank_tiq_stored": ("ins", {"INS-REG-12"}),
        "qualify_doubtful": ("ins", {"INS-REG-25"}),
        "strict_traits_editable": ("ins", {"INS-REG-26"}),
        "complementary_traits_locked": ("ins", {"INS-REG-26"}),
        "keep_ins_after_strict_change": ("ins", {"INS-REG-27"}),
        "trust_received_qualified": ("ins", {"INS-REG-30"}),
        "no_received_ins_verification": ("ins", {"INS-VERIF-01"}),
        "keep_ins_after_failed_verification": ("ins", {"INS-VERIF-02"}),
        "integrate_after_failed_verification": ("ins", {"INS-VERIF-03"}),
        "untraced_verification": ("ins", {"INS-VERIF-04"}),
        "document_nature_not_recorded": ("ins", {"INS-REG-19"}),
        "anteriority_exact_text": ("ins", {"INS-REG-17"}),
        "cpx_anonymous_assertion": ("ins", {"INS-INSI-07"}),
        "skip_first_name_consistency": ("ins", {"INS-REG-06"}),
        # INS guide rules 5 and 16, PSC-backed INSi calls (ins12)
        "creation_without_birth_place": ("ins", {"INS-REG-05"}),
        "creation_requires_used_name": ("ins", {"INS-REG-05B"}),
        "identity_changes_untraced": ("ins", {"INS-REG-16"}),
        "insi_psc_token_missing": ("ins", {"INS-PSC-01"}),
        # Pro Santé Connect
        "psc_no_acr_eidas1": ("psc", {"PSC-AUTHZ-02"}),
        "psc_no_state_check": ("psc", {"PSC-AUTHZ-03"}),
        "psc_no_nonce_check": ("psc", {"PSC-AUTHZ-04"}),
        "psc_accept_bad_signature": ("psc", {"PSC-IDT-01"}),
        "psc_accept_wrong_issuer": ("psc", {"PSC-IDT-02"}),
        "psc_accept_wrong_audience": ("psc", {"PSC-IDT-03"}),
        "psc_accept_expired": ("psc", {"PSC-IDT-04"}),
        "psc_no_userinfo_sub_check": ("psc", {"PSC-USER-01"}),
        "psc_scope_without_openid": ("psc", {"PSC-AUTHZ-01"}),
        "psc_token_no_client_auth": ("psc", {"PSC-TOKEN-01"}),
        # Pro Santé Connect completed (psc16, issue 16 item 5)
        "psc_refresh_reuse": ("psc", {"PSC-REFRESH-01"}),
        "psc_no_end_session": ("psc", {"PSC-LOGOUT-01"}),
        "psc_ciba_poll_too_fast": ("psc", {"PSC-CIBA-01"}),
        "psc_native_no_pkce": ("psc", {"PSC-NATIVE-01"}),
        "psc_no_account_linking": ("psc", {"PSC-LINK-01"}),
        # e-parcours (TDDUI)
        "tddui_batch_bundle": ("eparcours", {"EPARCOURS-FLUX-01"}),
        "tddui_ins_wrong_system": ("eparcours", {"EPARCOURS-PAT-01"}),
        "tddui_no_master_identifier": ("eparcours", {"EPARCOURS-DOC-01"}),
        "tddui_attachment_url": ("eparcours", {"EPARCOURS-DOC-02"}),
        "tddui_refusal_as_accepted": ("eparcours", {"EPARCOURS-RESP-01"}),
        "tddui_qr_identifier_list": ("eparcours", {"EPARCOURS-FHIR-01"}),
        "tddui_no_birth_place": ("eparcours", {"EPARCOURS-PAT-02"}),
        "tddui_no_identity_status": ("eparcours", {"EPARCOURS-PAT-03"}),
        "tddui_no_care_plan": ("eparcours", {"EPARCOURS-CONT-01"}),
        "tddui_doc_category_label": ("eparcours", {"EPARCOURS-DOC-03"}),
        "tddui_export_no_set_id": ("eparcours", {"EPARCOURS-DOC-04"}),
        # issue 16 (fhir16)
        "tddui_event_no_end": ("eparcours", {"EPARCOURS-CONT-01"}),
        # e-prescription
        "epresc_wrong_person": ("epresc", {"EPRESC-INT-02"}),
        "epresc_lose_on_unavailable": ("epresc", {"EPRESC-RES-01"}),
        "epresc_accept_xml": ("epresc", {"EPRESC-RET-01"}),
        "epresc_first_line_only": ("epresc", {"EPRESC-INT-01"}),
        "epresc_unknown_as_error": ("epresc", {"EPRESC-INT-03"}),
        "epresc_adm_no_request": ("epresc", {"EPRESC-ADM-01"}),
        # MSSanté
        "mss_no_nil": ("mss", {"SC.MSS/CONF.16"}),
        # no check of the operator's certificate at all: its CA, its expiry and its revocation (SC.MSS/CONF.22,
        # which would fail too, is blocked by SC.MSS/va1.05: profiles/catalog/dependencies.csv)
        "mss_trust_any_ca": ("mss", {"ECO.1.1.10", "SC.MSS/va1.04", "SC.MSS/va1.05"}),
        "mss_subject_iso_birth_date": ("mss", {"MSS-SUBJ-01"}),
        "mss_wrong_codecda": ("mss", {"SC.MSS/CONF.15"}),
        "mss_ins_without_qualified": ("mss", {"SC.MSS/CONF.14"}),
        "mss_no_mes_to_patient": ("mss", {"SC.MSS/CONF.21"}),
        "mss_xdm_no_metadata": ("mss", {"MSS-XDM-01"}),
        # homonyms matched on name and birth date: the wrong record gets it, and an unknown INS is not refused
        "mss_integrate_wrong_person": ("mss", {"MSS-RCV-01", "MSS-RCV-02"}),
        "mss_no_error_mdn": ("mss", {"MSS-MDN-02"}),
        "mss_smtp_stale_password": ("mss", {"MSS-AUTH-01", "SC.MSS/CONF.12"}),  # by password: no certificate
        "mss_from_noreply": ("mss", {"MSS-FROM-01"}),
        "mss_no_date": ("mss", {"MSS-MIME-01"}),
        "mss_xdm_size_of_body": ("mss", {"MSS-XDM-02"}),
        "mss_cda_no_language": ("mss", {"MSS-XDM-03"}),
        "mss_send_invisible_to_patient": ("mss", {"MSS-PAT-01"}),
        "mss_no_dnt": ("mss", {"MSS-ACK-01"}),
        "mss_skip_trait_check": ("mss", {"MSS-RCV-02"}),
        "mss_mdn_no_final_recipient": ("mss", {"MSS-MDN-01"}),
        "mss_mdn_unasked": ("mss", {"MSS-MDN-03"}),
        # MSSanté client security (msec13, issue 13 item 1)
        "mss_accept_expired_cert": ("mss", {"SC.MSS/va1.04"}),
        "mss_ignore_crl": ("mss", {"SC.MSS/va1.05"}),
        "mss_no_crl_cache": ("mss", {"SC.MSS/CONF.22"}),
        "mss_accept_weak_tls": ("mss", {"SC.MSS/CONF.03"}),
        # MSSanté PDF/A-1 copy and INS datamatrix (issue 13 item 4); without a PDF the others are blocked
        "mss_no_pdf": ("mss", {"MSS-PDF-01"}),
        "mss_pdf_not_pdfa": ("mss", {"MSS-PDF-02"}),
        "mss_pdf_no_identity_block": ("mss", {"MSS-PDF-03"}),
        "mss_pdf_datamatrix_mismatch": ("mss", {"MSS-PDF-04"}),
        # MSSanté: the DUI's message rules (issue 13 item 3)
        "mss_from_no_display_name": ("mss", {"MSS-NAME-01"}),
        "mss_html_only_body": ("mss", {"MSS-BODY-01"}),
        "mss_no_auto_mention": ("mss", {"MSS-APP-01"}),
        "mss_reply_to_self": ("mss", {"MSS-APP-01"}),
        "mss_reply_no_references": ("mss", {"MSS-REPLY-01"}),
        "mss_no_dsn": ("mss", {"MSS-DSN-01"}),
        "mss_replace_no_mention": ("mss", {"MSS-REPL-01"}),
        "mss_replace_no_parent": ("mss", {"MSS-REPL-01"}),
        "mss_ignore_refusal": ("mss", {"MSS-REFUS-01"}),
        "mss_patient_unqualified_address": ("mss", {"MSS-PATADDR-01"}),
        "mss_ann_no_import": ("mss", {"MSS-ANN-01"}),  # MSS-ANN-02 is then blocked
        "mss_ann_search_by_name_only": ("mss", {"MSS-ANN-02"}),
        "mss_drop_unmatched": ("mss", {"MSS-WL-01"}),
        # MSSanté API LPS connection modes (xoauth13, issue 13 item 2); SC.MSS/CONF.11 is blocked by CONF.07
        "mss_lps_user_professional": ("mss", {"SC.MSS/CONF.07"}),
        "mss_lps_no_sasl_ir": ("mss", {"SC.MSS/CONF.09"}),
        "mss_lps_session_after_logout": ("mss", {"SC.MSS/CONF.10"}),
        "mss_lps_no_reconnect": ("mss", {"SC.MSS/CONF.11"}),
        "mss_lps_no_token_renewal": ("mss", {"SC.MSS/CONF.11"}),
        "mss_lps_token_on_disk": ("mss", {"SC.MSS/CONF.28"}),
        "insi_vitale_ignored": ("ins", {"INS-INSI-08"}),
        "mss_error_breaks_dui": ("mss", {"SC.MSS/CONF.08"}),
        "mss_drop_stylesheet": ("mss", {"MSS-RCV-03"}),
        "mss_implicit_tls": ("mss", {"MSS-STARTTLS-01"}),
        "mss_tls13_only": ("mss", {"MSS-TLS12-01"}),
        "mss_no_read_receipt": ("mss", {"MSS-MDN-04"}),
        "mss_app_password_only": ("mss", {"SC.MSS/CONF.12"}),
        # mss13: correspondents, received updates and deletions, autoconfiguration, TLS offer
        "mss_correspondents_max_5": ("mss", {"MSS-CORR-01"}),
        "mss_ignore_received_replacement": ("mss", {"MSS-RUPD-01"}),  # its trace is then blocked
        "mss_ignore_received_deletion": ("mss", {"MSS-RDEL-01"}),  # its trace is then blocked
        "mss_no_update_trace": ("mss", {"MSS-RTRACE-01"}),
        "mss_autoconfig_ignored": ("mss", {"MSS-AUTOCONF-01"}),  # MSS-AUTOCONF-02 is then blocked
        "mss_autoconfig_no_test": ("mss", {"MSS-AUTOCONF-02"}),
        "mss_tls_offer_extra_suite": ("mss", {"SC.MSS/CONF.03"}),
        # DMP
        "dmp_wrong_format_code": ("dmp", {"DMP-CON-03"}),
        "dmp_missing_ins_traits": ("dmp", {"DMP-DOC-01"}),
        "dmp_patient_id_mismatch": ("dmp", {"DMP-CON-01"}),
        "dmp_no_confidentiality": ("dmp", {"DMP-XDS-02"}),
        "dmp_hash_mismatch": ("dmp", {"DMP-CON-07"}),
        # an N1 document with the DLU templateId also breaks the CI-SIS rules the DMP checks (DMP-DOC-01)
        "dmp_n1_extra_template": ("dmp", {"DMP-DOC-02", "DMP-DOC-01"}),
        "dmp_lose_document_when_unavailable": ("dmp", {"DMP-AVAIL-01", "DMP-AUTO-03"}),
        "dmp_integrate_wrong_person": ("dmp", {"DMP-GET-01"}),
        "dmp_skip_td02": ("dmp", {"DMP-TD02-01"}),
        "dmp_no_client_cert": ("dmp", {"DMP-SEC-01"}),
        "dmp_vihf_unsigned": ("dmp", {"DMP-VIHF-01"}),
        "dmp_vihf_no_role": ("dmp", {"DMP-VIHF-02"}),
        "dmp_vihf_resource_local_id": ("dmp", {"DMP-VIHF-03"}),
        "dmp_member_no_status": ("dmp", {"DMP-XDS-01"}),
        "dmp_ss_no_source_id": ("dmp", {"DMP-XDS-03"}),
        "dmp_facility_local_code": ("dmp", {"DMP-XDS-04"}),
        "dmp_service_start_iso": ("dmp", {"DMP-XDS-05"}),
        "dmp_n1_generic_type_code": ("dmp", {"DMP-CON-02"}),
        "dmp_creation_time_local": ("dmp", {"DMP-CON-04"}),
        "dmp_confidentiality_default_r": ("dmp", {"DMP-CON-05"}),
        "dmp_unique_id_with_version": ("dmp", {"DMP-CON-06"}),
        "dmp_dlu_status_not_updated": ("dmp", {"DMP-PUB-01"}),
        "dmp_ppa_wrong_code": ("dmp", {"DMP-PUB-02"}),
        "dmp_n1_status_not_updated": ("dmp", {"DMP-PUB-03"}),
        "dmp_publish_unqualified": ("dmp", {"DMP-PUB-04"}),
        "dmp_failure_as_published": ("dmp", {"DMP-ERR-01"}),
        "dmp_replace_without_rplc": ("dmp", {"DMP-UPD-01"}),
        "dmp_mask_patient_only": ("dmp", {"DMP-UPD-02"}),
        "dmp_find_without_status": ("dmp", {"DMP-GET-02"}),
        # DMP, issue 14 (dmp14): request validation, access control, deletion, opposition, TD0.2/TD0.3
        "dmp_bare_pdf": ("dmp", {"DMP-DOC-03"}),
        "dmp_consult_without_td02": ("dmp", {"DMP-TD02-02"}),
        "dmp_delete_locally_only": ("dmp", {"DMP-DEL-01"}),
        "dmp_ignore_opposition": ("dmp", {"DMP-OPP-01"}),
        "dmp_td03_before_feeding": ("dmp", {"DMP-TD03-01"}),
        # DMP consent to consultation and the authorisation positioned (reference_dui.dmp.consent)
        "dmp_consult_despite_opposition": ("dmp", {"DMP-CONS-01"}),
        "dmp_consent_untraced": ("dmp", {"DMP-CONS-01"}),
        "dmp_no_auto_authorisation": ("dmp", {"DMP-CONS-02"}),
        # DMP automatic feeding of historical documents, the catch-up (reference_dui.dmp.backfill)
        "dmp_histo_feed_deceased": ("dmp", {"DMP-HISTO-03"}),
        "dmp_histo_refeed": ("dmp", {"DMP-HISTO-03"}),
        # DMP automatic feeding observed, not triggered (issue 14 item 1, reference_dui.dmp.feeding)
        "dmp_no_auto_feed": ("dmp", {"DMP-AUTO-01"}),
        "dmp_feed_in_foreground": ("dmp", {"DMP-AUTO-02"}),
        "dmp_no_auto_resend": ("dmp", {"DMP-AUTO-04"}),
        "dmp_webps_dashboard_only": ("dmp", {"DMP-WEB-01"}),
        # DMP calls backed by the professional's PSC session (issue 14, SC.DMP/PSC.01): reference_dui.dmp.psc_identity
        "dmp_no_psc_token": ("dmp", {"DMP-PSC-01"}),
        "dmp_vihf_not_psc_user": ("dmp", {"DMP-PSC-01"}),
        # CDA content of the documents the DUI produces (judged on those it sends to the DMP)
        "cda_no_custodian": ("cda", {"CDA-HDR-01"}),
        "cda_no_birth_place": ("cda", {"CDA-INS-01"}),
        "cda_n1_no_representation": ("cda", {"CDA-N1-01"}),
        "cda_dlu_no_service_event_code": ("cda", {"CDA-DLU-01"}),
        "cda_language_before_confidentiality": ("cda", {"CDA-XSD-01"}),
        "cda_dlu_unknown_attachment_code": ("cda", {"CDA-SCH-01"}),
        "cda_dlu_attachment_no_status": ("cda", {"CDA-SCH-02"}),
        # outgoing documents (issue 14 item 2): FLUDT, recipients, visibility at the first submission
        "dmp_no_fludt": ("cda", {"CDA-FLUDT-01"}),
        "cda_fludt_no_vital_signs": ("cda", {"CDA-FLUDT-01"}),
        "cda_first_recipient_only": ("cda", {"CDA-RCP-01"}),
        "dmp_visibility_after_submission": ("dmp", {"DMP-VIS-01"}),
        "cda_not_self_presenting": ("cda", {"CDA-PRES-01"}),
        "cda_stylesheet_titles_only": ("cda", {"CDA-PRES-02"}),
        "dmp_histo_dated_at_sending": ("dmp", {"DMP-HISTO-01"}),
        "dmp_histo_no_legal_author": ("dmp", {"DMP-HISTO-02"}),
        # HL7 v2 identity feeds (IHE PAM France): what the DUI emits, acknowledges and integrates
        "hl7_lf_segments": ("hl7v2", {"HL7-MSG-01"}),
        "hl7_msh_version_23": ("hl7v2", {"HL7-MSG-02"}),
        "hl7_no_evn": ("hl7v2", {"HL7-MSG-03"}),
        "hl7_ins_type_nh": ("hl7v2", {"HL7-INS-01"}),
        "hl7_ins_key_off_by_one": ("hl7v2", {"HL7-INS-02"}),
        "hl7_ins_unqualified": ("hl7v2", {"HL7-INS-03"}),
        "hl7_pid32_history": ("hl7v2", {"HL7-INS-04"}),
        "hl7_no_birth_place": ("hl7v2", {"HL7-INS-05"}),
        "hl7_ack_own_control_id": ("hl7v2", {"HL7-ACK-01"}),
        "hl7_ack_always_aa": ("hl7v2", {"HL7-ACK-02"}),
        "hl7_merge_homonyms": ("hl7v2", {"HL7-FEED-01"}),
        "hl7_overwrite_traits": ("hl7v2", {"HL7-FEED-02"}),
        "hl7_keep_qualified": ("hl7v2", {"HL7-FEED-03"}),
        # SI-SdO orientation decisions (flux 1 to 5); a refused accord blocks the evaluation (SDO-EVA-01)
        "sdo_search_all_fields": ("sdo-esms", {"SDO-DEC-01"}),
        "sdo_cda_not_kept": ("sdo-esms", {"SDO-DEC-02"}),
        "sdo_consent_literal_reference": ("sdo-esms", {"SDO-ACC-01"}),
        "sdo_evaluation_by_id_decision": ("sdo-esms", {"SDO-EVA-01"}),
        "sdo_task_in_progress": ("sdo-esms", {"SDO-STA-01"}),
        "sdo_notifications_everything": ("sdo-esms", {"SDO-NOT-01"}),
        # the signed submission set of the DMPi alimentation (IHE DSG XAdES); the DMP refuses the submission
        "dmp_unsigned_submission": ("dmp", {"DMP-SIGN-01"}),
        "dmp_signature_wrong_digest": ("dmp", {"DMP-SIGN-01"}),
        "dmp_signature_untrusted": ("dmp", {"DMP-SIGN-01"}),
    }.items()
}

#: the official CI-SIS artefact pack beside the repository (shared/reference), when present
CDA_PACK = Path(__file__).resolve().parents[2].parent / "shared" / "reference" / "cda-testcontenucda"
#: requirements that need the official pack: *skip* (input not provided) without it
PACK_ONLY = frozenset({"CDA-XSD-01", "CDA-SCH-01", "CDA-SCH-02"})
#: testable MUST requirements of the default profile without a switch, with the reason (data)
EXEMPTIONS_FILE = Path(__file__).with_name("sensitivity_exemptions.csv")
#: defects that need the official pack to be caught (their requirement is judged only with it)
NEEDS_PACK = {name for name, (_, reqs) in EXPECTED.items() if reqs & PACK_ONLY}
FAILED = {"fail", "error"}
WORKERS = int(os.environ.get("DUI_SENSITIVITY_WORKERS", "3"))
#: "scope" (default): each defect run judges its scope only; "profile": its whole service profile
WHOLE_PROFILE = os.environ.get("DUI_SENSITIVITY_SCOPE", "scope") == "profile"

SCORE: dict[str, Any] = {"proven": set(), "missed": [], "clean": None, "testable": set(), "exempt": {}, "setup": {}}
#: defect name -> the planned tests its scoped run must run (absent with DUI_SENSITIVITY_SCOPE=profile)
SCOPES: dict[str, set[str]] = {}


def exemptions() -> dict[str, str]:
    """Requirement id -> why no defect switch can prove the check (kept short, each justified)."""
    with EXEMPTIONS_FILE.open(encoding="utf-8", newline="") as handle:
        return {row["requirement"]: row["reason"] for row in csv.DictReader(handle)}


def must_be_tested() -> set[str]:
    """The MUST requirements of the default profile verified by a test (not attested, not demonstrated)."""
    profile = load_profile(profiles_dir(), "segur-dui-esms")
    return {
        r.id
        for r in profile.requirements
        if r.level == "MUST" and r.verification not in ("attestation", "demonstration")
    }


def _job(
    base: Path, name: str, profile: str, defects: tuple[str, ...], pack: bool, keyword: str = ""
) -> dict[str, Any]:
    reports = base / name
    reports.mkdir(parents=True, exist_ok=True)
    argv = [
        "run",
        "--profile",
        profile,
        "--reports",
        str(reports),
        "--pki",
        str(base / "pki"),
        "--no-report",
        "--no-bundle",
        "-q",
    ]
    job: dict[str, Any] = {"name": name, "argv": argv, "log": str(reports / "run.log")}
    if pack:
        argv += ["--cda-pack", str(CDA_PACK)]
        job["chain"] = "cda-pack"  # one process: Saxon compiles the pack's XSLT once for all these runs
    for defect in defects:
        argv += ["--defect", defect]
    if keyword:
        argv += ["-k", keyword]
    return job


MATRIX = "coverage-matrix.json"


def _matrix(reports: Path) -> dict[str, Any]:
    path = reports / MATRIX
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def _plan_job(base: Path, profile: str) -> dict[str, Any]:
    """A run of ``profile`` with every test deselected: its matrix lists the planned tests per requirement."""
    return _job(base, f"plan-{profile}", profile, (), False, NOTHING)


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[int, dict[str, Any], str]]:
    """The clean runs and one run per defect switch (on its scope), forked from one warm interpreter."""
    started, cpu = time.monotonic(), os.times()
    base = tmp_path_factory.mktemp("sensitivity")
    pack = reference_present(CDA_PACK)
    profiles = [] if WHOLE_PROFILE else sorted({profile for profile, _ in EXPECTED.values()})
    plans = [_plan_job(base, profile) for profile in profiles]
    jobs = [_job(base, "clean", "segur-dui-esms", (), pack), _job(base, "clean-no-pack", "cda", (), False)]
    for name, (profile, expected) in EXPECTED.items():
        if pack or name not in NEEDS_PACK:
            jobs.append(_job(base, name, profile, (name,), pack and name in NEEDS_PACK))
            if not WHOLE_PROFILE:  # the runner adds the -k of the scope once the plans have run
                jobs[-1]["scope"] = {"plan": str(base / f"plan-{profile}" / MATRIX), "expected": sorted(expected)}
    request = {"workers": WORKERS, "pki": str(base / "pki"), "pycache": str(base / "pycache"), "jobs": jobs}
    request["plans"] = plans
    runner = Path(__file__).with_name("sensitivity_runner.py")
    proc = subprocess.run(
        [sys.executable, str(runner)],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    done = {line["name"]: line for line in map(json.loads, proc.stdout.splitlines())}
    for profile in profiles:  # the same scope as the runner's, from the same plan
        plan = Plan(_matrix(base / f"plan-{profile}"))
        for name, (switch_profile, expected) in EXPECTED.items():
            if switch_profile == profile:
                SCOPES[name] = scope_tests(plan, scope_modules(plan, expected))
    results = {}
    for job in jobs:
        reports = base / job["name"]
        log = Path(job["log"]).read_text(encoding="utf-8", errors="replace") if Path(job["log"]).exists() else ""
        code = int(done.get(job["name"], {}).get("code", -1))
        results[job["name"]] = (code, _matrix(reports), log[-6000:] + proc.stderr[-2000:])
    used = os.times()
    SCORE["setup"] = {
        "runs": len(jobs) + len(plans),
        "wall": time.monotonic() - started,
        "cpu": used.children_user + used.children_system - cpu.children_user - cpu.children_system,
        "scoped": not WHOLE_PROFILE,
    }
    return results


def _verdicts(matrix: dict[str, Any]) -> dict[str, str]:
    return {r["id"]: r["verdict"] for r in matrix.get("requirements", [])}


def test_every_defect_switch_has_its_expected_requirements() -> None:
    # given the reference DUI's defect switches, then each is mapped to the requirements it breaks
    assert set(EXPECTED) == set(DEFECTS)
    assert all(reqs for _, reqs in EXPECTED.values())


def test_every_testable_must_requirement_has_a_switch_or_a_reason() -> None:
    # given the default profile, then each testable MUST requirement is broken by some switch or exempted
    testable, exempt = must_be_tested(), exemptions()
    SCORE["testable"], SCORE["exempt"] = testable, exempt
    switched = set().union(*(reqs for _, reqs in EXPECTED.values()))
    assert not set(exempt) & switched, "an exempted requirement has a switch: drop its exemption"
    assert all(reason.strip() for reason in exempt.values())
    assert sorted(testable - switched - set(exempt)) == []


def test_expected_requirements_are_in_their_profile() -> None:
    # given each switch's profile, then the requirements it breaks are judged by that profile
    for name, (profile_name, reqs) in EXPECTED.items():
        profile = load_profile(profiles_dir(), profile_name)
        assert reqs <= profile.ids(), f"{name}: {sorted(reqs - profile.ids())} not in profile {profile_name}"


def test_clean_reference_dui_passes_every_requirement(runs: dict[str, tuple[int, dict[str, Any], str]]) -> None:
    code, matrix, output = runs["clean"]
    verdicts = _verdicts(matrix)
    # with the official pack every requirement is judged (CONFORME, exit 0); without it (a clone without
    # ../shared/reference) the pack-only requirements are not judged: PARTIEL, exit 2, and nothing else
    pack = reference_present(CDA_PACK)
    SCORE["clean"] = code == (0 if pack else 2)
    assert SCORE["clean"], output
    assert matrix["uncovered_must"] == []
    if pack:
        assert {v for v in verdicts.values()} <= {"pass", "attestation"}, verdicts
    else:
        assert set(matrix["overall"]["not_judged"]) == PACK_ONLY, matrix["overall"]
        assert {v for r, v in verdicts.items() if r not in PACK_ONLY} <= {"pass", "attestation"}, verdicts


def test_clean_cda_without_the_pack_skips_the_pack_checks(runs: dict[str, tuple[int, dict[str, Any], str]]) -> None:
    # given no official pack, then the pack-based CDA checks are skipped (input not provided), never passed
    code, matrix, output = runs["clean-no-pack"]
    default = load_profile(profiles_dir(), "segur-dui-esms").ids()  # the CDA profile also lists models not judged
    verdicts = {r: v for r, v in _verdicts(matrix).items() if r in default}
    assert code == 2, output  # PARTIEL: the pack-only MUST requirements could not be judged
    assert matrix["overall"]["verdict"] == "partiel", matrix["overall"]
    assert {v for r, v in verdicts.items() if r not in PACK_ONLY} <= {"pass", "attestation"}, verdicts
    assert {verdicts[r] for r in PACK_ONLY} == {"skip"}, verdicts


@pytest.mark.parametrize("defect", sorted(EXPECTED))
def test_defect_fails_exactly_its_requirements(defect: str, runs: dict[str, tuple[int, dict[str, Any], str]]) -> None:
    if defect not in runs:
        pytest.skip(f"{defect} is judged only with the official CDA pack ({CDA_PACK} is absent)")
    code, matrix, output = runs[defect]
    verdicts = _verdicts(matrix)
    expected = EXPECTED[defect][1]
    failed = {r for r, v in verdicts.items() if v in FAILED}
    scope = SCOPES.get(defect)
    assert scope is None or scope, f"{defect}: no planned test of its profile judges {sorted(EXPECTED[defect][1])}"
    ran = ran_tests(matrix)
    # a switch breaking only SHOULD requirements is a recommendation not followed: no exit 1 (README, verdicts)
    must = any(r["level"] == "MUST" for r in matrix.get("requirements", []) if r["id"] in expected)
    code_ok = code == 1 if must else code in (0, 2) and set(matrix["overall"]["not_followed"]) == expected
    exact = code_ok and failed == expected and (scope is None or ran == scope)
    if exact:
        SCORE["proven"] |= expected
    else:
        SCORE["missed"].append(defect)
    assert code_ok, f"exit {code}, expected {'1 (non-conformity)' if must else '0 or 2 (recommendation)'}\n{output}"
    assert failed == expected, (
        f"{defect}: failed {sorted(failed)}, expected exactly {sorted(expected)}; "
        f"collateral {sorted(failed - expected)} (make them blocked by their root cause), "
        f"not caught {sorted(expected - failed)}\n{output}"
    )
    if scope is not None:  # the -k selection ran exactly the scope's tests
        assert ran == scope, f"{defect}: scope not run: missing {sorted(scope - ran)}, extra {sorted(ran - scope)}"
