"""The synthetic persons of the INS lifecycle scenarios (``fixtures/identities/lifecycle-persons.json``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from typing import Any

from harness.core.ins import Traits
from harness.paths import fixtures_dir

__all__ = ["LifePerson", "insi_state", "life_person"]


@dataclass(frozen=True)
class LifePerson:
    """A lifecycle person: traits, the INS INSi returns, and the INS a scenario uses instead (if any)."""

    id: str
    traits: Traits
    ins: dict[str, str]
    other_ins: dict[str, str] | None
    raw: dict[str, Any]


def _ins(entry: dict[str, Any] | None) -> dict[str, str] | None:
    return {"value": str(entry["nir"]) + str(entry["key"]), "oid": str(entry["oid"])} if entry else None


@cache
def _data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        (fixtures_dir() / "identities" / "lifecycle-persons.json").read_text(encoding="utf-8")
    )
    return data


def life_person(person_id: str) -> LifePerson:
    for entry in _data()["persons"]:
        if entry["id"] == person_id:
            t = entry["traits"]
            traits = Traits(t["birth_name"], tuple(t["first_names"]), t["sex"], t["birth_date"], t.get("birth_place"))
            other = _ins(entry.get("received_ins") or entry.get("later_ins"))
            ins = _ins(entry["ins"])
            if ins is None:
                raise KeyError(f"lifecycle person {person_id!r} has no INS")
            return LifePerson(entry["id"], traits, ins, other, dict(entry))
    raise KeyError(f"no lifecycle person {person_id!r} in fixtures/identities/lifecycle-persons.json")


def insi_state() -> dict[str, Any]:
    """The ``PATCH /_harness/state`` body that gives INSi these persons and their TIQ overrides."""
    data = _data()
    return {"add_persons": [dict(p) for p in data["persons"]], "tiq_overrides": dict(data["tiq_overrides"])}
