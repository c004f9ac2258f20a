"""Simulated Pro Santé Connect (ANS): the OpenID Connect provider of the health professionals."""

from __future__ import annotations

from mocks.common.setup import SimulatorSetup
from mocks.psc.app import PscSimulator
from mocks.psc.professionals import Professional, ProfessionalBase
from mocks.psc.realm import DEFAULT_CLIENT, Client

__all__ = ["DEFAULT_CLIENT", "Client", "Professional", "ProfessionalBase", "PscSimulator", "create"]


def create(setup: SimulatorSetup) -> PscSimulator:
    """The PSC simulator of a run, ``serve`` or ``python -m mocks.psc`` (options ``professionals``,
    ``clients``)."""
    return PscSimulator(
        setup.recorder,
        port=setup.port(),
        tls=setup.tls,
        professionals=setup.options.get("professionals"),
        clients=setup.options.get("clients", (DEFAULT_CLIENT,)),
    )
