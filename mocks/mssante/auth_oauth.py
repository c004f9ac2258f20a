"""SASL XOAUTH2 with a Pro Santé Connect access token: the API LPS of personal and organisational mailboxes.

Référentiel socle MSSanté #2 (clients de messageries sécurisées de santé) ECO.1.2.x and Ségur
``SC.MSS/CONF.07``: after STARTTLS the client sends ``AUTH XOAUTH2`` (SMTP) or ``AUTHENTICATE
XOAUTH2`` (IMAP, with SASL-IR ``SC.MSS/CONF.09`` when it likes) and the base64 of::

    user=<mailbox address>^Aauth=Bearer <PSC access token>^A^A

This module parses that response, checks the token against the run's Pro Santé Connect simulator
(unknown, expired or revoked: refused) and the mailbox's owner against the token's professional
(:data:`fixtures/mssante/lps-mailboxes.json`), and writes the refusal as the Google and Microsoft
servers do: a continuation carrying a JSON status (``{"status": "401", "schemes": "Bearer",
"scope": ...}``), answered by an empty line, then the final failure.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from harness.paths import fixtures_dir
from mocks.mssante.directory import Account, Directory

__all__ = [
    "MECHANISM",
    "BearerCheck",
    "BearerVerdict",
    "LpsMailboxes",
    "TokenLookup",
    "XOauth2Response",
    "decode_initial",
    "default_lps_file",
    "parse_response",
    "realm_lookup",
    "token_id",
]

MECHANISM = "XOAUTH2"
#: the scope the operator names in its refusal (PSC's scope of the API LPS access tokens)
SCOPE = "scope_all"
_RESPONSE = re.compile(rb"^user=([^\x01]*)\x01auth=([Bb][Ee][Aa][Rr][Ee][Rr]) ([^\x01]+)\x01\x01$")

#: ``access token -> (idNat of its professional, "")`` or ``(None, why it is refused)``
TokenLookup = Callable[[str], tuple[str | None, str]]


def default_lps_file() -> Path:
    return fixtures_dir() / "mssante" / "lps-mailboxes.json"


def token_id(token: str) -> str:
    """A short, non-reversible id of an access token (as the PSC simulator's ``short_id``): evidence
    correlates tokens without ever holding one."""
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()[:10]


@dataclass(frozen=True)
class XOauth2Response:
    """The client's XOAUTH2 response: the mailbox (``user``) and the bearer token."""

    user: str
    token: str


def decode_initial(value: str) -> bytes:
    """The bytes of a base64 SASL response (``=`` is the empty one, RFC 4954 §4); ``ValueError`` if not base64."""
    if value == "=":
        return b""
    try:
        return base64.b64decode(value, validate=True)
    except binascii.Error:
        raise ValueError("réponse SASL non base64 / SASL response is not base64") from None


def parse_response(raw: bytes) -> XOauth2Response:
    """``user=<addr>^Aauth=Bearer <token>^A^A`` read; ``ValueError`` (bilingual) naming what is wrong."""
    match = _RESPONSE.match(raw)
    if match is None:
        raise ValueError(
            "réponse XOAUTH2 mal formée, attendu « user=<adresse>^Aauth=Bearer <jeton>^A^A » / malformed "
            "XOAUTH2 response, expected 'user=<address>^Aauth=Bearer <token>^A^A'"
        )
    try:
        user, token = match.group(1).decode("utf-8"), match.group(3).decode("ascii")
    except UnicodeDecodeError:
        raise ValueError("réponse XOAUTH2 non UTF-8 / XOAUTH2 response is not UTF-8") from None
    return XOauth2Response(user.strip().lower(), token.strip())


@dataclass(frozen=True)
class BearerVerdict:
    """What the operator decided about one XOAUTH2 attempt (never the token itself: its id)."""

    user: str
    token_id: str
    professional: str | None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return not self.reason

    def error_json(self) -> bytes:
        """The JSON status of the refusal continuation, as Gmail writes it."""
        return json.dumps({"status": "401", "schemes": "Bearer", "scope": SCOPE}, separators=(",", ":")).encode()

    def facts(self) -> dict[str, Any]:
        return {"user": self.user, "token_id": self.token_id, "professional": self.professional, "reason": self.reason}


class _Realm(Protocol):
    def token(self, access_token: str) -> tuple[Any, str]: ...


def realm_lookup(realm: _Realm) -> TokenLookup:
    """The lookup of a Pro Santé Connect simulator's realm (``mocks.psc.realm.Realm.token``): unknown,
    expired and revoked tokens are refused with the realm's reason."""

    def lookup(access_token: str) -> tuple[str | None, str]:
        grant, reason = realm.token(access_token)
        if grant is None:
            return None, reason
        return str(grant.professional.id_nat), ""

    return lookup


@dataclass(frozen=True)
class LpsMailbox:
    address: str
    kind: str
    display_name: str
    structure: str
    owners: frozenset[str]


class LpsMailboxes:
    """The mailboxes opened with a PSC access token, and the professionals (idNat) who own each."""

    def __init__(self, mailboxes: Iterable[LpsMailbox], source: str = "") -> None:
        self.mailboxes = {m.address: m for m in mailboxes}
        self.source = source

    @classmethod
    def load(cls, path: Path | None = None) -> LpsMailboxes:
        path = path or default_lps_file()
        return cls.from_dict(json.loads(path.read_text(encoding="utf-8")), source=str(path))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], source: str = "") -> LpsMailboxes:
        found = []
        for entry in data.get("mailboxes", []):
            kind = str(entry.get("kind", ""))
            if kind not in ("personal", "organisational"):
                raise ValueError(f"LPS mailbox {entry.get('address')!r}: kind must be personal or organisational")
            found.append(
                LpsMailbox(
                    str(entry["address"]).lower(),
                    kind,
                    str(entry.get("display_name", "")),
                    str(entry.get("structure", "")),
                    frozenset(str(o) for o in entry.get("owners", [])),
                )
            )
        return cls(found, source)

    def owners(self, address: str) -> frozenset[str]:
        found = self.mailboxes.get(address.lower().strip())
        return found.owners if found is not None else frozenset()

    def extend(self, directory: Directory) -> Directory:
        """``directory`` with the LPS mailboxes it lacks (no password: PSC authentication only)."""
        missing = [
            Account(m.address, m.kind, m.display_name, m.structure)
            for m in self.mailboxes.values()
            if m.address not in directory.accounts
        ]
        if missing:
            directory.accounts.update({a.address: a for a in missing})
        return directory

    def public(self) -> list[dict[str, Any]]:
        return [
            {"address": m.address, "kind": m.kind, "display_name": m.display_name, "owners": sorted(m.owners)}
            for m in self.mailboxes.values()
        ]


