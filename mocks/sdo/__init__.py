"""The SI-SdO simulator (CNSA orientation decisions, ANS IG ``ans.fhir.fr.sdo``): service ``SDO``.

The DUI of a disability-sector ESMS is the SdO's client: it reads the orientation decisions notified to
its ESMS (flux 1), sends the person's accord (flux 2), reads the evaluation (flux 3), sends its statuses
(flux 4) and reads the SdO's notifications (flux 5). See :mod:`mocks.sdo.service`.
"""

from __future__ import annotations

from mocks.common.setup import SimulatorSetup
from mocks.sdo.service import SdoSimulator

__all__ = ["SdoSimulator", "create"]


def create(setup: SimulatorSetup) -> SdoSimulator:
    """The SdO simulator (SQLite store ``fhir-sdo.sqlite3`` under the data folder)."""
    return SdoSimulator(setup.recorder, port=setup.port(), tls=setup.tls, db_path=setup.data_file("fhir-sdo.sqlite3"))
