"""FHIR R4 server simulators: one engine (:mod:`~mocks.fhir.engine`, SQLite store), two services.

* :class:`EparcoursSimulator` (service ``EPARCOURS``): the TDDUI consumer (flux 1), a *SI tiers*
  as the IG names it (e.g. CNSA SIDOBA); no regional e-parcours platform is simulated;
* :class:`EprescSimulator` (service ``EPRESC``): the e-prescription teleservice, its payload
  modelled on FHIR R4 by a swappable shape (an assumption, see :mod:`~mocks.fhir.epresc_shape`).

Two simulators rather than one server with two bases: in reality they are two services run by
different operators at different addresses, with their own outages; each gets its own port,
its own recorder service name (what the suites filter on), its own faults and store, and its
own ``PUT /config/endpoints`` entry (``eparcours``, ``epresc``) with the FHIR base as ``url``.
"""

from __future__ import annotations

from mocks.common.setup import SimulatorSetup
from mocks.fhir.app import FhirSimulator
from mocks.fhir.eparcours import EparcoursSimulator
from mocks.fhir.epresc import EprescSimulator

__all__ = ["EparcoursSimulator", "EprescSimulator", "FhirSimulator", "create_eparcours", "create_epresc"]


def create_eparcours(setup: SimulatorSetup) -> EparcoursSimulator:
    """The e-parcours simulator (SQLite store ``fhir-eparcours.sqlite3`` under the data folder), judging the
    CDA documents of TDDUI bundles with the run's CDA pack."""
    return EparcoursSimulator(
        setup.recorder,
        port=setup.port(),
        tls=setup.tls,
        db_path=setup.data_file("fhir-eparcours.sqlite3"),
        cda_pack=setup.prepared_cda(),
    )


def create_epresc(setup: SimulatorSetup) -> EprescSimulator:
    """The e-prescription simulator (SQLite store ``fhir-epresc.sqlite3`` under the data folder)."""
    return EprescSimulator(
        setup.recorder, port=setup.port(), tls=setup.tls, db_path=setup.data_file("fhir-epresc.sqlite3")
    )
