"""The correspondents of a person's record in the reference DUI (SC.MSS.14.MS1: at least 10).

Each correspondent is a name and an MSSanté address, kept in the order given; the record keeps
them all (the defect ``mss_correspondents_max_5`` keeps the first five only). Its own code, not
the harness's.
"""

from __future__ import annotations

from collections.abc import Set
from typing import Any

from reference_dui.identity import InvalidInput

__all__ = ["Correspondents"]

MAX_CORRESPONDENTS = 200


class Correspondents:
    def __init__(self) -> None:
        self._by_person: dict[str, list[dict[str, str]]] = {}

    def record(self, person_id: str, data: Any, defects: Set[str]) -> None:
        """``PUT /persons/{pid}/mss/correspondents`` ``{correspondents: [{name, address}]}``: replaces the list."""
        items = data.get("correspondents") if isinstance(data, dict) else None
        if not isinstance(items, list) or len(items) > MAX_CORRESPONDENTS:
            raise InvalidInput(
                f"the body must be {{correspondents: [{{name, address}}]}} (at most {MAX_CORRESPONDENTS})"
            )
        kept: list[dict[str, str]] = []
        for item in items:
            if not isinstance(item, dict) or "@" not in str(item.get("address", "")):
                raise InvalidInput("each correspondent must be {name, address} with an MSSanté address")
            kept.append({"name": str(item.get("name", "")), "address": str(item["address"]).strip()})
        self._by_person[person_id] = kept[:5] if "mss_correspondents_max_5" in defects else kept

    def of(self, person_id: str) -> list[dict[str, str]]:
        return list(self._by_person.get(person_id, []))

    def clear(self) -> None:
        self._by_person.clear()
