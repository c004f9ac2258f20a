"""The MSSanté operator checking XOAUTH2 tokens against the run's Pro Santé Connect simulator.

The operator of the API LPS accepts the access tokens Pro Santé Connect issued (Référentiel socle
MSSanté #2 ECO.1.2.x). :func:`link_psc` gives the MSSanté simulator the token lookup of the PSC
simulator's realm (:meth:`mocks.psc.realm.Realm.token`, read-only: unknown, expired and revoked
tokens are refused); ``run`` links them when both run, tests link their own pair.
"""

from __future__ import annotations

from typing import Any

from mocks.mssante.app import MssSimulator
from mocks.mssante.auth_oauth import BearerCheck, realm_lookup

__all__ = ["link_psc", "link_simulators"]


def link_psc(mss: MssSimulator, psc: Any) -> None:
    """Make ``mss`` accept the access tokens of the PSC simulator ``psc`` (its ``realm``)."""
    mss.bearer = BearerCheck(mss.lps, realm_lookup(psc.realm))


def link_simulators(simulators: dict[str, Any]) -> bool:
    """Link the ``MSS`` and ``PSC`` simulators of a run when both run; True when linked."""
    mss, psc = simulators.get("MSS"), simulators.get("PSC")
    if isinstance(mss, MssSimulator) and psc is not None and hasattr(psc, "realm"):
        link_psc(mss, psc)
        return True
    return False
