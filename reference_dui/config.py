"""Configuration of the reference DUI: where INSi is, which certificates, which defects."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from reference_dui.defects import check_defects

__all__ = ["DUI_NAME", "EDITOR", "VERSION", "ReferenceDuiConfig", "pki_paths"]

DUI_NAME = "DUI de référence dui-harness"
EDITOR = "dui-harness"


def _package_version() -> str:
    try:
        return metadata.version("dui-harness")
    except metadata.PackageNotFoundError:  # running from a source tree that is not installed
        return "0.1.0"


VERSION = _package_version()


@dataclass(frozen=True)
class ReferenceDuiConfig:
    """Everything the reference DUI needs to run.

    Args:
        insi_url: base URL of the INSi teleservice (the DUI POSTs to ``<insi_url>/lps``);
            None until configured (``PUT /config/endpoints``).
        client_cert, client_key: PEM client certificate and key for mutual TLS (INSI-AUTO).
        ca_cert: PEM CA that the INSi server certificate must chain to (None: system CAs).
        idam: the software authorisation number sent in ContexteLPS/LPS/IDAM.
        lps_name, lps_version: the software name and version of ContexteLPS/LPS.
        db_path: SQLite file; None keeps the store in memory.
        defects: defect switches (see :data:`reference_dui.defects.DEFECTS`).
        timeout: seconds allowed for each INSi call (connect and read).
        pki_dir: the test PKI directory, only used by the ``wrong_cert_cn`` defect.
    """

    insi_url: str | None = None
    client_cert: Path | None = None
    client_key: Path | None = None
    ca_cert: Path | None = None
    idam: str = "DUIREF-TEST-0001"
    lps_name: str = "DUI-REFERENCE"
    lps_version: str = VERSION
    db_path: Path | None = None
    defects: frozenset[str] = field(default_factory=frozenset)
    timeout: float = 5.0
    pki_dir: Path | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "defects", check_defects(self.defects))
        if self.timeout <= 0:
            raise ValueError(f"timeout must be positive, not {self.timeout}")
        for name in ("client_cert", "client_key", "ca_cert", "db_path", "pki_dir"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, Path):
                object.__setattr__(self, name, Path(value))

    def has(self, defect: str) -> bool:
        return defect in self.defects

    def with_insi(
        self,
        url: str,
        client_cert: Path | None = None,
        client_key: Path | None = None,
        ca_cert: Path | None = None,
    ) -> ReferenceDuiConfig:
        """A copy pointing at another INSi endpoint (``PUT /config/endpoints``)."""
        return dataclasses.replace(self, insi_url=url, client_cert=client_cert, client_key=client_key, ca_cert=ca_cert)


def pki_paths(directory: Path, client: str = "client-insi-auto") -> tuple[Path, Path, Path]:
    """``(client_cert, client_key, ca_cert)`` of a dui-harness test PKI directory.

    Reads the directory's ``pki.json`` when present, else uses the default file names.
    """
    cert, key, ca = directory / f"{client}.pem", directory / f"{client}.key", directory / "ca.pem"
    index = directory / "pki.json"
    if index.is_file():
        try:
            data = json.loads(index.read_text(encoding="utf-8"))
            entry = data["clients"][client]
            cert, key, ca = directory / entry["cert"], directory / entry["key"], directory / data["ca"]
        except (ValueError, KeyError, TypeError):
            pass
    return cert, key, ca
