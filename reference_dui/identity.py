"""Identity rules of the reference DUI: traits, INS key, RNIV statuses, INSi search strategy.

Its own implementation (not the harness's): key = 97 − (NIR mod 97) with Corsica ``2A``/``2B``
read as ``19``/``18``; statuses PROV / RECUP / VALI / QUAL ([EXI SI 07]); the INS is exchanged
only with a QUAL identity ([EXI SI 08]).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace
from typing import Any

__all__ = [
    "INS_OIDS",
    "OID_NIA",
    "OID_NIR",
    "InvalidInput",
    "Traits",
    "ins_key",
    "key_is_valid",
    "may_exchange_ins",
    "query_plan",
    "status_for",
]

OID_NIR = "1.2.250.1.213.1.4.8"
OID_NIA = "1.2.250.1.213.1.4.9"
#: assigning authorities of an INS: NIR, NIA, test NIR, demonstration NIR (never INS-C .2)
INS_OIDS = frozenset({OID_NIR, OID_NIA, "1.2.250.1.213.1.4.10", "1.2.250.1.213.1.4.11"})
SEXES = ("M", "F", "U")
_NIR = re.compile(r"^\d{5}(\d{2}|2A|2B)\d{6}$")
_KEY = re.compile(r"^\d{2}$")
_COG = re.compile(r"^[A-Za-z0-9]{5}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class InvalidInput(ValueError):
    """A body sent to the trigger API is not acceptable (answered 400)."""


# -- INS key ---------------------------------------------------------------------------------------
def ins_key(nir: str) -> int:
    """``97 − (NIR mod 97)``; Corsica's ``2A``/``2B`` (positions 6–7) count as ``19``/``18``."""
    nir = nir.upper()
    if not _NIR.match(nir):
        raise ValueError(f"not a 13-character NIR/NIA: {nir!r}")
    digits = nir[:5] + {"2A": "19", "2B": "18"}.get(nir[5:7], nir[5:7]) + nir[7:]
    return 97 - int(digits) % 97


def key_is_valid(nir: str, key: str) -> bool:
    try:
        return bool(_KEY.match(key)) and ins_key(nir) == int(key)
    except ValueError:
        return False


# -- statuses --------------------------------------------------------------------------------------
def status_for(*, insi_confirmed: bool, document_verified: bool) -> str:
    """The RNIV status for an INSi confirmation and a high-trust document check."""
    if insi_confirmed:
        return "QUAL" if document_verified else "RECUP"
    return "VALI" if document_verified else "PROV"


def may_exchange_ins(status: str) -> bool:
    """[EXI SI 08]: the INS goes into an exchange only with a qualified identity."""
    return status == "QUAL"


# -- traits ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Traits:
    """The traits of a person as the DUI stores them (the five strict traits and used names)."""

    birth_name: str
    first_names: tuple[str, ...]
    sex: str
    birth_date: str
    birth_place: str | None = None
    used_name: str | None = None
    used_first_name: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "birth_name": self.birth_name,
            "first_names": list(self.first_names),
            "sex": self.sex,
            "birth_date": self.birth_date,
            "birth_place": self.birth_place,
            "used_name": self.used_name,
            "used_first_name": self.used_first_name,
        }

    def with_strict(
        self, birth_name: str, first_names: tuple[str, ...], sex: str, birth_date: str, birth_place: str | None
    ) -> Traits:
        """These traits with the five strict traits replaced (by the INSi TIQ)."""
        return replace(
            self,
            birth_name=birth_name,
            first_names=first_names,
            sex=sex,
            birth_date=birth_date,
            birth_place=birth_place or self.birth_place,
        )

    @classmethod
    def from_json(cls, data: Any) -> Traits:
        """Validate a ``Traits`` object of the trigger API; :class:`InvalidInput` when wrong."""
        if not isinstance(data, dict):
            raise InvalidInput("traits must be a JSON object")
        missing = [k for k in ("birth_name", "first_names", "sex", "birth_date") if k not in data]
        if missing:
            raise InvalidInput(f"traits: missing field(s) {', '.join(missing)}")
        birth_name = _text(data, "birth_name", required=True)
        names = data["first_names"]
        if not isinstance(names, list) or not names:
            raise InvalidInput("traits.first_names must be a non-empty array of strings")
        if not all(isinstance(n, str) and n.strip() for n in names):
            raise InvalidInput("traits.first_names must contain non-empty strings only")
        sex = data["sex"]
        if sex not in SEXES:
            raise InvalidInput(f"traits.sex must be one of {', '.join(SEXES)}, not {sex!r}")
        birth_date = _date(data["birth_date"])
        birth_place = _text(data, "birth_place")
        if birth_place is not None and not _COG.match(birth_place):
            raise InvalidInput(f"traits.birth_place must be a 5-character COG code, not {birth_place!r}")
        return cls(
            birth_name=str(birth_name),
            first_names=tuple(n.strip() for n in names),
            sex=sex,
            birth_date=birth_date,
            birth_place=birth_place,
            used_name=_text(data, "used_name"),
            used_first_name=_text(data, "used_first_name"),
        )


def _text(data: dict[str, Any], key: str, *, required: bool = False) -> str | None:
    value = data.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"traits.{key} must be a non-empty string")
    if len(value) > 200:
        raise InvalidInput(f"traits.{key} is longer than 200 characters")
    return value.strip()


def _date(value: Any) -> str:
    if not isinstance(value, str) or not _DATE.match(value):
        raise InvalidInput(f"traits.birth_date must be a date YYYY-MM-DD, not {value!r}")
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"traits.birth_date is not a real date: {value!r}") from None
    if day > dt.date.today():
        raise InvalidInput(f"traits.birth_date is in the future: {value}")
    return value


# -- INSi search strategy --------------------------------------------------------------------------
def query_plan(first_names: tuple[str, ...], *, retry: bool = True) -> list[str]:
    """The ``Prenom`` value of each INSi call, in order (french-specs §1.5 "Client strategy").

    First the first birth first name; on CR 01/02 each other birth first name alone, then the
    full list (one value, space-separated). Duplicates are skipped, so at most
    ``len(first_names) + 1`` calls.
    """
    plan = [first_names[0]]
    if retry:
        plan += list(first_names[1:])
        plan.append(" ".join(first_names))
    unique: list[str] = []
    for value in plan:
        if value not in unique:
            unique.append(value)
    return unique
