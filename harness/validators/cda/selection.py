"""Which official schematrons judge a CDA document: its content model's, plus the cross-cutting profiles.

The content model comes from the document's ``templateId`` (the CI-SIS model templateIds of
``ClinicalDocument``). Its version is chosen, and said (:class:`Selection`):

1. a pinned version (``--model-version``, the profile's ``[cda] model_versions``) wins;
2. else the version of the templateId's ``extension`` when the pack has that schematron;
3. else the newest one of the pack, with a **warning** naming the version used (the document
   says no version the pack has, and nothing pins one).

The names of the cross-cutting profiles are
those of the ANS tool's SVRL reports (``<document>_verif_<name>.xml``); the model schematron's
report is ``<document>_verif.xml``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from harness.validators.cda.pack import CdaPack

__all__ = [
    "DEFAULT_SCHEMATRONS",
    "MODELS",
    "PROFILES",
    "REQ_SCH_IHE",
    "REQ_SCH_MODEL",
    "REQ_SCH_PROFILES",
    "ModelChoice",
    "OfficialSchematron",
    "Selection",
    "choose_model",
    "format_pins",
    "model_schematron",
    "pinned_model",
    "profile_schematron",
    "select_schematrons",
]

REQ_SCH_MODEL = "CDA-SCH-01"
REQ_SCH_PROFILES = "CDA-SCH-02"
REQ_SCH_IHE = "CDA-SCH-03"
_MODEL = "1.2.250.1.213.1.1.1."

#: templateId root of the content model -> CI-SIS schematron stem (``CI-SIS_<stem>_<version>.sch``)
MODELS: dict[str, str] = {
    f"{_MODEL}{suffix}": stem
    for suffix, stem in {
        "22": "DLU-EHPAD-DLU",
        "23": "DLU-EHPAD-FLUDT",
        "24": "DLU-EHPAD-FLUDR",
        "13": "VSM",
        "51": "IPS-FR",
        "21": "LDL-EES",
        "29": "LDL-SES",
        "37": "VAC",
        "46": "VAC-NOTE",
        "38": "TLM-DA",
        "55": "BIO-CR-BIO",
        "59": "BIO-TROD",
        "39": "EP-MED-DM",
        "54": "eDISP-MED",
        "5.1": "CSE-CS8",
        "5.2": "CSE-CS9",
        "5.3": "CSE-CS24",
        "5.4": "CSE-MDE",
        "40": "ANEST-CR-ANEST",
        "41": "ANEST-CR-CPA",
        "15": "AVC-AUNV",
        "16": "AVC-EUNV",
        "25": "AVC-PAVC",
        "17": "AVC-SUNV",
        "26": "CANCER-PPS",
        "27": "CANCER-D2LM-FIN",
        "28": "CANCER-D2LM-FIDD",
        "32": "CANCER-CR-GM",
        "8": "CANCER-FRCP",
        "2.1.1": "CARD-F-PRC-AVK",
        "2.1.2": "CARD-F-PRC-TAP",
        "2.1.3": "CARD-F-PRC-DCI",
        "2.1.4": "CARD-F-PRC-PSC",
        "2.1.5": "CARD-F-PRC-PPV",
        "36": "CNAM-HR",
        "45": "IMG-CR-IMG",
        "47": "IMG-DA-IMG",
        "12.1": "OBP-SAP",
        "12.2": "OBP-SNM",
        "12.3": "OBP-SNE",
        "12.4": "OBP-SCM",
        "12.5": "OBP-SEM",
        "30": "SDM-MR",
        "42": "OPH-BRE",
    }.items()
}
#: templateId extensions that name an older version in other words (VSM 1.4 is ``201310``)
_ALIASES = {("VSM", "201310"): "1.4_2022.01"}

#: report name -> (path in the pack's schematrons folder, requirement)
PROFILES: dict[str, tuple[str, str]] = {
    "ModelesDeContenusCDA": ("profils/CI-SIS_ModelesDeContenusCDA.sch", REQ_SCH_PROFILES),
    "Modeles_ANS": ("profils/CI-SIS_Modeles_ANS.sch", REQ_SCH_PROFILES),
    "StructurationMinimale": ("profils/structurationMinimale/ASIP-STRUCT-MIN-StrucMin.sch", REQ_SCH_PROFILES),
    "terminologies": ("profils/terminologies/schematron/terminologie.sch", REQ_SCH_PROFILES),
    "IHE_corps": ("profils/IHE.sch", REQ_SCH_IHE),
    "IHE_entete": ("profils/IHE_XDS-SD.sch", REQ_SCH_IHE),
}
#: packs before 2024-05-21 (the 2023-05 one of the ANS reports) judge the structuration minimale
#: with the hand-written schematron, replaced since by the ART-DECOR one
FORMER_PROFILES: dict[str, str] = {"StructurationMinimale": "profils/CI-SIS_StructurationMinimale.sch"}
#: what ``validate_cda`` runs when a pack is given and no list is asked for: the content
#: model's, the structuration minimale (every document), and the two cross-cutting profiles
DEFAULT_SCHEMATRONS: tuple[str, ...] = ("model", "StructurationMinimale", "ModelesDeContenusCDA", "Modeles_ANS")


@dataclass(frozen=True)
class OfficialSchematron:
    """One official schematron chosen for a document."""

    name: str
    path: Path
    requirement: str
    #: how it was chosen (version from the document, pinned, newest by default)
    notes: tuple[str, ...] = ()
    #: a choice the reader must check (no version in the document and none pinned)
    warning: str = ""

    @property
    def report_suffix(self) -> str:
        """The ANS tool's report name suffix: ``_verif`` for the model, ``_verif_<name>`` otherwise."""
        return "_verif" if self.name == "model" else f"_verif_{self.name}"


