"""Command-line options and ini settings of the dui-harness pytest plugin."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

__all__ = ["RunSettings", "add_options", "settings_from"]

DEFAULT_PROFILE = "segur-dui"


def add_options(parser: pytest.Parser) -> None:
    group = parser.getgroup("dui-harness", "DUI conformity (dui-harness)")
    group.addoption("--dui-profile", default=DEFAULT_PROFILE, metavar="NAME[@VERSION]",
                    help=f"requirement profile to check (default: {DEFAULT_PROFILE})")
    group.addoption("--dui-sut", default=None, metavar="URL",
                    help="trigger API of the DUI under test; default: the bundled reference DUI")
    group.addoption("--dui-attended", action="store_true", default=False,
                    help="attended mode: an operator performs each action in the DUI")
    group.addoption("--dui-defect", action="append", default=[], metavar="NAME",
                    help="reference DUI only: switch on a named defect (repeatable)")
    group.addoption("--dui-reports", default="reports", metavar="DIR",
                    help="output folder for exchanges, coverage matrix (default: ./reports)")
    group.addoption("--dui-pki", default=None, metavar="DIR",
                    help="test PKI folder (default: <reports>/pki, created when missing)")
    group.addoption("--dui-insi-port", type=int, default=None, metavar="PORT",
                    help="INSi simulator port (default: free port with the reference DUI, 8701 with --dui-sut)")
    group.addoption("--dui-free-ports", action="store_true", default=False,
                    help="every simulator on a free port (the DUI accepts PUT /config/endpoints)")
    group.addoption("--dui-no-tls", action="store_true", default=False,
                    help="serve the simulators over plain HTTP (authentication checks become warnings)")
    group.addoption("--dui-exchange-timeout", type=float, default=None, metavar="SECONDS",
                    help="how long to wait for the DUI's exchanges (default 15 s, 180 s attended)")


@dataclass(frozen=True)
class RunSettings:
    """Everything a conformance run was asked to do."""

    profile: str = DEFAULT_PROFILE
    sut_url: str | None = None
    attended: bool = False
    defects: tuple[str, ...] = ()
    reports: Path = Path("reports")
    pki_dir: Path = Path("reports/pki")
    insi_port: int = 0
    tls: bool = True
    exchange_timeout: float = 15.0
    extra: dict[str, str] = field(default_factory=dict)

    free_ports_asked: bool = False

    @property
    def uses_reference_dui(self) -> bool:
        return self.sut_url is None and not self.attended

    @property
    def free_ports(self) -> bool:
        """Every simulator on a free port: the reference DUI, or a DUI told where they are through
        ``PUT /config/endpoints`` (``--dui-free-ports``, or ``--dui-insi-port 0``). Otherwise each
        simulator listens on its documented fixed port, for a DUI configured beforehand."""
        return self.uses_reference_dui or self.free_ports_asked or self.insi_port == 0


def settings_from(config: pytest.Config) -> RunSettings:
    opt = config.option
    reports = Path(opt.dui_reports).resolve()
    sut_url = opt.dui_sut
    external = sut_url is not None or opt.dui_attended
    default_insi = 0 if opt.dui_free_ports else 8701
    insi_port = opt.dui_insi_port if opt.dui_insi_port is not None else (default_insi if external else 0)
    timeout = opt.dui_exchange_timeout or (180.0 if opt.dui_attended else 15.0)
    return RunSettings(
        profile=opt.dui_profile,
        sut_url=sut_url,
        attended=opt.dui_attended,
        defects=tuple(opt.dui_defect),
        reports=reports,
        pki_dir=Path(opt.dui_pki).resolve() if opt.dui_pki else reports / "pki",
        insi_port=insi_port,
        tls=not opt.dui_no_tls,
        exchange_timeout=timeout,
        free_ports_asked=opt.dui_free_ports,
    )
