"""HL7 v2 data types carried in XDS slots: CX, XCN, XON and DTM, parsed and checked.

Each ``check_*`` returns the problems found as plain sentences (the caller turns them into
findings with its own rule, requirement and location).

References: IHE ITI TF-3 §4.2.3.1.7 (CX, XCN, XON, DTM in XDS metadata); french-specs.md §2.3
(CI-SIS forms: ``<INS>^^^&1.2.250.1.213.1.4.8&ISO^NH``, XCN with authority
``&1.2.250.1.71.4.2.1&ISO``, ``D`` and ``IDNPS``/``EI``; XON ``…^^^^^&1.2.250.1.71.4.2.2&ISO^IDNST^^^<id>``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Cx", "check_cx", "check_dtm", "check_xcn", "check_xon", "parse_cx"]

_OID = re.compile(r"^[0-2](\.(0|[1-9][0-9]*))+$")
_DTM = re.compile(r"^\d{4}(\d{2}(\d{2}(\d{2}(\d{2}(\d{2})?)?)?)?)?$")
OID_PS_IDNAT = "1.2.250.1.71.4.2.1"
OID_STRUCT_IDNAT = "1.2.250.1.71.4.2.2"


@dataclass(frozen=True)
class Cx:
    """An identifier ``id^^^&oid&ISO^type``."""

    id: str
    oid: str
    type: str = ""


def _authority(value: str) -> tuple[str, list[str]]:
    """``(oid, problems)`` of an HD ``&<oid>&ISO`` assigning authority."""
    parts = value.split("&")
    if len(parts) != 3 or parts[0] or parts[2] != "ISO" or not _OID.match(parts[1]):
        return "", [f"the assigning authority {value!r} is not of the form &<OID>&ISO"]
    return parts[1], []


def parse_cx(value: str) -> tuple[Cx | None, list[str]]:
    """Parse a CX value; ``(None, problems)`` when it cannot be read."""
    comps = value.split("^")
    if len(comps) < 4 or not comps[0]:
        return None, [f"{value!r} is not a CX identifier <id>^^^&<OID>&ISO"]
    problems = []
    if any(comps[i] for i in (1, 2) if i < len(comps)) or any(c for c in comps[5:]):
        problems.append(f"{value!r}: only CX.1 (id), CX.4 (authority) and CX.5 (type) may be valued")
    oid, more = _authority(comps[3])
    problems += more
    return Cx(comps[0], oid, comps[4] if len(comps) > 4 else ""), problems


def check_cx(value: str, *, allowed_types: tuple[str, ...] = ("", "NH", "PI", "PN")) -> list[str]:
    cx, problems = parse_cx(value)
    if cx is not None and cx.type not in allowed_types:
        problems.append(
            f"{value!r}: identifier type {cx.type!r} is not one of {', '.join(t or '(empty)' for t in allowed_types)}"
        )
    return problems


def check_xcn(value: str) -> list[str]:
    """An authorPerson: id (XCN.1) with its authority (XCN.9), or at least a family name."""
    comps = value.split("^")
    problems = []
    ident = comps[0]
    family = comps[1] if len(comps) > 1 else ""
    if not ident and not family:
        return [f"{value!r}: an XCN needs an identifier (XCN.1) or a family name (XCN.2)"]
    if ident:
        authority = comps[8] if len(comps) > 8 else ""
        if not authority:
            problems.append(f"{value!r}: XCN.1 {ident!r} has no assigning authority (XCN.9 &<OID>&ISO)")
        else:
            problems += _authority(authority)[1]
        id_type = comps[12] if len(comps) > 12 else ""
        if id_type and id_type not in ("IDNPS", "EI", "RPPS", "ADELI"):
            problems.append(f"{value!r}: identifier type (XCN.13) {id_type!r} is not IDNPS or EI")
    return problems


def check_xon(value: str) -> list[str]:
    """An authorInstitution: name (XON.1); with an id (XON.10), its authority (XON.6)."""
    comps = value.split("^")
    if not comps[0]:
        return [f"{value!r}: an XON needs the organisation name (XON.1)"]
    ident = comps[9] if len(comps) > 9 else ""
    if not ident:
        return []
    authority = comps[5] if len(comps) > 5 else ""
    if not authority:
        return [f"{value!r}: XON.10 {ident!r} has no assigning authority (XON.6 &<OID>&ISO)"]
    return _authority(authority)[1]


def check_dtm(value: str) -> list[str]:
    """An XDS date-time: UTC, ``YYYY[MM[DD[hh[mm[ss]]]]]``, digits only."""
    if not _DTM.match(value):
        return [f"{value!r} is not an HL7 DTM YYYY[MM[DD[hh[mm[ss]]]]] in UTC (no separators, no time zone)"]
    return []