@dataclass(frozen=True)
class ModelChoice:
    """The content-model schematron chosen for a document, and why."""

    stem: str
    path: Path | None
    note: str
    warning: str = ""


@dataclass
class Selection:
    """The schematrons chosen for a document, and those asked for that could not be chosen (why)."""

    chosen: list[OfficialSchematron]
    not_chosen: list[tuple[str, str]]


def _version_key(path: Path, stem: str) -> list[int]:
    version = path.stem[len(f"CI-SIS_{stem}_") :]
    return [int(n) for n in re.findall(r"\d+", version)]


def _versions(pack: CdaPack, stem: str) -> list[Path]:
    return sorted(
        (
            p
            for p in pack.schematrons.glob(f"CI-SIS_{stem}_*.sch")
            if re.fullmatch(rf"CI-SIS_{re.escape(stem)}_[\d._]+", p.stem)
        ),
        key=lambda p: _version_key(p, stem),
    )


def _version(path: Path, stem: str) -> str:
    return path.stem[len(f"CI-SIS_{stem}_") :]


def choose_model(
    pack: CdaPack, template_ids: Iterable[tuple[str, str]], pins: Mapping[str, str] | None = None
) -> ModelChoice | None:
    """The content-model schematron of a document, with how its version was chosen (None: no model).

    Args:
        pins: model stem (``DLU-EHPAD-DLU``) or ``*`` -> version (``2022.01``), from
            ``--model-version`` or the profile's ``[cda] model_versions``.
    """
    pins = pins or {}
    for root, extension in template_ids:
        stem = MODELS.get(root)
        if stem is None:
            continue
        versions = _versions(pack, stem)
        pinned = pins.get(stem) or pins.get("*")
        if pinned:
            path = pinned_model(pack, stem, pinned)
            if path.is_file():
                return ModelChoice(stem, path, f"{stem} {pinned}: version épinglée / pinned version")
            return ModelChoice(
                stem,
                None,
                f"{stem} {pinned}: version épinglée absente du paquet / pinned version "
                f"not in the pack (has: {', '.join(_version(v, stem) for v in versions)})",
            )
        if (stem, extension) in _ALIASES:
            aliased = pack.schematrons / f"CI-SIS_{stem}_{_ALIASES[(stem, extension)]}.sch"
            if aliased.exists():
                return ModelChoice(
                    stem,
                    aliased,
                    f"{stem} {_ALIASES[(stem, extension)]}: version du document / "
                    f"the document's version (templateId extension {extension})",
                )
        exact = pack.schematrons / f"CI-SIS_{stem}_{extension}.sch"
        if extension and exact.exists():
            return ModelChoice(
                stem, exact, f"{stem} {extension}: version du document / the document's version (templateId extension)"
            )
        if versions:
            newest = versions[-1]
            said = (
                f"templateId extension {extension!r} has no schematron in the pack"
                if extension
                else "no version in the document's templateId"
            )
            warning = (
                f"{stem}: version {_version(newest, stem)} utilisée, la plus récente du paquet (aucune "
                f"version épinglée) / version {_version(newest, stem)} used, the newest of the pack "
                f"({said}; none pinned: use --model-version or the profile's [cda] model_versions)"
            )
            return ModelChoice(stem, newest, f"{stem} {_version(newest, stem)}: la plus récente / newest", warning)
        return ModelChoice(
            stem,
            None,
            f"{stem}: aucun schématron de ce modèle dans le paquet / no schematron of this content model in the pack",
        )
    return None


