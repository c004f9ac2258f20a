"""The reference DUI's DMP calls backed by its user's Pro Santé Connect session (SC.DMP/PSC.01).

When a professional is signed in with PSC (:mod:`reference_dui.psc.feature`: a session holding an
access token), every DMP call (TD0.2, ITI-41, ITI-18, ITI-43, ITI-57) carries, as the project's
stated model says (README, catalog row ``DMP-PSC-01``; the DMPi guide is not public):

* the access token in ``Authorization: Bearer <token>`` (RFC 6750 §2.1), over the same mutual-TLS
  connection as the organisation's calls;
* a VIHF whose ``Subject/NameID`` is the professional's idNat and whose ``Authentification_Mode``
  is ``DIRECTE`` (PSC is an *authentification directe* in the CI-SIS REST transport volume).

Without a PSC session (a local password login, or nobody signed in), the calls stay the
organisation's (``INDIRECTE``, the default author). The token is read when each call is made, so
a refreshed token is the one sent, and it is never logged. Defect switches: ``dmp_no_psc_token``
(no Bearer header), ``dmp_vihf_not_psc_user`` (the VIHF keeps the organisation's default author).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

__all__ = ["PscIdentity", "psc_identity"]

#: the VIHF Authentification_Mode of a PSC-backed call (stated model)
PSC_MODE = "DIRECTE"


@dataclass(frozen=True)
class PscIdentity:
    """What a PSC-backed DMP call carries: the Bearer token (None: left out) and the VIHF NameID."""

    bearer: str | None
    name_id: str | None
    auth_mode: str = PSC_MODE

    def vihf(self) -> dict[str, Any]:
        """The keyword arguments of :func:`reference_dui.dmp.vihf.build_assertion` for this identity."""
        return {"name_id": self.name_id, "auth_mode": self.auth_mode}


def _psc_feature(features: Iterable[Any]) -> Any:
    return next((f for f in features if callable(getattr(f, "access_token", None))), None)


def psc_identity(features: Iterable[Any], defects: frozenset[str]) -> PscIdentity | None:
    """The PSC identity of the DMP calls while a professional is signed in with PSC, else None."""
    feature = _psc_feature(features)
    token = feature.access_token() if feature is not None else None
    if not token:
        return None
    professional = feature.current_professional()
    return PscIdentity(
        bearer=None if "dmp_no_psc_token" in defects else str(token),
        name_id=None if "dmp_vihf_not_psc_user" in defects else (str(professional) if professional else None),
    )
