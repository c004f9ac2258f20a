"""The test identities the INS suite uses, read from the identity base shipped in fixtures/."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from functools import cache
from typing import Any

from harness.core.ins import Traits
from harness.paths import fixtures_dir

__all__ = ["TestPerson", "person"]


@dataclass(frozen=True)
class TestPerson:
    """A person of the identity base: traits and the INSi answer expected for them."""

    id: str
    traits: Traits
    ins: str | None
    oid: str | None
    history: tuple[str, ...]

    def typed_by_operator(self, **changes: Any) -> Traits:
        """The traits as an operator would type them (optionally altered)."""
        return dataclasses.replace(self.traits, **changes)


@cache
def _base() -> dict[str, TestPerson]:
    raw = json.loads((fixtures_dir() / "identities" / "insi-identities.json").read_text(encoding="utf-8"))
    people = {}
    for entry in raw["persons"]:
        t = entry["traits"]
        ins = entry.get("ins")
        people[entry["id"]] = TestPerson(
            id=entry["id"],
            traits=Traits(t["birth_name"], tuple(t["first_names"]), t["sex"], t["birth_date"], t.get("birth_place")),
            ins=(ins["nir"] + ins["key"]) if ins else None,
            oid=ins["oid"] if ins else None,
            history=tuple(h["nir"] + h["key"] for h in entry.get("history", [])),
        )
    return people


def person(person_id: str) -> TestPerson:
    return _base()[person_id]
