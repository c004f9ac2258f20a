"""Which official schematrons judge a CDA document: its content model's, plus the cross-cutting profiles.

The content model comes from the document's ``templateId`` (the CI-SIS model templateIds of
``ClinicalDocument``); the version from that templateId's ``extension`` when a schematron of
that version is in the pack, else the newest one. The names of the cross-cutting profiles are
those of the ANS tool's SVRL reports (``<document>_verif_<name>.xml``); the model schematron's
report is ``<document>_verif.xml``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
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
    "OfficialSchematron",
    "model_schematron",
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
        "22": "DLU-EHPAD-DLU", "23": "DLU-EHPAD-FLUDT", "24": "DLU-EHPAD-FLUDR", "13": "VSM", "51": "IPS-FR",
        "21": "LDL-EES", "29": "LDL-SES", "37": "VAC", "46": "VAC-NOTE", "38": "TLM-DA", "55": "BIO-CR-BIO",
        "59": "BIO-TROD", "39": "EP-MED-DM", "54": "eDISP-MED", "5.1": "CSE-CS8", "5.2": "CSE-CS9",
        "5.3": "CSE-CS24", "5.4": "CSE-MDE", "40": "ANEST-CR-ANEST", "41": "ANEST-CR-CPA", "15": "AVC-AUNV",
        "16": "AVC-EUNV", "25": "AVC-PAVC", "17": "AVC-SUNV", "26": "CANCER-PPS", "27": "CANCER-D2LM-FIN",
        "28": "CANCER-D2LM-FIDD", "32": "CANCER-CR-GM", "8": "CANCER-FRCP", "2.1.1": "CARD-F-PRC-AVK",
        "2.1.2": "CARD-F-PRC-TAP", "2.1.3": "CARD-F-PRC-DCI", "2.1.4": "CARD-F-PRC-PSC", "2.1.5": "CARD-F-PRC-PPV",
        "36": "CNAM-HR", "45": "IMG-CR-IMG", "47": "IMG-DA-IMG", "12.1": "OBP-SAP", "12.2": "OBP-SNM",
        "12.3": "OBP-SNE", "12.4": "OBP-SCM", "12.5": "OBP-SEM", "30": "SDM-MR", "42": "OPH-BRE",
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
#: what ``validate_cda`` runs when a pack is given and no list is asked for: the schematrons
#: this pack can run completely (see README: the others lack files in the public pack)
DEFAULT_SCHEMATRONS: tuple[str, ...] = ("model", "ModelesDeContenusCDA", "Modeles_ANS")


@dataclass(frozen=True)
class OfficialSchematron:
    """One official schematron chosen for a document."""

    name: str
    path: Path
    requirement: str

    @property
    def report_suffix(self) -> str:
        """The ANS tool's report name suffix: ``_verif`` for the model, ``_verif_<name>`` otherwise."""
        return "_verif" if self.name == "model" else f"_verif_{self.name}"


def _version_key(path: Path, stem: str) -> list[int]:
    version = path.stem[len(f"CI-SIS_{stem}_"):]
    return [int(n) for n in re.findall(r"\d+", version)]


def model_schematron(pack: CdaPack, template_ids: Iterable[tuple[str, str]]) -> Path | None:
    """The content-model schematron of a document with these ``(root, extension)`` templateIds, if any."""
    for root, extension in template_ids:
        stem = MODELS.get(root)
        if stem is None:
            continue
        if (stem, extension) in _ALIASES:
            aliased = pack.schematrons / f"CI-SIS_{stem}_{_ALIASES[(stem, extension)]}.sch"
            if aliased.exists():
                return aliased
        exact = pack.schematrons / f"CI-SIS_{stem}_{extension}.sch"
        if extension and exact.exists():
            return exact
        candidates = [p for p in pack.schematrons.glob(f"CI-SIS_{stem}_*.sch")
                      if re.fullmatch(rf"CI-SIS_{re.escape(stem)}_[\d._]+", p.stem)]
        if candidates:
            return max(candidates, key=lambda p: _version_key(p, stem))
    return None


def select_schematrons(pack: CdaPack, template_ids: Iterable[tuple[str, str]],
                       names: Sequence[str] = DEFAULT_SCHEMATRONS) -> list[OfficialSchematron]:
    """The official schematrons ``names`` for a document (``model`` is left out when it has none).

    Raises:
        KeyError: an unknown name (known: ``model`` and the keys of :data:`PROFILES`).
    """
    chosen = []
    for name in names:
        if name == "model":
            path = model_schematron(pack, template_ids)
            if path is not None:
                chosen.append(OfficialSchematron("model", path, REQ_SCH_MODEL))
        elif name in PROFILES:
            relative, requirement = PROFILES[name]
            chosen.append(OfficialSchematron(name, pack.schematrons / relative, requirement))
        else:
            raise KeyError(f"unknown schematron {name!r}; known: model, {', '.join(PROFILES)}")
    return chosen
