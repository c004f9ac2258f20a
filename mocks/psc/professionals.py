"""The test professionals of the Pro Santé Connect simulator, and their userinfo claims.

Loaded from ``fixtures/psc/professionals.json`` (format "dui-harness Pro Santé Connect test
professionals v1", provenance in its ``_provenance``). Every professional is synthetic:
``idNat`` = ``8`` + an RPPS-like number beginning with 999 whose last digit is a Luhn key.
:meth:`Professional.userinfo` builds the claim set PSC's userinfo endpoint returns, after the
sandbox sample quoted in the research digest (§5.1): ``SubjectNameID``, ``SubjectRefPro``…
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.paths import fixtures_dir

__all__ = ["Professional", "ProfessionalBase", "default_professionals_file", "luhn_valid"]

ID_NAT = re.compile(r"^8[0-9]{11}$")
OID_PROFESSION = "1.2.250.1.213.1.1.5.5"
OID_SECTEUR = "1.2.250.1.71.4.2.4"
PALIER = "APPPRIP3^1.2.250.1.213.1.5.1.1.1"
PSI_LOCALE = "1.2.250.1.213.1.3.1.1"
#: the keys of one ``activities[]`` entry in the PSC sample, filled with "" when the fixture has none
ACTIVITY_KEYS = (
    "codeModeExercice",
    "codeSecteurDactivite",
    "codeSectionPharmacien",
    "codeRole",
    "codeGenreActivite",
    "numeroSiretSite",
    "numeroSirenSite",
    "numeroFinessSite",
    "numeroFinessetablissementJuridique",
    "identifiantTechniqueDeLaStructure",
    "raisonSocialeSite",
    "enseigneCommercialeSite",
    "complementDestinataire",
    "complementPointGeographique",
    "numeroVoie",
    "indiceRepetitionVoie",
    "codeTypeDeVoie",
    "libelleVoie",
    "mentionDistribution",
    "bureauCedex",
    "codePostal",
    "codeCommune",
    "codePays",
    "telephone",
    "telephone2",
    "telecopie",
    "adresseEMail",
    "codeDepartement",
    "ancienIdentifiantDeLaStructure",
    "autoriteDenregistrement",
)


def default_professionals_file() -> Path:
    return fixtures_dir() / "psc" / "professionals.json"


def luhn_valid(digits: str) -> bool:
    """True when the last digit of ``digits`` is its Luhn key (as RPPS numbers have)."""
    if not digits.isdigit():
        return False
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


@dataclass(frozen=True)
class Professional:
    """One test professional as Pro Santé Connect knows them."""

    id: str
    id_nat: str
    uuid: str
    family_name: str
    given_name: str
    civility: str = "M"
    exercices: tuple[Mapping[str, Any], ...] = ()
    note: str = ""
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def sub(self) -> str:
        """PSC's subject: ``f:<uuid>:<idNat>`` (format of the sandbox sample)."""
        return f"f:{self.uuid}:{self.id_nat}"

    @property
    def professions(self) -> list[str]:
        return [str(e.get("codeProfession", "")) for e in self.exercices]

    def _activities(self) -> Iterator[Mapping[str, Any]]:
        for exercice in self.exercices:
            yield from exercice.get("activities") or []

    def userinfo(self) -> dict[str, Any]:
        """The userinfo claims, in PSC's structure."""
        exercices = []
        for exercice in self.exercices:
            activities = [
                {key: str(activity.get(key, "")) for key in ACTIVITY_KEYS} | {"codeGenreActivite": "GENR01"}
                for activity in exercice.get("activities") or []
            ]
            exercices.append(
                {
                    "codeProfession": str(exercice.get("codeProfession", "")),
                    "codeCategorieProfessionnelle": str(exercice.get("codeCategorieProfessionnelle", "")),
                    "codeCiviliteDexercice": "",
                    "nomDexercice": self.family_name,
                    "prenomDexercice": self.given_name,
                    "codeTypeSavoirFaire": str(exercice.get("codeTypeSavoirFaire", "")),
                    "codeSavoirFaire": str(exercice.get("codeSavoirFaire", "")),
                    "activities": activities,
                }
            )
        first = next(self._activities(), {})
        return {
            "sub": self.sub,
            "SubjectNameID": self.id_nat,
            "preferred_username": self.id_nat,
            "given_name": self.given_name,
            "family_name": self.family_name,
            "codeCivilite": self.civility,
            "SubjectRefPro": {"exercices": exercices},
            "SubjectOrganization": str(first.get("raisonSocialeSite", "")),
            "SubjectOrganizationID": str(first.get("identifiantTechniqueDeLaStructure", "")),
            "SubjectRole": [f"{code}^{OID_PROFESSION}" for code in self.professions],
            "Secteur_Activite": f"{first.get('codeSecteurDactivite', '')}^{OID_SECTEUR}" if first else "",
            "codeGenreActivite": "GENR01",
            "Palier_Authentification": PALIER,
            "PSI_Locale": PSI_LOCALE,
            "Mode_Acces_Raison": "",
            "Acces_Regulation_Medicale": "FAUX",
            "UITVersion": "1.0",
            "otherIds": [{"identifiant": self.id_nat, "origine": "RPPS", "qualite": 1}],
        }

    def summary(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "id_nat": self.id_nat,
            "family_name": self.family_name,
            "given_name": self.given_name,
            "professions": self.professions,
            "note": self.note,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Professional:
        """Build one professional from the fixture format; ``ValueError`` saying what is wrong."""
        if not isinstance(data, Mapping):
            raise ValueError("a professional must be a JSON object")
        missing = [k for k in ("id", "id_nat", "family_name", "given_name") if not data.get(k)]
        if missing:
            raise ValueError(f"professional {data.get('id')!r}: missing {', '.join(missing)}")
        id_nat = str(data["id_nat"])
        if not ID_NAT.match(id_nat) or not luhn_valid(id_nat[1:]):
            raise ValueError(
                f"professional {data['id']!r}: idNat {id_nat!r} is not '8' + 11 digits ending with a Luhn key"
            )
        exercices = data.get("exercices") or []
        if not isinstance(exercices, list) or not all(isinstance(e, Mapping) for e in exercices):
            raise ValueError(f"professional {data['id']!r}: exercices must be a list of objects")
        return cls(
            id=str(data["id"]),
            id_nat=id_nat,
            uuid=str(data.get("uuid") or data["id"]),
            family_name=str(data["family_name"]),
            given_name=str(data["given_name"]),
            civility=str(data.get("civility", "M")),
            exercices=tuple(copy.deepcopy(exercices)),
            note=str(data.get("note", "")),
            raw=copy.deepcopy(dict(data)),
        )


class ProfessionalBase:
    """The professionals PSC can authenticate, by idNat (also found by their short ``id``)."""

    def __init__(self, professionals: Iterable[Professional] = ()) -> None:
        self._by_nat: dict[str, Professional] = {}
        for professional in professionals:
            self.add(professional)

    @classmethod
    def load(cls, path: Path | None = None) -> ProfessionalBase:
        path = path or default_professionals_file()
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ValueError(f"cannot read the PSC professionals file {path}: {exc}") from None
        entries = data.get("professionals") if isinstance(data, dict) else None
        if not isinstance(entries, list):
            raise ValueError(f'{path}: expected {{"professionals": [...]}}')
        return cls(Professional.from_json(entry) for entry in entries)

    def add(self, professional: Professional | Mapping[str, Any]) -> Professional:
        if not isinstance(professional, Professional):
            professional = Professional.from_json(professional)
        if professional.id_nat in self._by_nat or self.find(professional.id) is not None:
            raise ValueError(f"professional {professional.id!r} ({professional.id_nat}) already exists")
        self._by_nat[professional.id_nat] = professional
        return professional

    def remove(self, key: str) -> None:
        professional = self.find(key)
        if professional is None:
            raise KeyError(f"no professional {key!r}")
        del self._by_nat[professional.id_nat]

    def find(self, key: str | None) -> Professional | None:
        """The professional whose idNat or short id is ``key``."""
        if not key:
            return None
        found = self._by_nat.get(key)
        if found is not None:
            return found
        return next((p for p in self._by_nat.values() if p.id == key), None)

    def by_sub(self, sub: str) -> Professional | None:
        return next((p for p in self._by_nat.values() if p.sub == sub), None)

    def copy(self) -> ProfessionalBase:
        return ProfessionalBase(self._by_nat.values())

    def __iter__(self) -> Iterator[Professional]:
        return iter(list(self._by_nat.values()))

    def __len__(self) -> int:
        return len(self._by_nat)

    def summary(self) -> list[dict[str, Any]]:
        return [p.summary() for p in self._by_nat.values()]
