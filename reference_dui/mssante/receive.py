"""What the reference DUI does with a message received in its mailbox.

For each CDA of the IHE_XDM.ZIP it finds the person by INS: no INS gives 903, an INS whose
traits are incomplete 905, an INS nobody has 902, an INS whose stored traits differ 904;
otherwise the document joins that person's record. When the sender asked for it
(``Disposition-Notification-To``), the DUI answers an MDN: ``processed``, or
``processed/Error: <code>^<libellé>`` with a ``[KO Intégration système !][<code>]`` subject.
"""

from __future__ import annotations

import email
import email.policy
import re
from dataclasses import dataclass
from email.message import EmailMessage

from reference_dui.mssante.cda import ReceivedPatient, read_patient
from reference_dui.mssante.xdm import read_documents, read_stylesheets
from reference_dui.store import PersonRecord

__all__ = ["ERRORS", "Decision", "decide", "documents_of", "parse", "stylesheet_href", "stylesheets_of"]

#: the ``href`` of an ``xml-stylesheet`` processing instruction in a document's prolog
_STYLESHEET_PI = re.compile(rb"<\?xml-stylesheet\s[^>]*?href\s*=\s*[\"']([^\"'<>]{1,200})[\"'][^>]*\?>")
#: how far into a document its prolog is looked for
_PROLOG = 4096

ERRORS = {
    "902": "Identifiant patient inconnu",
    "903": "INS non présent dans le document",
    "904": "L'INS transmis ne correspond pas exactement à celui stocké dans la base du consommateur",
    "905": "L'INS transmis n'est pas complet (matricule présent mais traits INS incomplets)",
    "906": "Erreur 'Autre'",
}


@dataclass(frozen=True)
class Decision:
    person_id: str | None
    error_code: str | None
    patient: ReceivedPatient | None


def parse(raw: bytes) -> EmailMessage | None:
    try:
        message = email.message_from_bytes(raw, _class=EmailMessage, policy=email.policy.default)
    except (ValueError, TypeError, IndexError, LookupError, RecursionError):
        return None
    return message if isinstance(message, EmailMessage) else None


def documents_of(message: EmailMessage) -> list[tuple[bytes, ReceivedPatient | None]]:
    """The CDA documents of the message's IHE_XDM archives, with their patient facts."""
    found: list[tuple[bytes, ReceivedPatient | None]] = []
    for archive in _xdm_parts(message):
        found += [(document, read_patient(document)) for document in read_documents(archive)]
    return found


def _xdm_parts(message: EmailMessage) -> list[bytes]:
    """The IHE_XDM archives attached to the message."""
    found = []
    for part in message.walk():
        if part.get_content_type() == "message/rfc822":
            continue
        name = (part.get_filename() or "").upper()
        if name.endswith(".ZIP") and "XDM" in name:
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes):
                found.append(payload)
    return found


def stylesheets_of(message: EmailMessage) -> dict[str, bytes]:
    """The producers' stylesheets shipped in the message's IHE_XDM archives, by upper-case file name."""
    sheets: dict[str, bytes] = {}
    for archive in _xdm_parts(message):
        sheets.update(read_stylesheets(archive))
    return sheets


def stylesheet_href(document: bytes) -> str | None:
    """The file a CDA names as its stylesheet (``<?xml-stylesheet … href="…"?>`` in its prolog), upper-cased."""
    found = _STYLESHEET_PI.search(document[:_PROLOG])
    return found.group(1).decode("ascii", "replace").rsplit("/", 1)[-1].upper() if found else None


def _same(stored: str | None, received: str) -> bool:
    return (stored or "").strip().upper() == received.strip().upper()


def decide(
    patient: ReceivedPatient | None, persons: list[PersonRecord], *, wrong_person: bool, check_traits: bool = True
) -> Decision:
    """Whose document this is, or the error code that refuses it."""
    if patient is None:
        return Decision(None, "906", None)
    if not patient.ins:
        return Decision(None, "903", patient)
    if not patient.traits_complete:
        return Decision(None, "905", patient)
    if wrong_person:  # defect: homonyms are matched on birth name and birth date alone
        candidates = [
            p
            for p in persons
            if _same(p.traits.birth_name, patient.birth_name) and p.traits.birth_date == patient.birth_date
        ]
        if candidates:
            return Decision(candidates[0].person_id, None, patient)
    matches = [
        p
        for p in persons
        if p.ins is not None and p.ins.value.upper() == patient.ins.upper() and p.ins.oid == patient.ins_oid
    ]
    if not matches:
        return Decision(None, "902", patient)
    person = matches[0]
    t = person.traits
    same = (
        _same(t.birth_name, patient.birth_name)
        and _same(t.first_names[0] if t.first_names else "", patient.first_name)
        and _same(" ".join(t.first_names), patient.first_names)
        and t.sex == patient.sex
        and t.birth_date == patient.birth_date
        and _same(t.birth_place, patient.birth_place)
    )
    if not same and check_traits:
        return Decision(None, "904", patient)
    return Decision(person.person_id, None, patient)
