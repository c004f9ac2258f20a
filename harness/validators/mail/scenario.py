"""Message rules that depend on what the DUI was asked to do: answer, DSN request, new version of a document.

Called by the suites with the scenario's knowledge (the message answered, the document replaced):

* MSS-REPLY-01 (SC.MSS.11, SC.MSS/va1.08 ← DUI.MSS.08): an answer has its own ``Message-ID``,
  ``In-Reply-To`` the original's Message-ID and ``References`` ending with it, after the
  original's own References (RFC 5322 §3.6.4).
* MSS-DSN-01 (SC.MSS.16, SC.MSS/va1.15): asked for a delivery status notification, the message
  carries ``Return-Receipt-To`` naming one mailbox.
* MSS-REPL-01 (SC.MSS.20.MS1, SC.MSS/va1.02, SC.MSS/va1.13): a new version of a document sent
  before says "annule et remplace" (body or subject) and carries a CDA other than the replaced one,
  which names it in ``relatedDocument typeCode="RPLC"/parentDocument/id`` (CI-SIS structuration minimale).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from lxml import etree

from harness.core.findings import Finding
from harness.core.rules import rule
from harness.validators.cda import CdaReport
from harness.validators.mail.mime import ParsedMessage, addresses
from harness.validators.mail.sender import body_texts

__all__ = ["REQ_DSN", "REQ_REPLACE", "REQ_REPLY", "check_dsn", "check_replacement", "check_reply"]

REQ_REPLY = "MSS-REPLY-01"
REQ_DSN = "MSS-DSN-01"
REQ_REPLACE = "MSS-REPL-01"
_MSGID = re.compile(r"<[^<>\s]+>")
ANNULE_ET_REMPLACE = re.compile(r"annule\s+et\s+remplace", re.IGNORECASE)


@rule("mss.reply", requirement=REQ_REPLY, summary="an answer: own Message-ID, In-Reply-To and References")
def check_reply(parsed: ParsedMessage, original_id: str, original_references: str = "") -> list[Finding]:
    """The threading headers of the DUI's answer to the message ``original_id``."""
    findings = []
    own = _MSGID.findall(parsed.header("Message-ID") or "")
    if len(own) != 1 or own[0] == original_id:
        findings.append(
            Finding(
                "mss.reply.message_id",
                REQ_REPLY,
                f"the answer's Message-ID {own or '(none)'} must be one new identifier, not the original's",
                location="header Message-ID",
            )
        )
    in_reply_to = _MSGID.findall(parsed.header("In-Reply-To") or "")
    if original_id not in in_reply_to:
        findings.append(
            Finding(
                "mss.reply.in_reply_to",
                REQ_REPLY,
                f"In-Reply-To {in_reply_to or '(none)'} does not name the message answered {original_id}",
                location="header In-Reply-To",
            )
        )
    references = _MSGID.findall(" ".join(parsed.headers("References")))
    wanted = [*_MSGID.findall(original_references), original_id]
    if not references or references[-1] != original_id:
        findings.append(
            Finding(
                "mss.reply.references",
                REQ_REPLY,
                f"References {references or '(none)'} does not end with the message answered {original_id}",
                location="header References",
            )
        )
    elif missing := [m for m in wanted if m not in references]:
        findings.append(
            Finding(
                "mss.reply.references",
                REQ_REPLY,
                f"References drops {', '.join(missing)} of the original's References (RFC 5322 §3.6.4)",
                location="header References",
            )
        )
    return findings


@rule("mss.dsn", requirement=REQ_DSN, summary="a DSN asked: Return-Receipt-To naming one mailbox")
def check_dsn(parsed: ParsedMessage) -> list[Finding]:
    """``Return-Receipt-To`` naming one mailbox, on a message whose sender was asked for a DSN."""
    values = parsed.headers("Return-Receipt-To")
    if len(addresses(values)) != 1:
        return [
            Finding(
                "mss.dsn.missing",
                REQ_DSN,
                f"a delivery status notification was asked for but "
                f"Return-Receipt-To is {values or '(absent)'}: it must name one mailbox",
                location="header Return-Receipt-To",
            )
        ]
    return []


@rule(
    "mss.replace",
    requirement=REQ_REPLACE,
    summary="a new version of a sent document: 'annule et remplace' mention and another CDA",
)
def check_replacement(parsed: ParsedMessage, cdas: Sequence[CdaReport], replaced_id: str) -> list[Finding]:
    """The message carrying the new version of the document ``replaced_id`` (root^extension)."""
    findings = []
    texts = body_texts(parsed)
    said = " ".join(
        [
            parsed.header("Subject") or "",
            texts.get("text/plain", ""),
            re.sub(r"<[^>]+>", " ", texts.get("text/html", "")),
        ]
    )
    if not ANNULE_ET_REMPLACE.search(said):
        findings.append(
            Finding(
                "mss.replace.mention",
                REQ_REPLACE,
                f"the new version of document {replaced_id} does not say 'annule et remplace' (subject or body)",
                location="body",
            )
        )
    same = [
        c.header.document_id
        for c in cdas
        if c.header.document_id and c.header.document_id.replace("^", "") == replaced_id.replace("^", "")
    ]
    if same:
        findings.append(
            Finding(
                "mss.replace.same_document",
                REQ_REPLACE,
                f"the attached CDA is the replaced document {replaced_id} itself, not a new version",
                location="IHE_XDM.ZIP",
            )
        )
        return findings
    return findings + [f for c in cdas if c.root is not None for f in _names_its_parent(c.root, replaced_id)]


def _names_its_parent(root: etree._Element, replaced_id: str) -> list[Finding]:
    """CI-SIS structuration minimale, new version of a document: ``relatedDocument typeCode="RPLC"`` whose
    ``parentDocument/id`` is the replaced document (compared as root and extension)."""
    parents = root.xpath(
        "cda:relatedDocument[@typeCode='RPLC']/cda:parentDocument/cda:id", namespaces={"cda": "urn:hl7-org:v3"}
    )
    named = [
        f"{p.get('root', '')}^{p.get('extension', '')}".rstrip("^")
        for p in (parents if isinstance(parents, list) else [])
        if isinstance(p, etree._Element)
    ]
    if replaced_id.replace("^", "") in {n.replace("^", "") for n in named}:
        return []
    return [
        Finding(
            "mss.replace.parent",
            REQ_REPLACE,
            f"the new version does not name the document it replaces ({replaced_id}) in relatedDocument "
            f"typeCode=RPLC/parentDocument/id (found: {', '.join(named) or 'none'})",
            location="/ClinicalDocument/relatedDocument",
        )
    ]
