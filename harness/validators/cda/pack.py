"""The official CI-SIS artefact pack: a folder the user gives, never bundled, never downloaded.

The pack has the layout of the ANS ``TestContenuCDA`` publication::

    <pack>/infrastructure/cda/CDA_extended.xsd     the CDA R2 schema with the French extensions
    <pack>/schematrons/CI-SIS_<volet>.sch          one schematron per content model
    <pack>/schematrons/profils/…                   cross-cutting profiles (ModelesDeContenusCDA…)
    <pack>/schematrons/rapports/*.xml              SVRL reports of the ANS tool (optional)
    <pack>/jeuxDeValeurs/JDV_*.xml                 value sets (IHE SVS), read by the schematrons
    <pack>/ExemplesCDA/*.xml                       example documents (optional)

It is chosen by ``--cda-pack DIR`` or the environment variable ``DUI_HARNESS_CDA_PACK``. A run hands it,
with the content-model versions its profile pins (:attr:`CdaPack.model_versions`), through the run
settings to every CDA check of the run: the simulators' and the suites'.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from harness.errors import InputError

__all__ = ["ENV_VAR", "CdaPack", "CdaPackError", "load_pack", "pack_from_env", "resolve_pack"]

ENV_VAR = "DUI_HARNESS_CDA_PACK"
_TIP = (
    "donnez le dossier du paquet d'artefacts CI-SIS (TestContenuCDA) avec --cda-pack ou DUI_HARNESS_CDA_PACK / "
    "give the CI-SIS artefact pack folder (TestContenuCDA layout) with --cda-pack or DUI_HARNESS_CDA_PACK"
)


class CdaPackError(InputError):
    """The folder given as artefact pack does not have the expected layout."""


@dataclass(frozen=True)
class CdaPack:
    """An artefact pack folder with the ``TestContenuCDA`` layout (see the module docstring), and the
    content-model versions a run pins for it (:mod:`.selection`: profile ``[cda] model_versions``)."""

    root: Path
    #: content model stem (``DLU-EHPAD-DLU``) -> the version the official schematron of that model is taken
    #: in (``2022.01``), when neither ``--model-version`` nor the call says otherwise; sorted pairs
    model_versions: tuple[tuple[str, str], ...] = ()

    def pinned(self, model_versions: Iterable[tuple[str, str]]) -> CdaPack:
        """The same pack with these content-model version pins (the run's profile)."""
        return replace(self, model_versions=tuple(sorted(dict(model_versions).items())))

    @property
    def xsd(self) -> Path:
        return self.root / "infrastructure" / "cda" / "CDA_extended.xsd"

    @property
    def schematrons(self) -> Path:
        return self.root / "schematrons"

    @property
    def value_sets(self) -> Path:
        return self.root / "jeuxDeValeurs"

    @property
    def reports(self) -> Path:
        return self.schematrons / "rapports"

    @property
    def examples(self) -> Path:
        return self.root / "ExemplesCDA"

    def contains(self, path: Path) -> bool:
        """True when ``path`` (resolved) lies inside the pack folder."""
        return path.resolve().is_relative_to(self.root)


def load_pack(path: Path | str | CdaPack, *, model_versions: Iterable[tuple[str, str]] = ()) -> CdaPack:
    """Check the layout of the pack folder ``path`` and return it (with ``model_versions`` pinned, if given).

    Raises:
        CdaPackError: not a folder, or no ``infrastructure/cda/CDA_extended.xsd`` / ``schematrons/``.
    """
    if isinstance(path, CdaPack):
        return path.pinned(model_versions) if model_versions else path
    root = Path(path).expanduser()
    if not root.is_dir():
        raise CdaPackError(f"CDA artefact pack {root}: no such folder", tip=_TIP)
    pack = CdaPack(root.resolve())
    missing = [str(p.relative_to(pack.root)) for p in (pack.xsd, pack.schematrons) if not p.exists()]
    if missing:
        raise CdaPackError(
            f"CDA artefact pack {root} lacks {', '.join(missing)} (TestContenuCDA layout expected)", tip=_TIP
        )
    return pack.pinned(model_versions) if model_versions else pack


def pack_from_env() -> CdaPack | None:
    """The pack named by ``DUI_HARNESS_CDA_PACK``, or None when the variable is unset or empty."""
    value = os.environ.get(ENV_VAR, "").strip()
    return load_pack(value) if value else None


def resolve_pack(option: Path | str | CdaPack | None) -> CdaPack | None:
    """The pack given on the command line, else the one of ``DUI_HARNESS_CDA_PACK``, else None."""
    if option is not None and str(option) != "":
        return load_pack(option)
    return pack_from_env()
