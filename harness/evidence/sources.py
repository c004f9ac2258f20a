"""Read a run's outputs the same way from a reports folder or from an evidence bundle.

Both hold the same relative names (``coverage-matrix.json``, ``run.json``,
``exchanges/…``, ``allure-results/…``), so that ``usage``, ``diff`` and ``run --history``
accept either. A bundle is read without being trusted: :attr:`RunSource.issues` lists its
structural defects (``dui-harness verify`` is the command that judges a bundle).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.errors import InputError
from harness.evidence.ziparchive import MAX_BUNDLE_BYTES, read_zip

__all__ = ["RunSource", "open_source"]


@dataclass
class RunSource:
    """The files of one run, by relative name (``/`` separated)."""

    label: str
    files: dict[str, bytes] = field(default_factory=dict)
    root: Path | None = None
    is_bundle: bool = False
    issues: list[str] = field(default_factory=list)

    def names(self, prefix: str = "") -> list[str]:
        return sorted(n for n in self.files if n.startswith(prefix))

    def read(self, name: str) -> bytes | None:
        return self.files.get(name)

    def json(self, name: str) -> Any:
        """The parsed JSON member ``name``, or None when absent or not JSON."""
        raw = self.files.get(name)
        if raw is None:
            return None
        try:
            return json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return None

    def exchanges(self) -> Iterator[dict[str, Any]]:
        """The analysis (``.json``) of every recorded exchange, oldest first."""
        for name in self.names("exchanges/"):
            if name.endswith(".json"):
                data = self.json(name)
                if isinstance(data, dict):
                    data.setdefault("_file", name)
                    yield data


_SKIP_DIRS = {"pki", "keys"}
_READ_LIMIT = 256 << 20


def _read_folder(root: Path) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    total = 0
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if not path.is_file() or path.is_symlink() or rel.parts[0] in _SKIP_DIRS or path.suffix == ".zip":
            continue
        if path.suffix in (".sqlite3", ".key", ".pem"):
            continue
        total += path.stat().st_size
        if total > _READ_LIMIT:
            raise InputError(
                f"{root}: plus de {_READ_LIMIT} octets de rapports / more than {_READ_LIMIT} bytes of "
                "reports: not a run's output folder?"
            )
        files[rel.as_posix()] = path.read_bytes()
    return files


def open_source(path: Path) -> RunSource:
    """A reports folder (``dui-harness run --reports``), an Allure report folder, or a bundle (.zip)."""
    if path.is_dir():
        # an allure-report folder given alone: its parent is the reports folder
        report_like = any((path / n).exists() for n in ("index.html", "widgets", "history"))
        if report_like and not (path / "coverage-matrix.json").is_file():
            report = RunSource(str(path), root=path)
            report.files = {f"allure-report/{k}": v for k, v in _read_folder(path).items()}
            return report
        return RunSource(str(path), _read_folder(path), root=path)
    if not path.is_file():
        raise InputError(
            f"{path}: ni dossier de rapports ni dossier de preuves / no such reports folder or bundle",
            tip="dui-harness run --reports DIR",
        )
    try:
        size = path.stat().st_size
        if size > MAX_BUNDLE_BYTES:
            raise InputError(
                f"{path}: {size} octets, trop grand pour un dossier de preuves / bytes, larger than a "
                f"bundle can be ({MAX_BUNDLE_BYTES})"
            )
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: illisible / cannot be read ({exc.strerror or exc})") from exc
    result = read_zip(data)
    if not result.readable:
        raise InputError(
            f"{path}: ni dossier de preuves (ZIP) ni dossier de rapports / not an evidence bundle (ZIP) "
            "nor a reports folder: " + "; ".join(str(i) for i in result.issues)
        )
    source = RunSource(str(path), dict(result.contents), is_bundle=True)
    source.issues = [str(i) for i in result.issues]
    return source
