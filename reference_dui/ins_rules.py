"""The reference DUI's own rules of the *Guide d'implémentation de l'INS* on what INSi returns.

Rule 11: never take back (*rapatrier*) an INS whose returned birth date has ``00`` as day or
month. Rule 12: never take back an INS whose returned birth name, birth first names or sex is
empty. Both are checked before anything of the answer is stored (``SC.INS.06A``,
``SC.INS/va1.28``, ``SC.INS/va1.31``). Written independently of the harness's checks.
"""

from __future__ import annotations

import dataclasses
import unicodedata
from collections.abc import Callable
from typing import TYPE_CHECKING

from reference_dui.identity import Traits
from reference_dui.insi_client import Tiq

if TYPE_CHECKING:
    from reference_dui.store import PersonRecord

__all__ = ["Restriction", "lunar_date", "tiq_refusal", "with_blank_tiq_kept"]

#: why a person may not be searched nor qualified (None: no restriction), see ``DuiService.restrictions``
Restriction = Callable[["PersonRecord"], "str | None"]


def lunar_date(value: str) -> bool:
    """A birth date with ``00`` as day or month (``YYYY-MM-00``, ``YYYY-00-DD``): rule 11."""
    parts = value.split("-")
    return len(parts) == 3 and (parts[1] == "00" or parts[2] == "00")


def _fold(value: str) -> str:
    plain = "".join(c for c in unicodedata.normalize("NFKD", value) if not unicodedata.combining(c))
    return " ".join(plain.upper().split())


def tiq_refusal(
    tiq: Tiq,
    *,
    typed: Traits | None = None,
    lunar_ok: bool = False,
    blank_ok: bool = False,
    first_name_ok: bool = False,
) -> str | None:
    """Why the INS of this TIQ must not be stored (rules 6, 11 and 12), or None.

    Rule 6: the first name the user typed must be one of the birth first names INSi returned
    (accents and case aside). ``lunar_ok`` / ``blank_ok`` / ``first_name_ok`` are the defect
    switches ``insi_lunar_date_stored``, ``insi_blank_tiq_stored`` and ``skip_first_name_consistency``.
    """
    if not lunar_ok and lunar_date(tiq.birth_date):
        return (
            f"date de naissance retournée {tiq.birth_date} avec 00 en jour ou en mois: INS non rapatrié "
            "(règle 11 du guide INS)"
        )
    empty = [
        label
        for label, value in (
            ("nom de naissance", tiq.birth_name),
            ("prénom(s) de naissance", " ".join(tiq.first_names)),
            ("sexe", tiq.sex),
        )
        if not value.strip()
    ]
    if empty and not blank_ok:
        return f"{', '.join(empty)} vide(s) dans la réponse INSi: INS non rapatrié (règle 12 du guide INS)"
    returned = {_fold(n) for n in tiq.first_names}
    if typed is not None and returned and not first_name_ok and _fold(typed.first_names[0]) not in returned:
        return (
            f"premier prénom saisi {typed.first_names[0]} absent des prénoms de naissance retournés "
            f"({' '.join(tiq.first_names)}): incohérence à vérifier, INS non rapatrié (règle 6 du guide INS)"
        )
    return None


def with_blank_tiq_kept(tiq: Tiq, typed: Traits) -> Tiq:
    """The TIQ, with its empty traits taken from what the operator typed (only reached by a defect)."""
    return dataclasses.replace(
        tiq,
        birth_name=tiq.birth_name or typed.birth_name,
        first_names=tiq.first_names or typed.first_names,
        sex=tiq.sex or typed.sex,
    )
