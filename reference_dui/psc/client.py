"""The reference DUI as an OpenID Connect client (relying party) of Pro Santé Connect.

Its own logic, with ``requests`` and ``joserfc`` only (nothing from the harness): discovery,
the authorization request (``scope=openid scope_all``, ``acr_values=eidas1``, ``state``,
``nonce``, PKCE S256, ``login_hint``), the code exchange (``client_secret_basic``), ID token
validation as OIDC Core §3.1.3.7 lists it (signature with the JWKS key named by ``kid``,
``iss``, ``aud``/``azp``, ``exp``/``iat``, ``nonce``, ``acr``), and userinfo (its ``sub`` must be
the ID token's). Each defect switch ``psc_*`` removes exactly one of these checks.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import requests
from joserfc import jwt
from joserfc.jwk import KeySet

__all__ = ["LoginRefused", "Pending", "PscClient", "PscSettings"]

CLOCK_SKEW = 60
SCOPE = "openid scope_all"


class LoginRefused(Exception):
    """The login does not succeed. ``outcome`` is ``refused`` (the DUI refused what it received)
    or ``error`` (PSC answered an error or could not be reached)."""

    def __init__(self, outcome: str, message: str) -> None:
        super().__init__(message)
        self.outcome = outcome
        self.message = message


@dataclass(frozen=True)
class PscSettings:
    """Where Pro Santé Connect is and how the DUI is registered there."""

    issuer: str
    client_id: str
    client_secret: str
    discovery: str = ""
    ca: Path | None = None

    @property
    def discovery_url(self) -> str:
        return self.discovery or self.issuer.rstrip("/") + "/.well-known/openid-configuration"


@dataclass
class Pending:
    """One authorization request in progress, found again by its ``state``."""

    state: str
    nonce: str
    verifier: str
    redirect_uri: str
    created: float = field(default_factory=time.time)
    pkce: bool = True


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unverified_claims(token: str) -> dict[str, Any]:
    """The payload of a JWS without checking anything (used only by the bad-signature defect)."""
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError) as exc:
        raise LoginRefused("refused", f"ID token is not a JWS: {exc}") from None
    if not isinstance(claims, dict):
        raise LoginRefused("refused", "ID token payload is not a JSON object")
    return claims


class PscClient:
    """One configured relying party. Thread-safe for concurrent logins (caches are replaced whole).

    Args:
        settings: issuer, client registration, CA.
        defects: the reference DUI's defect switches (only ``psc_*`` ones matter here).
        timeout: seconds for each HTTP call.
    """

    def __init__(self, settings: PscSettings, defects: frozenset[str] = frozenset(), timeout: float = 5.0) -> None:
        self.settings = settings
        self.defects = defects
        self.timeout = timeout
        self.http = requests.Session()
        self.http.trust_env = False
        self.http.verify = str(settings.ca) if settings.ca else True
        self._metadata: dict[str, Any] | None = None
        self._keys: KeySet | None = None

    def close(self) -> None:
        self.http.close()

    # -- calls ------------------------------------------------------------------------------
    def _json(self, method: str, url: str, what: str, **kwargs: Any) -> dict[str, Any]:
        try:
            response = self.http.request(method, url, timeout=self.timeout, **kwargs)
        except requests.RequestException as exc:
            raise LoginRefused("error", f"Pro Santé Connect unreachable ({what}): {type(exc).__name__}") from None
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.status_code != 200:
            detail = ""
            if isinstance(body, dict) and body.get("error"):
                detail = f": {body.get('error')} — {body.get('error_description', '')}"
            raise LoginRefused("error", f"Pro Santé Connect answered HTTP {response.status_code} to {what}{detail}")
        if not isinstance(body, dict):
            raise LoginRefused("error", f"Pro Santé Connect answered {what} with a body that is not a JSON object")
        return body

    def metadata(self) -> dict[str, Any]:
        if self._metadata is None:
            found = self._json("GET", self.settings.discovery_url, "the discovery request")
            if found.get("issuer") != self.settings.issuer:  # OpenID Connect Discovery §4.3
                raise LoginRefused(
                    "refused",
                    f"discovery document of issuer {found.get('issuer')!r}, expected {self.settings.issuer!r}",
                )
            for name in ("authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri"):
                if not isinstance(found.get(name), str):
                    raise LoginRefused("error", f"discovery document without {name}")
            self._metadata = found
        return self._metadata

    def _key_set(self, refresh: bool = False) -> KeySet:
        if self._keys is None or refresh:
            data = self._json("GET", self.metadata()["jwks_uri"], "the JWKS request")
            try:
                self._keys = KeySet.import_key_set(data)  # type: ignore[arg-type]
            except Exception as exc:  # joserfc raises various errors on a malformed set
                raise LoginRefused("refused", f"the JWKS cannot be read: {type(exc).__name__}") from None
        return self._keys

    # -- the flow ---------------------------------------------------------------------------
    def basic_auth(self) -> dict[str, str]:
        """``Authorization: Basic`` of the client (client_secret_basic, RFC 6749 §2.3.1)."""
        credentials = f"{quote(self.settings.client_id, safe='')}:{quote(self.settings.client_secret, safe='')}"
        return {"Authorization": "Basic " + base64.b64encode(credentials.encode()).decode("ascii")}

    def authorization_request(
        self, redirect_uri: str, login_hint: str | None, *, pkce: bool = True
    ) -> tuple[str, Pending]:
        pending = Pending(
            state=secrets.token_urlsafe(24),
            nonce=secrets.token_urlsafe(24),
            verifier=secrets.token_urlsafe(48),
            redirect_uri=redirect_uri,
            pkce=pkce,
        )
        scope = "scope_all" if "psc_scope_without_openid" in self.defects else SCOPE  # 'openid' forgotten
        params = {
            "response_type": "code",
            "client_id": self.settings.client_id,
            "redirect_uri": redirect_uri,
            "scope": scope,
            "state": pending.state,
            "nonce": pending.nonce,
        }
        if pending.pkce:
            params["code_challenge"] = _b64url(hashlib.sha256(pending.verifier.encode()).digest())
            params["code_challenge_method"] = "S256"
        if "psc_no_acr_eidas1" not in self.defects:
            params["acr_values"] = "eidas1"
        if login_hint:
            params["login_hint"] = login_hint
        endpoint = self.metadata()["authorization_endpoint"]
        return endpoint + ("&" if "?" in endpoint else "?") + urlencode(params), pending

    def exchange_code(self, code: str, pending: Pending) -> dict[str, Any]:
        data = {"grant_type": "authorization_code", "code": code, "redirect_uri": pending.redirect_uri}
        if pending.pkce:
            data["code_verifier"] = pending.verifier
        return self.token_request(data, "the token request")

    def token_request(self, data: dict[str, str], what: str) -> dict[str, Any]:
        """A token endpoint call (any grant): the checked token response."""
        tokens = self._json(
            "POST",
            self.metadata()["token_endpoint"],
            what,
            data=data,
            headers={} if "psc_token_no_client_auth" in self.defects else self.basic_auth(),
        )
        for name in ("access_token", "id_token"):
            if not isinstance(tokens.get(name), str) or not tokens[name]:
                raise LoginRefused("refused", f"the token response has no {name}")
        if str(tokens.get("token_type", "")).lower() != "bearer":
            raise LoginRefused("refused", f"token_type {tokens.get('token_type')!r}, expected Bearer")
        return tokens

    def validate_id_token(self, id_token: str, pending: Pending | None) -> dict[str, Any]:
        """OIDC Core §3.1.3.7; ``pending`` None for a token without nonce (refresh, CIBA)."""
        claims = self._checked_signature(id_token)
        settings = self.settings
        if "psc_accept_wrong_issuer" not in self.defects and claims.get("iss") != settings.issuer:
            raise LoginRefused("refused", f"ID token issued by {claims.get('iss')!r}, not by {settings.issuer!r}")
        if "psc_accept_wrong_audience" not in self.defects:
            audience = claims.get("aud")
            audiences = audience if isinstance(audience, list) else [audience]
            if settings.client_id not in audiences:
                raise LoginRefused(
                    "refused",
                    f"ID token audience {audience!r} does not contain this DUI's client_id {settings.client_id!r}",
                )
            if len(audiences) > 1 and claims.get("azp") != settings.client_id:
                raise LoginRefused("refused", "ID token with several audiences and an azp that is not this DUI")
        now = time.time()
        exp, iat = claims.get("exp"), claims.get("iat")
        if not isinstance(exp, int | float) or not isinstance(iat, int | float):
            raise LoginRefused("refused", "ID token without numeric exp and iat")
        if "psc_accept_expired" not in self.defects and now > exp + CLOCK_SKEW:
            raise LoginRefused("refused", f"ID token expired {int(now - exp)} s ago")
        if iat > now + CLOCK_SKEW:
            raise LoginRefused("refused", "ID token issued in the future (iat)")
        nonce = pending.nonce if pending is not None else None
        if "psc_no_nonce_check" not in self.defects and claims.get("nonce") != nonce:
            raise LoginRefused("refused", "ID token nonce is not the one of this login (replayed token?)")
        if "psc_no_acr_eidas1" not in self.defects and claims.get("acr") not in (None, "eidas1"):
            raise LoginRefused("refused", f"ID token acr {claims.get('acr')!r}, eidas1 was asked for")
        if not isinstance(claims.get("sub"), str) or not claims["sub"]:
            raise LoginRefused("refused", "ID token without sub")
        return claims

    def _checked_signature(self, id_token: str) -> dict[str, Any]:
        if "psc_accept_bad_signature" in self.defects:
            return _unverified_claims(id_token)
        algorithms = self.metadata().get("id_token_signing_alg_values_supported") or ["RS256"]
        algorithms = [a for a in algorithms if isinstance(a, str) and a != "none"] or ["RS256"]
        reason = ""
        for refresh in (False, True):  # an unknown kid may be a key rotation: fetch the JWKS again once
            try:
                return dict(jwt.decode(id_token, self._key_set(refresh), algorithms=algorithms).claims)
            except LoginRefused:
                raise
            except Exception as exc:  # joserfc: BadSignatureError, DecodeError, unknown kid…
                reason = f"{type(exc).__name__}: {exc}".strip(": ")
        raise LoginRefused("refused", f"ID token signature not verified with the PSC keys ({reason})")

    def userinfo(self, access_token: str, sub: str) -> dict[str, Any]:
        claims = self._json(
            "GET",
            self.metadata()["userinfo_endpoint"],
            "the userinfo request",
            headers={"Authorization": f"Bearer {access_token}", "Accept": "application/json"},
        )
        if "psc_no_userinfo_sub_check" not in self.defects and claims.get("sub") != sub:
            raise LoginRefused(
                "refused", f"userinfo sub {claims.get('sub')!r} is not the ID token's sub {sub!r} (OIDC Core §5.3.2)"
            )
        if not isinstance(claims.get("SubjectNameID"), str) or not claims["SubjectNameID"]:
            raise LoginRefused("refused", "userinfo without SubjectNameID: the professional cannot be identified")
        return claims
