"""The state of the simulated Pro Santé Connect realm: clients, professionals, codes and tokens.

Thread-safe (one lock). Authorization codes are single-use and expire (``code_lifetime``,
60 s by default as Keycloak's access code lifespan); replaying a code revokes the tokens it
gave (RFC 6749 §4.1.2). Redirect URIs match exactly, except that a loopback redirect URI
(``http://127.0.0.1/...``) matches any port (RFC 8252 §7.3).
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from mocks.psc.professionals import Professional, ProfessionalBase

__all__ = ["DEFAULT_CLIENT", "Client", "CodeGrant", "Realm", "TokenGrant", "short_id"]

LOOPBACK_HOSTS = ("127.0.0.1", "::1")


def short_id(secret: str) -> str:
    """A short, non-reversible id of a code or token, to correlate exchanges without leaking it."""
    return hashlib.sha256(secret.encode()).hexdigest()[:10]


@dataclass(frozen=True)
class Client:
    """A relying party registered at PSC (the DUI)."""

    client_id: str
    client_secret: str
    redirect_uris: tuple[str, ...]
    name: str = ""

    def allows_redirect(self, uri: str) -> bool:
        if uri in self.redirect_uris:
            return True
        try:
            parts = urlsplit(uri)
            port = parts.port
        except ValueError:
            return False
        if parts.hostname in LOOPBACK_HOSTS and port is not None and not parts.fragment:
            host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
            bare = urlunsplit((parts.scheme, host, parts.path, parts.query, ""))
            return bare in self.redirect_uris
        return False

    def public(self) -> dict[str, Any]:
        """The registration as the control API shows it: the secret never in clear (issue 17), only
        a fingerprint to tell which one is registered."""
        digest = hashlib.sha256(self.client_secret.encode()).hexdigest()[:12]
        return {
            "client_id": self.client_id,
            "client_secret": f"(masqué / masked, sha256 {digest}…)",
            "redirect_uris": list(self.redirect_uris),
            "name": self.name,
        }

    @classmethod
    def from_json(cls, data: Any) -> Client:
        if not isinstance(data, Mapping):
            raise ValueError("a client must be an object {client_id, client_secret, redirect_uris}")
        cid, secret, uris = data.get("client_id"), data.get("client_secret"), data.get("redirect_uris")
        if not isinstance(cid, str) or not cid or not isinstance(secret, str) or not secret:
            raise ValueError("client_id and client_secret must be non-empty strings")
        if not isinstance(uris, list) or not uris or not all(isinstance(u, str) and u for u in uris):
            raise ValueError(f"client {cid!r}: redirect_uris must be a non-empty list of URIs")
        for uri in uris:
            parts = urlsplit(uri)
            if parts.scheme not in ("http", "https") or not parts.netloc or parts.fragment:
                raise ValueError(
                    f"client {cid!r}: redirect URI {uri!r} must be an absolute http(s) URI "
                    "without fragment (RFC 6749 §3.1.2)"
                )
        return cls(cid, secret, tuple(uris), str(data.get("name", "")))


#: the client registered for the DUI under test unless configured otherwise (test values, no secret)
DEFAULT_CLIENT = Client(
    "dui-harness-dui",
    "dui-harness-test-secret",
    ("http://127.0.0.1/harness/v1/psc/callback", "https://127.0.0.1/harness/v1/psc/callback"),
    "DUI under test (dui-harness)",
)


@dataclass
class CodeGrant:
    """What an authorization code stands for, until it is exchanged once."""

    code: str
    client_id: str
    redirect_uri: str
    professional: Professional
    scope: str
    nonce: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    auth_time: int
    expires: float
    session: str
    used: bool = False
    tokens: list[str] = field(default_factory=list)


@dataclass
class TokenGrant:
    access_token: str
    client_id: str
    professional: Professional
    scope: str
    expires: float
    revoked: bool = False


class Realm:
    """Registrations and live grants of the simulated realm."""

    def __init__(
        self,
        professionals: ProfessionalBase,
        clients: tuple[Client, ...] = (DEFAULT_CLIENT,),
        *,
        code_lifetime: float = 60.0,
        access_token_lifetime: int = 300,
    ) -> None:
        self.lock = threading.RLock()
        self.professionals = professionals
        self.clients = {c.client_id: c for c in clients}
        self.code_lifetime = code_lifetime
        self.access_token_lifetime = access_token_lifetime
        self.selected: str | None = None
        self._codes: dict[str, CodeGrant] = {}
        self._tokens: dict[str, TokenGrant] = {}

    def client(self, client_id: str | None) -> Client | None:
        with self.lock:
            return self.clients.get(client_id or "")

    def who_logs_in(self, login_hint: str | None) -> tuple[Professional | None, str]:
        """The professional of this authorization (``login_hint`` first, then the selected one), or why none."""
        with self.lock:
            if login_hint:
                found = self.professionals.find(login_hint)
                return found, "" if found else (
                    f"login_hint {login_hint!r} is no test professional of the simulator (see GET /_harness/state)"
                )
            found = self.professionals.find(self.selected)
            if found is None:
                return None, (
                    "no test professional chosen: send login_hint=<idNat> or select one with "
                    'PATCH /_harness/state {"next_professional": "<idNat>"}'
                )
            return found, ""

    def issue_code(
        self, client: Client, redirect_uri: str, professional: Professional, params: Mapping[str, str]
    ) -> CodeGrant:
        now = time.time()
        grant = CodeGrant(
            code=secrets.token_urlsafe(32),
            client_id=client.client_id,
            redirect_uri=redirect_uri,
            professional=professional,
            scope=params.get("scope", ""),
            nonce=params.get("nonce"),
            code_challenge=params.get("code_challenge"),
            code_challenge_method=params.get("code_challenge_method")
            or ("plain" if params.get("code_challenge") else None),
            auth_time=int(now),
            expires=now + self.code_lifetime,
            session=secrets.token_hex(8),
        )
        with self.lock:
            self._purge(now)
            self._codes[grant.code] = grant
        return grant

    def redeem(self, code: str) -> tuple[CodeGrant | None, str]:
        """The grant of ``code`` marked used, or ``(None, reason)``; a replay revokes its tokens."""
        with self.lock:
            grant = self._codes.get(code)
            if grant is None:
                return None, "unknown authorization code"
            if grant.used:
                for token in grant.tokens:
                    if token in self._tokens:
                        self._tokens[token].revoked = True
                return None, (
                    "authorization code already used: codes are single-use; the tokens it gave are "
                    "now revoked (RFC 6749 §4.1.2)"
                )
            if time.time() > grant.expires:
                return None, f"authorization code expired (lifetime {self.code_lifetime:g} s)"
            grant.used = True
            return grant, ""

    def store_token(self, grant: CodeGrant, access_token: str) -> None:
        with self.lock:
            grant.tokens.append(access_token)
            self._tokens[access_token] = TokenGrant(
                access_token, grant.client_id, grant.professional, grant.scope, time.time() + self.access_token_lifetime
            )

    def token(self, access_token: str) -> tuple[TokenGrant | None, str]:
        with self.lock:
            found = self._tokens.get(access_token)
        if found is None:
            return None, "unknown access token"
        if found.revoked:
            return None, "access token revoked (its authorization code was replayed)"
        if time.time() > found.expires:
            return None, "access token expired"
        return found, ""

    def other_professional(self, than: Professional) -> Professional:
        with self.lock:
            return next((p for p in self.professionals if p.id_nat != than.id_nat), than)

    def _purge(self, now: float) -> None:
        stale = [c for c, g in self._codes.items() if now > g.expires + 600]
        for code in stale:
            del self._codes[code]
        dead = [t for t, g in self._tokens.items() if now > g.expires + 600]
        for token in dead:
            del self._tokens[token]

    def counts(self) -> dict[str, int]:
        with self.lock:
            return {"codes": len(self._codes), "access_tokens": len(self._tokens)}
