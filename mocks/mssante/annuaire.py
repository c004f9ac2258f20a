"""The Annuaire Santé's public extraction of MSSanté addresses, as the simulated operator publishes it.

SC.ANN.01.MS1 / SC.ANN/va1.01 (integrate the public extraction automatically) and SC.MSS/CONF.20
(find a correspondent's MSSanté address in the Annuaire Santé): the harness serves, at
``GET /annuaire/extraction-mssante.txt`` on the MSSanté simulator, a pipe-separated UTF-8 text
file with one line per professional or organisational mailbox of the test directory
(``fixtures/mssante/annuaire.json``; applicative and patient mailboxes are not listed).

Modelled on the public "extraction MSSanté" of the Annuaire Santé (a header line, then ``|``
separated fields); the columns below are the subset a DUI needs to find an address, named as
the extraction names them — the exact column list of the official file is not in the stored
reference material and is not claimed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

__all__ = ["COLUMNS", "EXTRACTION_PATH", "extraction", "extraction_rows"]

EXTRACTION_PATH = "/annuaire/extraction-mssante.txt"
COLUMNS = (
    "Type de BAL",
    "Adresse BAL",
    "Type d'identifiant PP",
    "Identifiant PP",
    "Identification nationale PP",
    "Nom d'exercice",
    "Prénom d'exercice",
    "Libellé profession",
    "Raison sociale structure",
)
KIND_LABELS = {"personal": "PER", "organisational": "ORG"}


def _names(entry: dict[str, Any]) -> tuple[str, str]:
    if entry.get("last_name"):
        return str(entry["last_name"]), str(entry.get("first_name", ""))
    words = [w for w in str(entry.get("display_name", "")).split() if w not in ("Dr", "Pr")]
    last = " ".join(w for w in words if w.isupper())
    first = " ".join(w for w in words if not w.isupper())
    return last, first


def extraction_rows(directory_file: Path) -> list[dict[str, str]]:
    """One row per personal or organisational mailbox of the directory file, in its order."""
    data = json.loads(directory_file.read_text(encoding="utf-8"))
    rows = []
    for entry in data.get("entries", []):
        kind = KIND_LABELS.get(str(entry.get("kind", "")))
        if kind is None:
            continue
        rpps = str(entry.get("rpps", ""))
        last, first = _names(entry) if kind == "PER" else ("", "")
        values = (
            kind,
            str(entry["address"]).lower(),
            "8" if rpps else "",
            rpps,
            f"8{rpps}" if rpps else "",
            last,
            first,
            str(entry.get("profession", "")),
            str(entry.get("structure", "")),
        )
        rows.append(dict(zip(COLUMNS, values, strict=True)))
    return rows


def extraction(directory_file: Path) -> bytes:
    """The extraction file: a header line, then one ``|`` separated line per mailbox (UTF-8, CRLF)."""
    lines = ["|".join(COLUMNS)] + ["|".join(row[c] for c in COLUMNS) for row in extraction_rows(directory_file)]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")
