"""Simulated INSi teleservice (CNAM): search of the INS by identity traits or Vitale card."""

from __future__ import annotations

from mocks.insi.app import InsiSimulator
from mocks.insi.identity_base import IdentityBase, Person

__all__ = ["IdentityBase", "InsiSimulator", "Person"]
