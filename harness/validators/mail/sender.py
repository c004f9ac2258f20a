"""How a DUI's message presents itself: sender display name, body format, application-mailbox mentions.

* MSS-NAME-01 (SC.MSS.15, SC.MSS/va1.16 ← DUI.MSS.16): ``From`` carries a meaningful display
  name (the mailbox's *Intitulé_BAL*) beside the MSSanté address, on every message.
* MSS-BODY-01 (SC.MSS.12, SC.MSS/va1.11): the body of a message is ``text/plain``, or
  ``multipart/alternative`` with a ``text/plain`` and a ``text/html`` part, both not empty
  (their equivalence is not judged).
* MSS-APP-01 (SC.MSS.13, SC.MSS/va1.09 ← DUI.MSS.09): a message from an application mailbox
  (BAL applicative) says that it was generated automatically and gives, in ``Reply-To``, a
  personal or organisational mailbox to write to (the kind is read in the operator's directory).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from email.message import Message
from email.utils import getaddresses

from harness.core.findings import Finding
from harness.core.rules import rule
from harness.validators.mail.mime import ParsedMessage, addresses

__all__ = [
    "REQ_APP",
    "REQ_BODY",
    "REQ_NAME",
    "body_texts",
    "check_application_mailbox",
    "check_body_format",
    "check_display_name",
]

REQ_NAME = "MSS-NAME-01"
REQ_BODY = "MSS-BODY-01"
REQ_APP = "MSS-APP-01"
#: "généré automatiquement", "message automatique", "envoyé automatiquement", "generated automatically"…
AUTOMATIC = re.compile(
    r"(g[ée]n[ée]r[ée]e?s?|envoy[ée]e?s?|[ée]mise?s?)\s+automatiquement|automatiquement\s+"
    r"(g[ée]n[ée]r[ée]|envoy[ée])|message\s+automatique|generated\s+automatically|"
    r"automatically\s+(generated|sent)",
    re.IGNORECASE,
)
REPLY_KINDS = ("personal", "organisational")


@rule("mss.name", requirement=REQ_NAME, summary="From carries the mailbox's display name (Intitulé_BAL)")
def check_display_name(parsed: ParsedMessage) -> list[Finding]:
    """``From: "Intitulé de la BAL" <adresse>``: a display name that is not the address itself."""
    pairs = getaddresses(parsed.headers("From"))
    if len(pairs) != 1:
        return []  # MSS-FROM-01 judges the number of senders
    name, address = pairs[0]
    name = name.strip().strip('"').strip()
    if not name or name.lower() == address.lower():
        return [
            Finding(
                "mss.name.missing",
                REQ_NAME,
                f"From {address} has no display name: the mailbox's meaningful "
                "label (Intitulé_BAL) must appear beside the address",
                location="header From",
            )
        ]
    return []


def _body(message: Message) -> Message | None:
    """The body part: the message itself, or the first part of a multipart/mixed that is not an attachment."""
    if message.get_content_maintype() != "multipart" or message.get_content_subtype() == "alternative":
        return message
    for part in message.get_payload() if isinstance(message.get_payload(), list) else []:
        if isinstance(part, Message) and part.get_content_disposition() != "attachment":
            return _body(part) if part.get_content_subtype() == "mixed" else part
    return None


def _text(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    return payload.decode(part.get_content_charset() or "utf-8", "replace")


def body_texts(parsed: ParsedMessage) -> dict[str, str]:
    """``{"text/plain": …, "text/html": …}`` of the message body (what is found of them)."""
    body = _body(parsed.message) if parsed.message is not None else None
    if body is None:
        return {}
    parts = body.get_payload() if body.get_content_type() == "multipart/alternative" else [body]
    texts: dict[str, str] = {}
    for part in parts if isinstance(parts, list) else []:
        if isinstance(part, Message) and part.get_content_type() in ("text/plain", "text/html"):
            texts.setdefault(part.get_content_type(), _text(part))
    return texts


@rule("mss.body", requirement=REQ_BODY, summary="body in text/plain or multipart/alternative (plain + html)")
def check_body_format(parsed: ParsedMessage) -> list[Finding]:
    """The body is ``text/plain``, or ``multipart/alternative`` with both a plain and an HTML part."""
    body = _body(parsed.message) if parsed.message is not None else None
    kind = body.get_content_type() if body is not None else "(none)"
    texts = body_texts(parsed)
    if kind == "text/plain":
        return []
    if kind == "multipart/alternative" and texts.get("text/plain", "").strip() and texts.get("text/html", "").strip():
        return []
    detail = (
        f"multipart/alternative with {', '.join(sorted(texts)) or 'no text part'}"
        if kind == "multipart/alternative"
        else kind
    )
    return [
        Finding(
            "mss.body.format",
            REQ_BODY,
            f"the message body is {detail}: it must be text/plain, or "
            "multipart/alternative with equivalent text/plain and text/html parts",
            location="body",
        )
    ]


@rule(
    "mss.app",
    requirement=REQ_APP,
    summary="application mailbox: 'generated automatically' mention and Reply-To a personal/organisational mailbox",
)
def check_application_mailbox(parsed: ParsedMessage, kind_of: Callable[[str], str | None]) -> list[Finding]:
    """For a message whose sender is an application mailbox (``kind_of(address)`` from the directory)."""
    senders = addresses(parsed.headers("From"))
    if len(senders) != 1 or kind_of(senders[0]) != "applicative":
        return []
    findings = []
    texts = body_texts(parsed)
    text = texts.get("text/plain") or re.sub(r"<[^>]+>", " ", texts.get("text/html", ""))
    if not AUTOMATIC.search(text):
        findings.append(
            Finding(
                "mss.app.mention",
                REQ_APP,
                "the message comes from an application mailbox but its "
                "body does not say that it was generated automatically",
                location="body",
            )
        )
    replies = addresses(parsed.headers("Reply-To"))
    if len(replies) != 1:
        findings.append(
            Finding(
                "mss.app.reply_to",
                REQ_APP,
                f"Reply-To names {len(replies)} mailboxes: a message "
                "from an application mailbox gives one personal or organisational mailbox to "
                "answer",
                location="header Reply-To",
            )
        )
    elif kind_of(replies[0]) not in REPLY_KINDS:
        findings.append(
            Finding(
                "mss.app.reply_to",
                REQ_APP,
                f"Reply-To {replies[0]} is "
                f"{kind_of(replies[0]) or 'not in the MSSanté directory'}, not a personal or "
                "organisational mailbox",
                location="header Reply-To",
            )
        )
    return findings
