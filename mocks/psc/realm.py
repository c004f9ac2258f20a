"""The state of the simulated Pro Santé Connect realm: clients, professionals, codes and tokens.

Thread-safe (one lock). Authorization codes are single-use and expire (``code_lifetime``,
60 s by default as Keycloak's access code lifespan); replaying a code revokes the tokens it
gave (RFC 6749 §4.1.2). Redirect URIs match exactly, except that a loopback redirect URI
(``http://127.0.0.1/...``) matches any port (RFC 8252 §7.3).

Every login opens a token *family* (the code's, or a CIBA request's): its access tokens and its
refresh tokens. Refresh tokens rotate (each is used once, OAuth 2.0 Security BCP §4.14.2); a
rotated refresh token presented again revokes the whole family, and so do a code replay, the
revocation of a refresh token (RFC 7009 §2.1) and the end of the PSC session (logout).
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

__all__ = ["DEFAULT_CLIENT", "Client", "CodeGrant", "Realm", "RefreshGrant", "TokenGrant", "short_id"]

LOOPBACK_HOSTS = ("127.0.0.1", "::1")


def short_id(secret: str) -> str:
    """A short, non-reversible id of a code or token, to correlate exchanges without leaking it."""
    return hashlib.sha256(secret.encode()).hexdigest()[:10]


def _registered(uri: str, registered: tuple[str, ...]) -> bool:
    """``uri`` is one of ``registered``, a loopback one on any port (RFC 8252 §7.3)."""
    if uri in registered:
        return True
    try:
        parts = urlsplit(uri)
        port = parts.port
    except ValueError:
        return False
    if parts.hostname in LOOPBACK_HOSTS and port is not None and not parts.fragment:
        host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
        bare = urlunsplit((parts.scheme, host, parts.path, parts.query, ""))
        return bare in registered
    return False


@dataclass(frozen=True)
class Client:
    """A relying party registered at PSC (the DUI)."""

    client_id: str
    client_secret: str
    redirect_uris: tuple[str, ...]
    name: str = ""
    #: public JWK Set of the client, for private_key_jwt authentication (RFC 7523 §2.2)
    jwks: Mapping[str, Any] | None = None
    post_logout_redirect_uris: tuple[str, ...] = ()

    def allows_redirect(self, uri: str) -> bool:
        return _registered(uri, self.redirect_uris)

    def allows_post_logout(self, uri: str) -> bool:
        """A post_logout_redirect_uri registered for the client (its own list, or one of its redirect URIs:
        Keycloak's "+"), loopback URIs on any port (OIDC RP-Initiated Logout 1.0 §3)."""
        return _registered(uri, self.post_logout_redirect_uris + self.redirect_uris)

    def public(self) -> dict[str, Any]:
        """The registration as the control API shows it: the secret never in clear (issue 17), only
        a fingerprint to tell which one is registered."""
        digest = hashlib.sha256(self.client_secret.encode()).hexdigest()[:12]
        return {
            "client_id": self.client_id,
            "client_secret": f"(masqué / masked, sha256 {digest}…)",
            "redirect_uris": list(self.redirect_uris),
            "name": self.name,
            **({"jwks": dict(self.jwks)} if self.jwks else {}),
            **(
                {"post_logout_redirect_uris": list(self.post_logout_redirect_uris)}
                if self.post_logout_redirect_uris
                else {}
            ),
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
        after = data.get("post_logout_redirect_uris") or []
        if not isinstance(after, list) or not all(isinstance(u, str) and u for u in after):
            raise ValueError(f"client {cid!r}: post_logout_redirect_uris must be a list of URIs")
        for uri in uris + after:
            parts = urlsplit(uri)
            if parts.scheme not in ("http", "https") or not parts.netloc or parts.fragment:
                raise ValueError(
                    f"client {cid!r}: redirect URI {uri!r} must be an absolute http(s) URI "
                    "without fragment (RFC 6749 §3.1.2)"
                )
        jwks = data.get("jwks")
        if jwks is not None and (not isinstance(jwks, Mapping) or not isinstance(jwks.get("keys"), list)):
            raise ValueError(f"client {cid!r}: jwks must be a JWK Set {{'keys': [...]}} (RFC 7517 §5)")
        return cls(cid, secret, tuple(uris), str(data.get("name", "")), dict(jwks) if jwks else None, tuple(after))


#: the client registered for the DUI under test unless configured otherwise (test values, no secret)
DEFAULT_CLIENT = Client(
    "dui-harness-dui",
    "dui-harness-test-secret",
    ("http://127.0.0.1/harness/v1/psc/callback", "https://127.0.0.1/harness/v1/psc/callback"),
    "DUI under test (dui-harness)",
    post_logout_redirect_uris=(
        "http://127.0.0.1/harness/v1/psc/logged-out",
        "https://127.0.0.1/harness/v1/psc/logged-out",
    ),
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
    family: str = field(default_factory=lambda: secrets.token_hex(8))


@dataclass
class TokenGrant:
    """A live access token (``realm.token()`` returns it to every service that validates one)."""

    access_token: str
    client_id: str
    professional: Professional
    scope: str
    expires: float
    revoked: bool = False
    session: str = ""
    family: str = ""
    issued: float = field(default_factory=time.time)
    why_revoked: str = "its authorization code was replayed"


@dataclass
class RefreshGrant:
    """A refresh token: used once (rotation), until it expires or its family is revoked."""

    refresh_token: str
    family: str
    client_id: str
    professional: Professional
    scope: str
    session: str
    auth_time: int
    expires: float
    used: bool = False
    revoked: bool = False
    why_revoked: str = ""


class Realm:
    """Registrations and live grants of the simulated realm."""

    def __init__(
        self,
        professionals: ProfessionalBase,
        clients: tuple[Client, ...] = (DEFAULT_CLIENT,),
        *,
        code_lifetime: float = 60.0,
        access_token_lifetime: int = 300,
        refresh_token_lifetime: int = 1800,
    ) -> None:
        self.lock = threading.RLock()
        self.professionals = professionals
        self.clients = {c.client_id: c for c in clients}
        self.code_lifetime = code_lifetime
        self.access_token_lifetime = access_token_lifetime
        self.refresh_token_lifetime = refresh_token_lifetime
        self.selected: str | None = None
        self._codes: dict[str, CodeGrant] = {}
        self._tokens: dict[str, TokenGrant] = {}
        self._refresh: dict[str, RefreshGrant] = {}
        self._families: dict[str, list[str]] = {}
        self.ended_sessions: list[str] = []
        #: jti of the client assertions already used (private_key_jwt, RFC 7523 §3 item 7)
        self.assertion_ids: set[str] = set()
        #: CIBA authentication requests by auth_req_id (mocks.psc.ciba.CibaRequest)
        self.ciba: dict[str, Any] = {}
        self.ciba_consent = "approve"
        self.ciba_polls_before_consent = 1
        self.ciba_interval = 1
        self.ciba_lifetime = 120

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
                self.revoke_family(grant.family, "its authorization code was replayed")
                return None, (
                    "authorization code already used: codes are single-use; the tokens it gave are "
                    "now revoked (RFC 6749 §4.1.2)"
                )
            if time.time() > grant.expires:
                return None, f"authorization code expired (lifetime {self.code_lifetime:g} s)"
            grant.used = True
            return grant, ""

    def store_token(self, grant: CodeGrant | RefreshGrant | Any, access_token: str) -> TokenGrant:
        """Record an access token of ``grant`` (a code, refresh or CIBA grant: its family and session)."""
        with self.lock:
            if isinstance(grant, CodeGrant):
                grant.tokens.append(access_token)
            found = TokenGrant(
                access_token,
                grant.client_id,
                grant.professional,
                grant.scope,
                time.time() + self.access_token_lifetime,
                session=grant.session,
                family=grant.family,
            )
            self._tokens[access_token] = found
            self._families.setdefault(grant.family, []).append(access_token)
            return found

    def issue_refresh(self, grant: CodeGrant | RefreshGrant | Any) -> RefreshGrant:
        """A new refresh token in ``grant``'s family (``refresh_token_lifetime`` seconds)."""
        with self.lock:
            found = RefreshGrant(
                secrets.token_urlsafe(32),
                grant.family,
                grant.client_id,
                grant.professional,
                grant.scope,
                grant.session,
                grant.auth_time,
                time.time() + self.refresh_token_lifetime,
            )
            self._refresh[found.refresh_token] = found
            self._families.setdefault(grant.family, []).append(found.refresh_token)
            return found

    def use_refresh(self, refresh_token: str, client_id: str) -> tuple[RefreshGrant | None, str]:
        """The refresh grant of ``refresh_token``, now used (rotation), or ``(None, why)``; presenting a
        rotated refresh token again revokes its whole family (OAuth 2.0 Security BCP §4.14.2)."""
        with self.lock:
            found = self._refresh.get(refresh_token)
            if found is None:
                return None, "unknown refresh token"
            if found.client_id != client_id:
                return None, f"the refresh token was issued to client {found.client_id!r}, not to {client_id!r}"
            if found.revoked:
                return None, f"refresh token revoked ({found.why_revoked})"
            if found.used:
                self.revoke_family(found.family, "a rotated refresh token was presented again")
                return None, (
                    "refresh token already used: refresh tokens rotate, each is used once; its whole "
                    "family (access and refresh tokens) is now revoked (OAuth 2.0 Security BCP §4.14.2)"
                )
            if time.time() > found.expires:
                return None, f"refresh token expired (lifetime {self.refresh_token_lifetime} s)"
            found.used = True
            return found, ""

    def revoke_family(self, family: str, why: str) -> int:
        """Revoke every access and refresh token of ``family``; the number revoked."""
        count = 0
        with self.lock:
            for token in self._families.get(family, []):
                held = self._tokens.get(token) or self._refresh.get(token)
                if held is not None and not held.revoked:
                    held.revoked, held.why_revoked = True, why
                    count += 1
        return count

    def end_session(self, session: str) -> int:
        """Logout: revoke every family of the PSC session ``session``; the number of tokens revoked."""
        with self.lock:
            self.ended_sessions.append(session)
            families = {g.family for g in self._tokens.values() if g.session == session}
            families |= {g.family for g in self._refresh.values() if g.session == session}
            return sum(self.revoke_family(f, "the PSC session ended (logout)") for f in families)

    def revoke(self, token: str, client_id: str, hint: str | None = None) -> tuple[str, str]:
        """RFC 7009: ``(what was revoked: access_token | refresh_token | unknown, refusal or "")``.
        A refresh token takes its family with it (§2.1); an unknown token is no error (§2.2)."""
        with self.lock:
            kinds = ("refresh_token", "access_token") if hint == "refresh_token" else ("access_token", "refresh_token")
            for kind in kinds:
                held = (self._refresh if kind == "refresh_token" else self._tokens).get(token)
                if held is None:
                    continue
                if held.client_id != client_id:
                    return kind, f"the token was issued to client {held.client_id!r}, not to {client_id!r}"
                if kind == "refresh_token":
                    self.revoke_family(held.family, "its refresh token was revoked (RFC 7009)")
                else:
                    held.revoked, held.why_revoked = True, "revoked by its client (RFC 7009)"
                return kind, ""
        return "unknown", ""

    def token(self, access_token: str) -> tuple[TokenGrant | None, str]:
        with self.lock:
            found = self._tokens.get(access_token)
        if found is None:
            return None, "unknown access token"
        if found.revoked:
            return None, f"access token revoked ({found.why_revoked})"
        if time.time() > found.expires:
            return None, "access token expired"
        return found, ""

    def introspect(self, token: str, issuer: str) -> dict[str, Any]:
        """The RFC 7662 §2.2 answer for ``token`` (an access or refresh token): ``{"active": false}``
        unless it is live."""
        with self.lock:
            refresh = self._refresh.get(token)
        if refresh is not None:
            live = not (refresh.revoked or refresh.used) and time.time() <= refresh.expires
            if not live:
                return {"active": False}
            return {
                "active": True,
                "token_type": "refresh_token",
                "client_id": refresh.client_id,
                "scope": refresh.scope,
                "sub": refresh.professional.sub,
                "username": refresh.professional.id_nat,
                "exp": int(refresh.expires),
                "iss": issuer,
                "sid": refresh.session,
            }
        found, _ = self.token(token)
        if found is None:
            return {"active": False}
        return {
            "active": True,
            "token_type": "Bearer",
            "client_id": found.client_id,
            "scope": found.scope,
            "sub": found.professional.sub,
            "username": found.professional.id_nat,
            "preferred_username": found.professional.id_nat,
            "exp": int(found.expires),
            "iat": int(found.issued),
            "iss": issuer,
            "aud": "account",
            "sid": found.session,
            "acr": "eidas1",
        }

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
        gone = [t for t, r in self._refresh.items() if now > r.expires + 600]
        for token in gone:
            del self._refresh[token]

    def counts(self) -> dict[str, int]:
        with self.lock:
            return {
                "codes": len(self._codes),
                "access_tokens": len(self._tokens),
                "refresh_tokens": len(self._refresh),
                "ended_sessions": len(self.ended_sessions),
            }
