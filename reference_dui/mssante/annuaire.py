"""The reference DUI's copy of the Annuaire Santé: it integrates the public extraction of MSSanté addresses.

Its own code. ``integrate`` downloads the extraction (HTTPS, the test CA, bounded size) and keeps
its professional and organisational mailboxes; ``search`` finds a correspondent by RPPS (exact)
and name. Defect switches: ``mss_ann_no_import`` keeps a stale list shipped with the software
instead of downloading; ``mss_ann_search_by_name_only`` ignores the RPPS (a homonym may come first).
"""

from __future__ import annotations

import ssl
import unicodedata
import urllib.request
from collections.abc import Set
from dataclasses import dataclass
from pathlib import Path

__all__ = ["AnnuaireEntry", "MssAnnuaire"]

MAX_EXTRACTION = 8 * 1024 * 1024
#: what a DUI that never downloads the extraction has: a list shipped with it, long out of date
STALE = (
    "PER|marc.kine@ancien-cabinet-essai.mssante.fr|8|810000000002|8810000000002|KINE-ESSAI|Marc|"
    "Masseur-kinésithérapeute|ANCIEN CABINET ESSAI",
)


@dataclass(frozen=True)
class AnnuaireEntry:
    address: str
    rpps: str
    last_name: str
    first_name: str
    structure: str

    def as_dict(self) -> dict[str, str]:
        return {
            "address": self.address,
            "rpps": self.rpps,
            "name": f"{self.last_name} {self.first_name}".strip(),
            "structure": self.structure,
        }


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().upper().strip()


def _parse(lines: list[str]) -> list[AnnuaireEntry]:
    entries = []
    for line in lines:
        fields = line.rstrip("\r").split("|")
        if len(fields) >= 9 and "@" in fields[1]:
            entries.append(AnnuaireEntry(fields[1].lower(), fields[3], fields[5], fields[6], fields[8]))
    return entries


class MssAnnuaire:
    """The integrated extraction and the search in it."""

    def __init__(self) -> None:
        self.entries: list[AnnuaireEntry] = []

    def integrate(self, url: str | None, ca: Path | None, defects: Set[str]) -> int:
        if "mss_ann_no_import" in defects or not url:
            self.entries = _parse(list(STALE))
            return len(self.entries)
        context = ssl.create_default_context(cafile=str(ca) if ca else None)
        with urllib.request.urlopen(url, timeout=10, context=context) as answer:
            data = answer.read(MAX_EXTRACTION + 1)
        if len(data) > MAX_EXTRACTION:
            raise ValueError("Annuaire Santé extraction larger than expected")
        self.entries = _parse(data.decode("utf-8", "replace").split("\n")[1:])
        return len(self.entries)

    def search(self, name: str, rpps: str, defects: Set[str]) -> list[dict[str, str]]:
        wanted = _fold(name).split()
        by_name = [
            e
            for e in self.entries
            if wanted and _fold(f"{e.last_name} {e.first_name}").split()[: len(wanted)] == wanted
        ]
        if rpps and "mss_ann_search_by_name_only" not in defects:
            exact = [e for e in self.entries if e.rpps == rpps]
            return [e.as_dict() for e in exact]
        return [e.as_dict() for e in (by_name or [e for e in self.entries if rpps and e.rpps == rpps])]
