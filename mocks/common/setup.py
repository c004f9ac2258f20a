"""How every simulator is started — by ``run``, ``serve`` and ``python -m mocks.<package>`` alike.

Each service package exposes ``create(setup: SimulatorSetup) -> Simulator`` (declared in
:mod:`harness.services.builtin`); the three start-up paths build a :class:`SimulatorSetup` and
call it, so that TLS, ports, data files and run inputs are set up in one way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.core.recorder import Recorder
from harness.pki import TestPki, ensure_pki
from harness.validators.cda.pack import CdaPack, load_pack
from harness.validators.cda.warmup import Warmup, warm_up
from mocks.common.server import TlsSettings

__all__ = ["SimulatorSetup", "server_tls"]


def server_tls(pki: TestPki | None) -> TlsSettings | None:
    """The one TLS set-up of every simulator: the test PKI's server certificate, client certificates
    asked (not required) and checked against the test CA; None (plain HTTP) without a PKI."""
    if pki is None:
        return None
    return TlsSettings(pki.server_cert, pki.server_key, client_ca=pki.ca_cert, require_client_cert=False)


@dataclass(frozen=True)
class SimulatorSetup:
    """What a simulator factory receives.

    Attributes:
        recorder: the recorder shared by every simulator of the run or ``serve`` session.
        pki: the test PKI (TLS on), or None (plain HTTP).
        ports: port key -> port (keys of the service's declared ``ports``; 0 = a free port;
            a missing key = a free port).
        data_dir: where a simulator keeps its files (SQLite); None = in memory.
        cda_pack: the official CI-SIS artefact pack of the run (CDA checks), with the content-model versions the
            run pins, or None.
        cda_warmup: the run's compilation of that pack's artefacts, already started (:meth:`prepared_cda`).
        options: service-specific settings (``python -m`` options such as an identity base).
        fresh_data: remove data files left by an earlier run (``run``); False keeps them (``python -m``).
    """

    recorder: Recorder
    pki: TestPki | None = None
    ports: Mapping[str, int] = field(default_factory=dict)
    data_dir: Path | None = None
    cda_pack: CdaPack | None = None
    options: Mapping[str, Any] = field(default_factory=dict)
    fresh_data: bool = True
    cda_warmup: Warmup | None = None

    @classmethod
    def standalone(
        cls,
        *,
        port: int,
        tls_dir: Path | None,
        record_dir: Path | None,
        data_dir: Path | None = None,
        cda_pack: Path | None = None,
        **options: Any,
    ) -> SimulatorSetup:
        """The set-up of ``python -m mocks.<package> --port N [--tls-dir DIR] [--record-dir DIR]``."""
        pki = ensure_pki(tls_dir) if tls_dir is not None else None
        pack = load_pack(cda_pack) if cda_pack is not None else None
        return cls(Recorder(record_dir), pki, {"port": port}, data_dir, pack, options, fresh_data=False)

    @property
    def tls(self) -> TlsSettings | None:
        return server_tls(self.pki)

    def prepared_cda(self) -> CdaPack | None:
        """The run's CDA pack for a simulator that judges CDA documents, its artefacts compiled before the
        first document arrives (issue 10 item 3): by the run (``cda_warmup``, awaited before the DUI is
        triggered), else now, before the simulator serves (``python -m mocks.<package> --cda-pack``): Saxon
        keeps the interpreter while it compiles, so compiling while serving would stall every answer."""
        if self.cda_pack is not None and self.cda_warmup is None:
            warm_up(self.cda_pack, background=False)
        return self.cda_pack

    def port(self, key: str = "port") -> int:
        return int(self.ports.get(key, 0))

    def data_file(self, name: str) -> Path | None:
        """``<data_dir>/<name>`` (removed first when ``fresh_data``); None without a data folder (in memory)."""
        if self.data_dir is None:
            return None
        self.data_dir.mkdir(parents=True, exist_ok=True)
        path = self.data_dir / name
        if self.fresh_data:
            path.unlink(missing_ok=True)
        return path
