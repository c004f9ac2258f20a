"""Simulated INSi teleservice (CNAM): search of the INS by identity traits or Vitale card."""

from __future__ import annotations

from mocks.common.setup import SimulatorSetup
from mocks.insi.app import InsiSimulator
from mocks.insi.identity_base import IdentityBase, Person

__all__ = ["IdentityBase", "InsiSimulator", "Person", "create"]


def create(setup: SimulatorSetup) -> InsiSimulator:
    """The INSi simulator of a run, ``serve`` or ``python -m mocks.insi`` (options ``identities``: an
    :class:`IdentityBase`, ``accepted_idam``: a set of IDAM)."""
    return InsiSimulator(
        setup.recorder,
        port=setup.port(),
        tls=setup.tls,
        identities=setup.options.get("identities"),
        accepted_idam=setup.options.get("accepted_idam"),
    )