class BearerCheck:
    """The operator's XOAUTH2 decision: a live token of the run's PSC, held by an owner of the mailbox.

    Args:
        mailboxes: the LPS mailboxes and their owners.
        lookup: the token lookup of the run's Pro Santé Connect (None: no PSC linked, every token refused).
    """

    def __init__(self, mailboxes: LpsMailboxes, lookup: TokenLookup | None = None) -> None:
        self.mailboxes = mailboxes
        self.lookup = lookup

    def check(self, response: XOauth2Response) -> BearerVerdict:
        tid = token_id(response.token)
        owners = self.mailboxes.owners(response.user)
        if not owners:
            return BearerVerdict(
                response.user,
                tid,
                None,
                f"{response.user or '(empty user)'} is no personal or organisational mailbox of the API LPS",
            )
        if self.lookup is None:
            return BearerVerdict(response.user, tid, None, "no Pro Santé Connect simulator is linked to the operator")
        professional, reason = self.lookup(response.token)
        if professional is None:
            return BearerVerdict(response.user, tid, None, f"Pro Santé Connect access token refused: {reason}")
        if professional not in owners:
            return BearerVerdict(
                response.user,
                tid,
                professional,
                f"the token's professional {professional} does not own the mailbox {response.user}",
            )
        return BearerVerdict(response.user, tid, professional)
