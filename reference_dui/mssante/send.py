"""The document message the reference DUI sends: a liaison note (CDA) in an IHE_XDM.ZIP, with the MSSanté headers.

Rules it follows (each can be broken by one ``mss_`` defect switch): X-MSS-NIL on every
message; X-MSS-CODECDA = the CDA code; X-MSS-INS = O only when the CDA carries a qualified INS
(the INS is written only for a qualified identity); X-MSS-MES: FIN to a patient;
Disposition-Notification-To when an acknowledgement is wanted; a patient's mailbox is
``<INS>@patient.mssante.fr`` and receives nothing the patient may not see.
"""

from __future__ import annotations

from collections.abc import Set
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

from reference_dui.identity import InvalidInput, may_exchange_ins
from reference_dui.mssante.cda import DOCUMENT_CODE, DOCUMENT_TITLE, LOCAL_ID_ROOT, build_document
from reference_dui.mssante.mail import MAILBOX_LABEL, NIL, document_message
from reference_dui.mssante.pdf import PrintedIdentity, build_pdf
from reference_dui.mssante.xdm import build_xdm
from reference_dui.store import PersonRecord

__all__ = ["PATIENT_DOMAIN", "Composed", "compose"]

PATIENT_DOMAIN = "patient.mssante.fr"
KINDS = ("professional", "organisation", "patient")


@dataclass(frozen=True)
class Composed:
    """A message ready to send, or the reason why nothing is sent."""

    message: EmailMessage | None = None
    recipient: str = ""
    document_id: str | None = None
    reason: str | None = None


def compose(
    record: PersonRecord,
    data: dict[str, Any],
    sender: str,
    defects: Set[str],
    *,
    reply_to: str | None = None,
    refused: Set[str] = frozenset(),
) -> Composed:
    recipient_data = data["recipient"]
    kind = recipient_data.get("kind")
    if kind not in KINDS:
        raise InvalidInput(f"recipient.kind must be one of {', '.join(KINDS)}")
    acknowledgement = bool(data.get("acknowledgement", False))
    visible = bool(data.get("visible_to_patient", True))
    qualified = may_exchange_ins(record.status) and record.ins is not None
    if ("patient" if kind == "patient" else "professionals") in refused:  # SC.MSS.15.MS1, SC.MSS.16.MS1
        return Composed(reason="l'usager a refusé cet envoi par messagerie sécurisée : rien n'est envoyé")
    if kind == "patient":
        if not visible and "mss_send_invisible_to_patient" not in defects:
            return Composed(
                reason="document non visible par l'usager (INVISIBLE_PATIENT) : rien n'est envoyé à sa messagerie"
            )
        # the patient's address is built from a qualified INS only (SC.MSS.14); the defect takes any INS it holds
        if (not qualified and "mss_patient_unqualified_address" not in defects) or record.ins is None:
            return Composed(reason="identité non qualifiée : l'adresse de messagerie de l'usager (INS) est inconnue")
        recipient = f"{record.ins.value}@{PATIENT_DOMAIN}"
    else:
        recipient = str(recipient_data.get("address") or "")
        if "@" not in recipient:
            raise InvalidInput("recipient.address is required for a professional or an organisation")
    ins = (record.ins.value, record.ins.oid) if qualified and record.ins is not None else None
    traits = record.traits.to_json()
    replaced = data.get("replaces")
    parent = replaced if isinstance(replaced, str) and replaced and "mss_replace_no_parent" not in defects else None
    document, document_id = build_document(
        record.person_id,
        traits,
        ins,
        with_language="mss_cda_no_language" not in defects,
        # a new version names the one it replaces (relatedDocument RPLC), unless the defect forgets it
        replaces=parent,
    )
    patient_cx = f"{ins[0]}^^^&{ins[1]}&ISO^NH" if ins else f"{record.person_id}^^^&{LOCAL_ID_ROOT}&ISO^PI"
    confidentiality = ("N",) if visible else ("N", "INVISIBLE_PATIENT")
    xdm = build_xdm(
        document,
        document_id,
        patient_cx,
        DOCUMENT_TITLE,
        with_metadata="mss_xdm_no_metadata" not in defects,
        confidentiality=confidentiality,
        # the size of the document body, counted before its XML declaration was prepended
        declared_size=len(document.partition(b"\n")[2]) if "mss_xdm_size_of_body" in defects else None,
    )
    headers: dict[str, str] = {}
    if "mss_no_nil" not in defects:
        headers["X-MSS-NIL"] = NIL
    headers["X-MSS-CODECDA"] = "11488-4" if "mss_wrong_codecda" in defects else DOCUMENT_CODE
    complete = all(traits.get(k) for k in ("birth_name", "first_names", "sex", "birth_date", "birth_place"))
    headers["X-MSS-INS"] = "O" if (ins and complete) or "mss_ins_without_qualified" in defects else "N"
    if kind == "patient" and "mss_no_mes_to_patient" not in defects:
        headers["X-MSS-MES"] = "FIN"
    if acknowledgement and "mss_no_dnt" not in defects:
        headers["Disposition-Notification-To"] = sender
    birth = str(traits.get("birth_date", ""))
    date = f"{birth[8:10]}/{birth[5:7]}/{birth[:4]}" if len(birth) == 10 else ""
    if "mss_subject_iso_birth_date" in defects:  # the stored ISO date pasted as is, not DD/MM/YYYY
        date = birth
    first = (traits.get("first_names") or [""])[0]
    subject = f"XDM/1.0/DDM+{DOCUMENT_TITLE} {traits.get('birth_name', '')} {first} {date}".strip()
    body = "Document de liaison transmis par le DUI de référence (messagerie sécurisée de santé, essai)."
    contact = sender if "mss_reply_to_self" in defects else reply_to
    if "mss_no_auto_mention" not in defects:  # sent from an application mailbox (SC.MSS.13)
        body += "\nCe message a été généré automatiquement : merci de ne pas y répondre directement" + (
            f", écrivez à {contact}." if contact else "."
        )
    if contact:
        headers["Reply-To"] = contact
    if data.get("dsn") and "mss_no_dsn" not in defects:  # delivery status notification asked (SC.MSS.16)
        headers["Return-Receipt-To"] = sender
    if isinstance(replaced, str) and replaced and "mss_replace_no_mention" not in defects:  # SC.MSS.20.MS1
        body += f"\nCe document annule et remplace le document {replaced} envoyé précédemment."
    author = f"no-reply@{sender.split('@', 1)[1]}" if "mss_from_noreply" in defects else sender
    pdf = None
    if "mss_no_pdf" not in defects:  # the same document in PDF/A-1, from the same data (SC.CDA/DD.12)
        names = tuple(str(n) for n in traits.get("first_names") or ())
        printed_ins = ins if ins and complete else (None, None)  # the INS is printed for a qualified identity only
        printed = PrintedIdentity(
            str(traits.get("birth_name", "")),
            names,
            str(traits.get("sex", "")),
            birth,
            str(traits.get("birth_place", "")),
            *printed_ins,
        )
        pdf = ("NOTE_DE_LIAISON.pdf", build_pdf(printed, DOCUMENT_TITLE, body, defects))
    message = document_message(
        author,
        recipient,
        subject,
        xdm,
        headers,
        body,
        pdf,
        label=None if "mss_from_no_display_name" in defects else MAILBOX_LABEL,
        html="mss_html_only_body" in defects,
    )
    if "mss_no_date" in defects:  # the Date header left to a relay that never adds it
        del message["Date"]
    return Composed(message, recipient, document_id)
