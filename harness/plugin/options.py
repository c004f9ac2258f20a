"""Command-line options and ini settings of the dui-harness pytest plugin."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from harness import services
from harness.validators.cda.pack import ENGINE_ENV, ROUTES, CdaPack, engine_from_env, load_pack
from harness.validators.cda.pack import ENV_VAR as PACK_ENV_VAR

__all__ = ["RunSettings", "add_options", "settings_from"]

DEFAULT_PROFILE = "segur-dui"


def add_options(parser: pytest.Parser) -> None:
    group = parser.getgroup("dui-harness", "DUI conformity (dui-harness)")
    group.addoption(
        "--dui-profile",
        default=DEFAULT_PROFILE,
        metavar="NAME[@VERSION]",
        help=f"requirement profile to check (default: {DEFAULT_PROFILE})",
    )
    group.addoption(
        "--dui-sut",
        default=None,
        metavar="URL",
        help="trigger API of the DUI under test; default: the bundled reference DUI",
    )
    group.addoption(
        "--dui-attended",
        action="store_true",
        default=False,
        help="attended mode: an operator performs each action in the DUI",
    )
    group.addoption(
        "--dui-defect",
        action="append",
        default=[],
        metavar="NAME",
        help="reference DUI only: switch on a named defect (repeatable)",
    )
    group.addoption(
        "--dui-reports",
        default="reports",
        metavar="DIR",
        help="output folder for exchanges, coverage matrix (default: ./reports)",
    )
    group.addoption(
        "--dui-pki", default=None, metavar="DIR", help="test PKI folder (default: <reports>/pki, created when missing)"
    )
    insi = services.get("INS").ports["port"]
    group.addoption(
        "--dui-insi-port",
        type=int,
        default=None,
        metavar="PORT",
        help=f"INSi simulator port (default: free port with the reference DUI, {insi} with --dui-sut)",
    )
    group.addoption(
        "--dui-free-ports",
        action="store_true",
        default=False,
        help="every simulator on a free port (the DUI accepts PUT /config/endpoints)",
    )
    group.addoption(
        "--dui-no-tls",
        action="store_true",
        default=False,
        help="serve the simulators over plain HTTP (authentication checks become warnings)",
    )
    group.addoption(
        "--dui-cda-pack",
        default=None,
        metavar="DIR",
        help=f"official CI-SIS artefact pack for the CDA checks, handed to the simulators and the "
        f"suites (default: ${PACK_ENV_VAR}, else the embedded rules only)",
    )
    group.addoption(
        "--dui-schematron-engine",
        default=None,
        choices=ROUTES,
        help="compilation des schématrons officiels : compilateur du projet (défaut) ou chaîne ANS du paquet / "
        "how the official schematrons are compiled: the project's compiler (default) or the pack's ANS pipeline "
        f"(default: ${ENGINE_ENV}, else harness)",
    )
    group.addoption(
        "--dui-xds-schemas",
        default=None,
        metavar="DIR",
        help="IHE XDS.b and OASIS ebRS 3.0 schemas handed to the DMP simulator (see dui-harness run --xds-schemas)",
    )
    group.addoption(
        "--dui-exchange-timeout",
        type=float,
        default=None,
        metavar="SECONDS",
        help="how long to wait for the DUI's exchanges (default 15 s, 180 s attended)",
    )


@dataclass(frozen=True)
class RunSettings:
    """Everything a conformance run was asked to do."""

    profile: str = DEFAULT_PROFILE
    sut_url: str | None = None
    attended: bool = False
    defects: tuple[str, ...] = ()
    reports: Path = Path("reports")
    pki_dir: Path = Path("reports/pki")
    #: service id -> port key -> port, asked on the command line (the others: declared or free)
    ports: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    tls: bool = True
    #: the official CI-SIS artefact pack handed to every CDA check of the run (simulators and suites)
    cda_pack: Path | None = None
    #: the IHE XDS.b + OASIS ebRS 3.0 schemas the DMP simulator validates every request against (None: not)
    xds_schemas: Path | None = None
    #: the content-model versions the run's profile pins (``[cda] model_versions``), handed with the pack
    cda_model_versions: tuple[tuple[str, str], ...] = ()
    #: how the pack's schematrons are compiled (``harness`` or ``ans``), handed with the pack (:attr:`CdaPack.route`)
    schematron_engine: str = "harness"
    exchange_timeout: float = 15.0
    extra: dict[str, str] = field(default_factory=dict)

    free_ports_asked: bool = False

    def cda(self) -> CdaPack | None:
        """The run's CDA pack with the profile's pins: what every CDA check of the run receives (the
        simulators through :class:`mocks.common.setup.SimulatorSetup`, the suites through the ``cda_pack``
        fixture), never an environment variable."""
        if self.cda_pack is None:
            return None
        return load_pack(self.cda_pack, model_versions=self.cda_model_versions, route=self.schematron_engine)

    @property
    def uses_reference_dui(self) -> bool:
        return self.sut_url is None and not self.attended

    @property
    def free_ports(self) -> bool:
        """Every simulator on a free port: the reference DUI, or a DUI told where they are through
        ``PUT /config/endpoints`` (``--dui-free-ports``, or ``--dui-insi-port 0``). Otherwise each
        simulator listens on its documented fixed port, for a DUI configured beforehand."""
        return self.uses_reference_dui or self.free_ports_asked or self.ports.get("INS", {}).get("port") == 0


def settings_from(config: pytest.Config) -> RunSettings:
    opt = config.option
    reports = Path(opt.dui_reports).resolve()
    sut_url = opt.dui_sut
    ports = {"INS": {"port": int(opt.dui_insi_port)}} if opt.dui_insi_port is not None else {}
    pack = opt.dui_cda_pack or os.environ.get(PACK_ENV_VAR, "").strip() or None  # the variable: a default only
    timeout = opt.dui_exchange_timeout or (180.0 if opt.dui_attended else 15.0)
    return RunSettings(
        profile=opt.dui_profile,
        sut_url=sut_url,
        attended=opt.dui_attended,
        defects=tuple(opt.dui_defect),
        reports=reports,
        pki_dir=Path(opt.dui_pki).resolve() if opt.dui_pki else reports / "pki",
        ports=ports,
        tls=not opt.dui_no_tls,
        cda_pack=Path(pack).resolve() if pack else None,
        xds_schemas=Path(opt.dui_xds_schemas).resolve() if opt.dui_xds_schemas else None,
        # the variable: a default only, read here once, never by the validators
        schematron_engine=opt.dui_schematron_engine or engine_from_env() or "harness",
        exchange_timeout=timeout,
        free_ports_asked=opt.dui_free_ports,
    )
