"""PSC-backed INSi calls (``SC.INS/PSC.01``): our stated model, checked by the INSi simulator.

The requirement asks the DUI, when its users sign in with Pro Santé Connect, to use PSC for the
secured calls to the INSi teleservice "en application du volet transport PSC du CI-SIS" and to
carry the user's identity; its reference to the CI-SIS paragraph is a placeholder
(``[ICI LE LIEN CI-SIS ET LE PARAGRAPHE CONCERNE]``) and no public INSi contract describes a PSC
mode. **Assumption** (documented in the README and the catalog row ``INS-PSC-01``): the DUI sends
the same SOAP 1.2 request, over the same TLS connection, with the professional's PSC access token
in ``Authorization: Bearer <token>`` (RFC 6750 §2.1, as the CI-SIS transport volume does for
PSC-protected APIs). INSi accepts the token when the PSC realm knows it (issued, not expired, not
revoked) and takes the professional from it.

The token is resolved through the PSC simulator's realm (:meth:`mocks.psc.realm.Realm.token`,
read only); the exchange keeps a short, non-reversible id of the token, never the token.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mocks.psc.realm import short_id

__all__ = ["PscResolver", "bearer_token", "psc_context", "realm_resolver"]

#: token -> ``(professional idNat, client_id, None)`` when the realm knows it, else ``(None, None, why)``
PscResolver = Callable[[str], tuple[str | None, str | None, str | None]]


def bearer_token(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer`` header (RFC 6750 §2.1), or None."""
    if not authorization:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def realm_resolver(psc: Any) -> PscResolver:
    """A resolver over the live realm of the PSC simulator ``psc`` (its realm is replaced on reset)."""

    def resolve(token: str) -> tuple[str | None, str | None, str | None]:
        grant, why = psc.realm.token(token)
        if grant is None:
            return None, None, str(why)
        return str(grant.professional.id_nat), str(grant.client_id), None

    return resolve


def psc_context(authorization: str | None, resolver: PscResolver | None) -> dict[str, Any] | None:
    """What INSi learns from a PSC-backed call: the token's short id, whether PSC knows it, for whom."""
    token = bearer_token(authorization)
    if token is None:
        return None
    if resolver is None:
        return {"token": short_id(token), "known": None, "professional": None, "client_id": None, "reason": None}
    professional, client_id, why = resolver(token)
    return {
        "token": short_id(token),
        "known": why is None,
        "professional": professional,
        "client_id": client_id,
        "reason": why,
    }
