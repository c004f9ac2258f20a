"""The CI-SIS value sets that XDS metadata codes come from (JDV_J02, J04, J06, J07, J08, J10).

Embedded: ``fixtures/xds/value-sets.json`` (the project's own transcription, with
provenance). With an artefact pack (``--cda-pack`` / ``DUI_HARNESS_CDA_PACK``, resolved by the caller), the pack's
``jeuxDeValeurs/JDV_*.xml`` (IHE SVS ``RetrieveValueSetResponse``) replace the sets they hold.
Loaded once per pack path.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path

from harness.validators.cda.pack import CdaPack
from harness.validators.safexml import XmlInputError, parse_xml

__all__ = ["Pack", "ValueSet", "load_value_sets"]

#: an artefact pack: its folder, or the loaded :class:`~harness.validators.cda.pack.CdaPack`
Pack = Path | str | CdaPack | None
_HERE = Path(__file__).resolve()
SVS_NS = "urn:ihe:iti:svs:2008"
#: value set key -> file name prefix in a pack's jeuxDeValeurs/
PACK_FILES = {
    "J02": "JDV_J02_",
    "J04": "JDV_J04_",
    "J06": "JDV_J06_",
    "J07": "JDV_J07_",
    "J08": "JDV_J08_",
    "J10": "JDV_J10_",
}


@dataclass(frozen=True)
class ValueSet:
    key: str
    name: str
    oid: str
    source: str
    codes: frozenset[tuple[str, str]]

    def __contains__(self, item: object) -> bool:
        return item in self.codes

    def systems_of(self, code: str) -> list[str]:
        return sorted(s for c, s in self.codes if c == code)


def _fixture() -> Path:
    for root in (_HERE.parents[3] / "fixtures", _HERE.parents[2] / "_data" / "fixtures"):
        candidate = root / "xds" / "value-sets.json"
        if candidate.is_file():
            return candidate
    raise FileNotFoundError("fixtures/xds/value-sets.json is missing from this installation")


def _from_pack(pack: Path, key: str) -> ValueSet | None:
    folder = pack / "jeuxDeValeurs"
    files = sorted(folder.glob(f"{PACK_FILES[key]}*.xml")) if folder.is_dir() else []
    if not files:
        return None
    try:
        root = parse_xml(files[0].read_bytes())
    except (OSError, XmlInputError):
        return None
    vs = root.find(f"{{{SVS_NS}}}ValueSet")
    if vs is None:
        return None
    codes = frozenset((c.get("code", ""), c.get("codeSystem", "")) for c in vs.iter(f"{{{SVS_NS}}}Concept"))
    return ValueSet(key, (vs.get("displayName") or key).removesuffix(".tabs"), vs.get("id", ""), str(files[0]), codes)


@functools.lru_cache(maxsize=4)
def _load(pack: str | None) -> dict[str, ValueSet]:
    data = json.loads(_fixture().read_text(encoding="utf-8"))
    sets = {}
    for key, entry in data["value_sets"].items():
        codes = frozenset((c["code"], c["codeSystem"]) for c in entry["concepts"])
        sets[key] = ValueSet(key, entry["name"], entry["oid"], "fixtures/xds/value-sets.json", codes)
    if pack:
        for key in PACK_FILES:
            found = _from_pack(Path(pack), key)
            if found is not None:
                sets[key] = found
    return sets


def load_value_sets(pack: Pack = None) -> dict[str, ValueSet]:
    """The value sets by key (``"J07"``…): the embedded ones, replaced by the pack's when given."""
    root = pack.root if isinstance(pack, CdaPack) else (Path(pack) if pack else None)
    return _load(str(root.resolve()) if root is not None else None)
