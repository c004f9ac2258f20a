"""Simulated Pro Santé Connect (ANS): the OpenID Connect provider of the health professionals."""

from __future__ import annotations

from mocks.psc.app import PscSimulator
from mocks.psc.professionals import Professional, ProfessionalBase
from mocks.psc.realm import DEFAULT_CLIENT, Client

__all__ = ["DEFAULT_CLIENT", "Client", "Professional", "ProfessionalBase", "PscSimulator"]
