"""Signing keys and tokens of the Pro Santé Connect simulator (JWS RS256 with joserfc).

:class:`TokenSigner` holds the realm's RSA key (published in the JWKS) and signs ID tokens
and access tokens. :meth:`TokenSigner.id_token` can also issue a *deliberately bad* ID token
for the relying party's checks (``defect``): a wrong signature (signed by another key under
the same ``kid``), ``alg: none``, a wrong issuer (the PSC sandbox issuer), an expired token,
another audience, or another nonce.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
from collections.abc import Mapping
from typing import Any

from joserfc import jwt
from joserfc.jwk import RSAKey

__all__ = ["ID_TOKEN_DEFECTS", "OTHER_AUDIENCE", "SANDBOX_ISSUER", "TokenSigner", "half_hash"]

ALG = "RS256"
#: the issuer of the real PSC sandbox: a token from another environment (wrong_issuer)
SANDBOX_ISSUER = "https://auth.bas.psc.esante.gouv.fr/auth/realms/esante-wallet"
OTHER_AUDIENCE = "another-psc-client"
ID_TOKEN_DEFECTS = ("bad_signature", "alg_none", "wrong_issuer", "expired", "wrong_audience", "wrong_nonce")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def half_hash(value: str) -> str:
    """``at_hash`` of an access token for RS256: left half of its SHA-256, base64url (OIDC §3.1.3.6)."""
    digest = hashlib.sha256(value.encode("ascii")).digest()
    return _b64(digest[: len(digest) // 2])


class TokenSigner:
    """The realm's signing key and the tokens it signs.

    Args:
        issuer: the ``iss`` of every token.
        id_token_lifetime: seconds before an ID token expires.
    """

    def __init__(self, issuer: str, *, id_token_lifetime: int = 300) -> None:
        self.issuer = issuer
        self.id_token_lifetime = id_token_lifetime
        self.kid = "psc-sim-" + secrets.token_hex(4)
        self._key = RSAKey.generate_key(2048, parameters={"kid": self.kid, "use": "sig", "alg": ALG}, private=True)
        self._rogue: RSAKey | None = None

    def jwks(self) -> dict[str, Any]:
        """The public JWK Set (``jwks_uri``)."""
        return {"keys": [self._key.as_dict(private=False)]}

    def _sign(self, claims: Mapping[str, Any], key: RSAKey | None = None, typ: str = "JWT") -> str:
        header = {"alg": ALG, "kid": self.kid, "typ": typ}
        return jwt.encode(header, dict(claims), key or self._key)

    def access_token(self, *, sub: str, client_id: str, scope: str, lifetime: int, session: str) -> str:
        """A signed JWT access token (Keycloak issues JWTs; clients must treat it as opaque)."""
        now = int(time.time())
        return self._sign(
            {
                "iss": self.issuer,
                "sub": sub,
                "azp": client_id,
                "aud": "account",
                "typ": "Bearer",
                "scope": scope,
                "iat": now,
                "exp": now + lifetime,
                "jti": secrets.token_urlsafe(12),
                "sid": session,
                "acr": "eidas1",
            },
            typ="at+jwt",
        )

    def id_token_claims(
        self,
        *,
        sub: str,
        client_id: str,
        nonce: str | None,
        access_token: str,
        auth_time: int,
        session: str,
        preferred_username: str,
        defect: str | None = None,
    ) -> dict[str, Any]:
        """The ID token claims, possibly altered by ``defect`` (see :data:`ID_TOKEN_DEFECTS`)."""
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "sub": sub,
            "aud": client_id,
            "azp": client_id,
            "exp": now + self.id_token_lifetime,
            "iat": now,
            "auth_time": auth_time,
            "acr": "eidas1",
            "at_hash": half_hash(access_token),
            "sid": session,
            "preferred_username": preferred_username,
            "jti": secrets.token_urlsafe(12),
        }
        if nonce is not None:
            claims["nonce"] = nonce
        if defect == "wrong_issuer":
            claims["iss"] = SANDBOX_ISSUER
        elif defect == "expired":
            claims.update(iat=now - 900, exp=now - 600, auth_time=now - 900)
        elif defect == "wrong_audience":
            claims.update(aud=OTHER_AUDIENCE, azp=OTHER_AUDIENCE)
        elif defect == "wrong_nonce":
            claims["nonce"] = secrets.token_urlsafe(16)
        return claims

    def sign_id_token(self, claims: Mapping[str, Any], defect: str | None = None) -> str:
        """The compact JWS of ``claims``: correctly signed, or broken as ``defect`` says."""
        if defect is not None and defect not in ID_TOKEN_DEFECTS:
            raise ValueError(f"unknown ID token defect {defect!r}; known: {', '.join(ID_TOKEN_DEFECTS)}")
        if defect == "alg_none":
            header = {"alg": "none", "typ": "JWT"}
            parts = (json.dumps(header).encode(), json.dumps(dict(claims)).encode())
            return f"{_b64(parts[0])}.{_b64(parts[1])}."
        if defect == "bad_signature":
            if self._rogue is None:
                self._rogue = RSAKey.generate_key(2048, parameters={"kid": self.kid, "alg": ALG}, private=True)
            return self._sign(claims, self._rogue)
        return self._sign(claims)

    def verify(self, token: str) -> dict[str, Any]:
        """The claims of a token this signer issued (``ValueError`` when it did not)."""
        try:
            decoded = jwt.decode(token, self._key, algorithms=[ALG])
        except Exception as exc:  # joserfc raises several error types for malformed input
            raise ValueError(f"not a token of this realm: {type(exc).__name__}") from None
        return dict(decoded.claims)
