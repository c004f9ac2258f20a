"""Anteriority search of the reference DUI (rule 17 of the INS implementation guide).

The user types a birth date, optionally the first characters of a name or first name; the DUI
lists every identity born that day whose birth name, used name, birth first names or used
first name starts with them, ignoring case, accents and diacritics, apostrophes, hyphens and
spaces (``SC.INS/va1.02``, ``va1.19``, ``va1.24``, ``va1.25``, ``va1.29``).
"""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING, Any

from reference_dui.identity import InvalidInput

if TYPE_CHECKING:
    from reference_dui.service import DuiService
    from reference_dui.store import PersonRecord

__all__ = ["anteriority_search", "search_key"]

_IGNORED = {"'", "’", "-", "‐", "–", " "}


def search_key(value: str, *, exact: bool = False) -> str:
    """``value`` as the search compares it: upper case, without accents, apostrophes, hyphens, spaces.

    ``exact`` (defect ``anteriority_exact_text``) only upper-cases it.
    """
    if exact:
        return value.upper()
    plain = "".join(c for c in unicodedata.normalize("NFKD", value) if not unicodedata.combining(c))
    return "".join(c for c in plain.upper() if c not in _IGNORED)


def _names(record: PersonRecord) -> list[str]:
    t = record.traits
    return [t.birth_name, *t.first_names, *(v for v in (t.used_name, t.used_first_name) if v)]


def anteriority_search(service: DuiService, birth_date: str | None, name: str | None) -> dict[str, Any]:
    if not birth_date:
        raise InvalidInput("birth_date (YYYY-MM-DD) is required for an anteriority search")
    if name is not None and len(name) > 100:
        raise InvalidInput("name is longer than 100 characters")
    exact = service.config.has("anteriority_exact_text")
    wanted = search_key(name or "", exact=exact)
    found = [
        r
        for r in service.store.list()
        if r.traits.birth_date == birth_date
        and (not wanted or any(search_key(n, exact=exact).startswith(wanted) for n in _names(r)))
    ]
    return {"persons": [service.identity(r.person_id) for r in found]}
