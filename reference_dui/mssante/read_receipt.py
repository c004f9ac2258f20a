"""The reference DUI's read receipt: the user opens a received message that asked for one (SC.MSS/UX.34).

RFC 8098: when the user displays a message carrying ``Disposition-Notification-To``, the DUI may return a
disposition notification ``manual-action/MDN-sent-manually; displayed`` (the user's action made it). The
automatic *processed* acknowledgement sent at integration (:meth:`MssFeature._acknowledge`) is another one.
``mss_no_read_receipt`` opens the message and sends nothing.
"""

from __future__ import annotations

import smtplib
from collections.abc import Set
from email.message import Message
from typing import Any

from reference_dui.mssante.mail import MailboxClient, mdn_message

__all__ = ["DISPLAYED", "MAX_KEPT", "send_read_receipt"]

DISPLAYED = "manual-action/MDN-sent-manually; displayed"
#: received messages asking a receipt kept for it (the oldest go first)
MAX_KEPT = 200


def send_read_receipt(client: MailboxClient, original: Message, defects: Set[str]) -> dict[str, Any]:
    """The user opened ``original``: its read receipt, if it asked for one."""
    asked = str(original.get("Disposition-Notification-To", "") or "").strip()
    if not asked:
        return {"read": True, "receipt": "not_asked", "message_id": None}
    if "mss_no_read_receipt" in defects:
        return {"read": True, "receipt": "not_sent", "message_id": None}
    subject = str(original.get("Subject", ""))
    mdn = mdn_message(
        client.settings.address,
        original,
        DISPLAYED,
        "Le message a été affiché par son destinataire.",
        f"Accusé de lecture : {subject}",
    )
    recipient = asked.rpartition("<")[2].strip(">") if "<" in asked else asked
    try:
        client.send(mdn, [recipient])
    except (smtplib.SMTPException, OSError) as exc:
        return {"read": True, "receipt": "error", "message_id": None, "reason": f"{type(exc).__name__}: {exc}"}
    return {"read": True, "receipt": "sent", "message_id": str(mdn["Message-ID"])}
