"""The identity base the INSi simulator searches: persons, their INS, history and traits.

Loaded from ``fixtures/identities/insi-identities.json`` (format "dui-harness INSi identity
base v1"). Matching follows the file's ``_provenance.matching`` rule: a query matches a
person when birth name, sex and birth date are equal (case and accents folded), every Prenom
sent equals one of the birth first names or the whole list, and LieuNaissance, when sent,
equals the birth place. Persons with ``not_found: true`` never match (qualification case
HOUILLES). The Vitale search matches the NIR (and key when sent) of the active INS or of a
historical one (the latter is our assumption), plus birth name and birth date.
"""

from __future__ import annotations

import copy
import functools
import json
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.core.ins import InsValue, Traits
from harness.paths import fixtures_dir

__all__ = ["HistoricalIns", "IdentityBase", "Person", "default_identity_file", "fold"]


def default_identity_file() -> Path:
    return fixtures_dir() / "identities" / "insi-identities.json"


def fold(value: str | None) -> str:
    """Upper case, accents removed, spaces trimmed and collapsed: ``" Zoé "`` → ``"ZOE"``."""
    if value is not None and len(value) <= _FOLD_CACHED_CHARS:
        return _fold_cached(value)  # ~25 calls per search, on the same few names
    return _fold(value)


#: a value up to this length is folded once and remembered (4096 of them at most)
_FOLD_CACHED_CHARS = 255


def _fold(value: str | None) -> str:
    decomposed = unicodedata.normalize("NFKD", value or "")
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.upper().split())


_fold_cached = functools.lru_cache(maxsize=4096)(_fold)


@dataclass(frozen=True)
class HistoricalIns:
    """An INSHISTO entry: a former INS of the person, with its optional validity dates."""

    ins: InsValue
    start: str | None = None
    end: str | None = None


@dataclass
class Person:
    """One person of the base, as INSi would return it."""

    id: str
    traits: Traits
    ins: InsValue | None
    history: list[HistoricalIns] = field(default_factory=list)
    not_found: bool = False
    origin: str = "synthetic"
    note: str = ""
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Person:
        """Build a person from its JSON form; ``ValueError`` names what is missing."""
        try:
            pid = str(data["id"])
            t = data["traits"]
            traits = Traits(
                birth_name=str(t["birth_name"]),
                first_names=tuple(str(n) for n in t["first_names"]),
                sex=str(t["sex"]),
                birth_date=str(t["birth_date"]),
                birth_place=t.get("birth_place"),
            )
        except (KeyError, TypeError) as exc:
            raise ValueError(f"person {data.get('id', '?')!r}: missing or bad field {exc}") from None
        ins = data.get("ins")
        return cls(
            id=pid,
            traits=traits,
            ins=_ins(ins) if ins else None,
            history=[HistoricalIns(_ins(h), h.get("start"), h.get("end")) for h in data.get("history") or []],
            not_found=bool(data.get("not_found", False)),
            origin=str(data.get("origin", "synthetic")),
            note=str(data.get("note", "")),
            raw=dict(data),
        )

    def summary(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "birth_name": self.traits.birth_name,
            "first_names": list(self.traits.first_names),
            "sex": self.traits.sex,
            "birth_date": self.traits.birth_date,
            "birth_place": self.traits.birth_place,
            "ins": self.ins.value if self.ins else None,
            "oid": self.ins.oid if self.ins else None,
            "history": [h.ins.value for h in self.history],
            "not_found": self.not_found,
        }


def _ins(data: Mapping[str, Any]) -> InsValue:
    try:
        return InsValue(nir=str(data["nir"]), key=str(data["key"]), oid=str(data["oid"]))
    except (KeyError, TypeError) as exc:
        raise ValueError(f"INS entry without {exc}: {dict(data)!r}") from None


