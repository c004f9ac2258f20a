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

__all__ = [
    "ENGINE_ENV",
    "ENV_VAR",
    "ROUTES",
    "CdaPack",
    "CdaPackError",
    "engine_from_env",
    "load_pack",
    "pack_from_env",
    "resolve_pack",
]

ENV_VAR = "DUI_HARNESS_CDA_PACK"
#: the default of the command line's ``--schematron-engine`` (read by the commands, never by the validator)
ENGINE_ENV = "DUI_HARNESS_SCHEMATRON_ENGINE"
#: how official schematrons can be compiled: the project's compiler, or the pack's ANS pipeline
ROUTES = ("harness", "ans")
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
    #: how its schematrons are compiled: ``harness`` (the project's compiler) or ``ans`` (the pack's own
    #: ``schematrons/moteur/`` pipeline, :mod:`.ans_route`) — the run's ``--schematron-engine``
    route: str = "harness"

    def pinned(self, model_versions: Iterable[tuple[str, str]]) -> CdaPack:
        """The same pack with these content-model version pins (the run's profile)."""
        return replace(self, model_versions=tuple(sorted(dict(model_versions).items())))

    def routed(self, route: str | None) -> CdaPack:
        """The same pack compiled by ``route`` (``harness`` or ``ans``; None: unchanged)."""
        if route is None or route == self.route:
            return self
        if route not in ROUTES:
            raise CdaPackError(
                f"moteur de schématrons inconnu {route!r} / unknown schematron engine {route!r}",
                tip=f"choisissez / choose one of: {', '.join(ROUTES)}",
            )
        return replace(self, route=route)

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


def load_pack(
    path: Path | str | CdaPack, *, model_versions: Iterable[tuple[str, str]] = (), route: str | None = None
) -> CdaPack:
    """Check the layout of the pack folder ``path`` and return it (with ``model_versions`` pinned and compiled by
    ``route``, if given).

    Raises:
        CdaPackError: not a folder, or no ``infrastructure/cda/CDA_extended.xsd`` / ``schematrons/``.
    """
    if isinstance(path, CdaPack):
        return (path.pinned(model_versions) if model_versions else path).routed(route)
    root = Path(path).expanduser()
    if not root.is_dir():
        raise CdaPackError(
            f"paquet d'artefacts CDA {root} : dossier introuvable / CDA artefact pack {root}: no such folder", tip=_TIP
        )
    pack = CdaPack(root.resolve())
    missing = [str(p.relative_to(pack.root)) for p in (pack.xsd, pack.schematrons) if not p.exists()]
    if missing:
        raise CdaPackError(
            f"le paquet d'artefacts CDA {root} n'a pas {', '.join(missing)} (organisation TestContenuCDA attendue) / "
            f"CDA artefact pack {root} lacks {', '.join(missing)} (TestContenuCDA layout expected)",
            tip=_TIP,
        )
    return (pack.pinned(model_versions) if model_versions else pack).routed(route)


def pack_from_env() -> CdaPack | None:
    """The pack named by ``DUI_HARNESS_CDA_PACK``, or None when the variable is unset or empty."""
    value = os.environ.get(ENV_VAR, "").strip()
    return load_pack(value) if value else None


def engine_from_env() -> str | None:
    """``DUI_HARNESS_SCHEMATRON_ENGINE``: the default of the commands' ``--schematron-engine`` (None: unset)."""
    return os.environ.get(ENGINE_ENV, "").strip() or None


def resolve_pack(option: Path | str | CdaPack | None, *, route: str | None = None) -> CdaPack | None:
    """The pack given on the command line, else the one of ``DUI_HARNESS_CDA_PACK``, else None; compiled by
    ``route`` (``--schematron-engine``), else by ``DUI_HARNESS_SCHEMATRON_ENGINE``'s, else by the project's."""
    route = route or engine_from_env()
    if option is not None and str(option) != "":
        return load_pack(option, route=route)
    pack = pack_from_env()
    return pack.routed(route) if pack is not None else None
