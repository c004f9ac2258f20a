"""The reference DUI's answer to a message it received (SC.MSS.11: Message-ID, In-Reply-To, References).

Its own code. The headers of every message it fetched are kept (Message-ID, the mailbox to answer —
Reply-To, else From —, Subject, References) so that the user can answer later; the answer is a
new message (new Message-ID) whose In-Reply-To is the original's Message-ID and whose References
are the original's References followed by that Message-ID (RFC 5322 §3.6.4).
"""

from __future__ import annotations

from collections.abc import Set
from dataclasses import dataclass
from email.message import EmailMessage, Message
from email.utils import getaddresses

from reference_dui.mssante.mail import MAILBOX_LABEL, NIL, base_message

__all__ = ["Received", "headers_of", "reply_message"]


@dataclass(frozen=True)
class Received:
    """What an answer needs of a received message."""

    message_id: str
    answer_to: str
    subject: str
    references: str


def headers_of(message: Message) -> Received | None:
    message_id = str(message.get("Message-ID", "") or "").strip()
    if not message_id:
        return None
    pairs = getaddresses([str(message.get("Reply-To", "") or message.get("From", "") or "")])
    answer_to = next((address for _, address in pairs if address), "")
    return Received(
        message_id,
        answer_to,
        str(message.get("Subject", "") or ""),
        " ".join(str(message.get("References", "") or "").split()),
    )


def reply_message(original: Received, sender: str, reply_to: str | None, text: str, defects: Set[str]) -> EmailMessage:
    """The answer to ``original`` from the DUI's application mailbox."""
    subject = original.subject if original.subject.lower().startswith("re:") else f"Re: {original.subject}"
    message = base_message(sender, original.answer_to, subject, MAILBOX_LABEL)
    if "mss_reply_no_references" not in defects:
        message["In-Reply-To"] = original.message_id
        message["References"] = f"{original.references} {original.message_id}".strip()
    if "mss_no_nil" not in defects:
        message["X-MSS-NIL"] = NIL
    if reply_to:
        message["Reply-To"] = reply_to
    message.set_content(
        f"{text}\nCe message a été généré automatiquement par le DUI de référence"
        + (f" : pour lui répondre, écrivez à {reply_to}." if reply_to else ".")
    )
    return message
