"""Simulated DMP (Mon espace santé): XDS.b registry and repository with the DMP security context."""

from __future__ import annotations

from pathlib import Path

from mocks.common.setup import SimulatorSetup
from mocks.dmp.app import PATHS, REPOSITORY_ID, DmpSimulator

__all__ = ["PATHS", "REPOSITORY_ID", "DmpSimulator", "create"]

#: the test PKI certificate the DMP's VIHF assertions are signed with
SIGNING_CERTIFICATE = "signing-vihf"


def create(setup: SimulatorSetup) -> DmpSimulator:
    """The DMP simulator of a run, ``serve`` or ``python -m mocks.dmp`` (SQLite registry under the data
    folder, or option ``db_path``; in memory without either).

    A DUI's submission is judged once with the run's CDA pack (``setup.cda_pack``; ``python -m mocks.dmp
    --cda-pack DIR``), the judgement kept on the exchange for the suites; what the simulated DMP refuses
    does not depend on the pack (:mod:`mocks.dmp.policy`). Option ``xds_schemas`` (``python -m mocks.dmp
    --xds-schemas DIR``): the IHE XDS.b and OASIS ebRS 3.0 schemas every request is validated against.
    """
    db = setup.options.get("db_path") or setup.data_file("dmp-registry.sqlite3")
    signing = setup.pki.client(SIGNING_CERTIFICATE) if setup.pki is not None else None
    # the pack's schematrons are compiled before the DUI is triggered (SimulatorSetup.prepared_cda), so that
    # judging a submission with the pack never stalls the DUI's call; the suites reuse this judgement
    schemas = setup.options.get("xds_schemas")
    return DmpSimulator(
        setup.recorder,
        port=setup.port(),
        tls=setup.tls,
        db_path=db,
        pack=setup.prepared_cda(),
        signing=signing,
        xds_schemas=Path(schemas) if schemas else None,
    )