def model_schematron(
    pack: CdaPack, template_ids: Iterable[tuple[str, str]], pins: Mapping[str, str] | None = None
) -> Path | None:
    """The content-model schematron of a document with these ``(root, extension)`` templateIds, if any."""
    choice = choose_model(pack, template_ids, pins)
    return choice.path if choice is not None else None


def format_pins(pins: Iterable[tuple[str, str]]) -> str:
    """Pins as they are written on one line: ``DLU-EHPAD-DLU=2022.01,VSM=2023.01``."""
    return ",".join(f"{stem}={version}" for stem, version in pins)


def pinned_model(pack: CdaPack, stem: str, version: str) -> Path:
    """The path of the content-model schematron ``stem`` in the pinned ``version`` (may not exist)."""
    return pack.schematrons / f"CI-SIS_{stem}_{_ALIASES.get((stem, version), version)}.sch"


def profile_schematron(pack: CdaPack, name: str) -> OfficialSchematron:
    """The cross-cutting schematron ``name`` of the pack (the former file in a pack that predates it)."""
    relative, requirement = PROFILES[name]
    path = pack.schematrons / relative
    former = FORMER_PROFILES.get(name)
    if not path.is_file() and former and (pack.schematrons / former).is_file():
        path = pack.schematrons / former
    return OfficialSchematron(name, path, requirement)


def select_schematrons(
    pack: CdaPack,
    template_ids: Iterable[tuple[str, str]],
    names: Sequence[str] = DEFAULT_SCHEMATRONS,
    *,
    model_version: str | Mapping[str, str] | None = None,
) -> Selection:
    """The official schematrons ``names`` for a document, and the names that could not be chosen.

    Args:
        model_version: a version for whatever model the document has (``2022.01``), or
            model stem -> version pins.

    Raises:
        KeyError: an unknown name (known: ``model`` and the keys of :data:`PROFILES`).
    """
    pins = {"*": model_version} if isinstance(model_version, str) else dict(model_version or {})
    if model_version is None:
        pins = dict(pack.model_versions)  # the run's pins, handed with the pack (profile [cda] model_versions)
    selection = Selection([], [])
    for name in names:
        if name == "model":
            choice = choose_model(pack, list(template_ids), pins)
            if choice is None:
                selection.not_chosen.append(
                    (
                        "schématron du modèle de contenu / content-model schematron",
                        "non exécuté : aucun templateId de modèle CI-SIS connu dans le document / not run: no known "
                        "CI-SIS content-model templateId in the document",
                    )
                )
            elif choice.path is None:
                selection.not_chosen.append(
                    (
                        f"schématron du modèle / content-model schematron {choice.stem}",
                        f"non exécuté / not run: {choice.note}",
                    )
                )
            else:
                selection.chosen.append(
                    OfficialSchematron("model", choice.path, REQ_SCH_MODEL, (choice.note,), choice.warning)
                )
        elif name in PROFILES:
            selection.chosen.append(profile_schematron(pack, name))
        else:
            raise KeyError(f"unknown schematron {name!r}; known: model, {', '.join(PROFILES)}")
    return selection
