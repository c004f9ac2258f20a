"""Simulated HL7 v2 partner (IHE PAM France identity feeds) over MLLP: listener, feeds, ACKs, control API."""

from __future__ import annotations

from mocks.common.setup import SimulatorSetup
from mocks.hl7v2.service import Hl7v2Service

__all__ = ["Hl7v2Service", "create"]


def create(setup: SimulatorSetup) -> Hl7v2Service:
    """The HL7 v2 simulator of a run, ``serve`` or ``python -m mocks.hl7v2``: control API on ``port``, MLLP
    listener on ``mllp_port`` (TLS with the run's test PKI, as every simulator)."""
    return Hl7v2Service(setup.recorder, port=setup.port(), mllp_port=setup.port("mllp_port"), tls=setup.tls)
