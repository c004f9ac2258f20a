"""Simulated MSSanté operator: SMTP submission and IMAP4rev1 on loopback, a test directory."""

from __future__ import annotations

from mocks.common.setup import SimulatorSetup
from mocks.mssante.app import MssSimulator
from mocks.mssante.directory import Account, Directory

__all__ = ["DUI_CERTIFICATE", "Account", "Directory", "MssSimulator", "create"]

#: the test PKI client certificate of the DUI's BAL applicative (CN in fixtures/mssante/annuaire.json)
DUI_CERTIFICATE = "client-mss-bal"


def create(setup: SimulatorSetup) -> MssSimulator:
    """The MSSanté simulator of a run, ``serve`` or ``python -m mocks.mssante``: control API on
    ``port``, mail listeners on ``smtp_port``, ``smtps_port``, ``imap_port``, ``imaps_port``.

    A message's CDA documents are judged once, with the run's CDA pack (``setup.cda_pack``, compiled before
    the DUI is triggered; ``python -m mocks.mssante --cda-pack DIR``); the suites read that judgement."""
    client = setup.pki.client(DUI_CERTIFICATE) if setup.pki is not None else None
    return MssSimulator(
        setup.recorder,
        tls=setup.tls,
        dui_certificate=client,
        port=setup.port(),
        smtp_port=setup.port("smtp_port"),
        smtps_port=setup.port("smtps_port"),
        imap_port=setup.port("imap_port"),
        imaps_port=setup.port("imaps_port"),
        cda_pack=setup.prepared_cda(),
    )