class IdentityBase:
    """The persons INSi knows, searchable by traits or by Vitale NIR."""

    def __init__(self, persons: Iterable[Person], *, source: str = "") -> None:
        self.persons: list[Person] = []
        self.source = source
        #: searchable persons by (folded birth name, folded sex, birth date), for the list it was made from
        self._index: tuple[list[Person], int, dict[tuple[str, str, str], list[Person]]] | None = None
        for person in persons:
            self.add(person)

    @classmethod
    def load(cls, path: Path | None = None) -> IdentityBase:
        """Read a base file (the packaged ``insi-identities.json`` by default)."""
        path = path or default_identity_file()
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise ValueError(f"{path}: cannot read the INSi identity base ({exc})") from exc
        return cls.from_dict(data, source=str(path))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, source: str = "") -> IdentityBase:
        persons = data.get("persons")
        if not isinstance(persons, list):
            raise ValueError(f"{source or 'identity base'}: expected a 'persons' list")
        return cls((Person.from_dict(p) for p in persons), source=source)

    def copy(self) -> IdentityBase:
        return IdentityBase(copy.deepcopy(self.persons), source=self.source)

    def add(self, person: Person | Mapping[str, Any]) -> Person:
        """Add a person (object or JSON form); its id must be new."""
        item = person if isinstance(person, Person) else Person.from_dict(person)
        if any(p.id == item.id for p in self.persons):
            raise ValueError(f"a person with id {item.id!r} is already in the base")
        self.persons.append(item)
        return item

    def remove(self, person_id: str) -> None:
        before = len(self.persons)
        self.persons = [p for p in self.persons if p.id != person_id]
        if len(self.persons) == before:
            raise ValueError(f"no person with id {person_id!r} in the base")

    def get(self, person_id: str) -> Person | None:
        return next((p for p in self.persons if p.id == person_id), None)

    def search(self, traits: Traits) -> list[Person]:
        """Every person the traits designate, per the base's matching rule (see module doc)."""
        query = _Query.of(traits)  # folded once, not once per person (issue 18)
        candidates = self._searchable().get((query.birth_name, query.sex, query.birth_date), [])
        return [p for p in candidates if query.matches(p)]

    def _searchable(self) -> dict[tuple[str, str, str], list[Person]]:
        """The persons a search may find (an INS, not ``not_found``), in base order, by the three traits that
        must be equal (folded): remade when the list of persons changes."""
        persons = self.persons
        if self._index is None or self._index[0] is not persons or self._index[1] != len(persons):
            index: dict[tuple[str, str, str], list[Person]] = {}
            for p in persons:
                if not p.not_found and p.ins is not None:
                    key = (fold(p.traits.birth_name), fold(p.traits.sex), p.traits.birth_date)
                    index.setdefault(key, []).append(p)
            self._index = (persons, len(persons), index)
        return self._index[2]

    def search_by_matricule(
        self, nir: str, key: str | None, birth_name: str | None, birth_date: str | None
    ) -> list[Person]:
        """Persons whose active (or historical) NIR, birth name and birth date match."""
        wanted_nir = fold(nir)
        found = []
        for person in self.persons:
            if person.not_found or person.ins is None:
                continue
            numbers = [person.ins, *(h.ins for h in person.history)]
            nir_ok = any(n.nir.upper() == wanted_nir and (not key or n.key == key.strip()) for n in numbers)
            if (
                nir_ok
                and fold(birth_name) == fold(person.traits.birth_name)
                and (birth_date or "").strip() == person.traits.birth_date
            ):
                found.append(person)
        return found

    def summary(self) -> dict[str, Any]:
        return {"source": self.source, "count": len(self.persons), "persons": [p.summary() for p in self.persons]}

    def __len__(self) -> int:
        return len(self.persons)


@dataclass(frozen=True)
class _Query:
    """The traits of a search, folded once."""

    birth_name: str
    sex: str
    birth_date: str
    first_names: tuple[str, ...]
    birth_place: str | None  # None: not sent

    @classmethod
    def of(cls, traits: Traits) -> _Query:
        return cls(
            fold(traits.birth_name),
            fold(traits.sex),
            (traits.birth_date or "").strip(),
            tuple(fold(sent) for sent in traits.first_names),
            fold(traits.birth_place) if traits.birth_place else None,
        )

    def matches(self, person: Person) -> bool:
        t = person.traits
        if self.birth_name != fold(t.birth_name) or self.sex != fold(t.sex) or self.birth_date != t.birth_date:
            return False
        names = {fold(n) for n in t.first_names}
        whole = fold(" ".join(t.first_names))
        if not all(sent in names or sent == whole for sent in self.first_names):
            return False
        return self.birth_place is None or self.birth_place == fold(t.birth_place)
