"""The state of an official artefact pack: which schematrons it can run, what was derived, what is missing.

A schematron needs every file it includes (``sch:include/@href``, relative to the including
file) and every value-set file its XPath reads by a literal path (``doc('include/voc-….xml')``,
``'../jeuxDeValeurs/JDV_….xml'``, relative to the top schematron, the base URI of the compiled
stylesheet). :func:`schematron_state` follows both, statically, before anything is compiled:

* a missing ART-DECOR value-set file ``voc-<OID>-DYNAMIC.xml`` whose OID the pack carries as an
  IHE SVS value set (``jeuxDeValeurs/*.xml``) is **derived** (:mod:`.valueset_derive`) into the
  project's cache — ``<cache>/derived/<pack key>/<path in the pack>`` — never into the pack,
  and the compiled schematron reads it there (an *overlay*, :attr:`SchematronState.overlay`);
* a missing include (or top file) is named: the schematron is *not run: file X missing from
  the pack*;
* a missing value-set file that cannot be derived is named too, but does not stop the
  schematron: XPath reads it lazily, only if a rule needs it (then the run stops and the
  schematron is reported not run with Saxon's reason).

Value sets read through computed paths (``concat($path, $code, '.rdf')``) cannot be seen
statically: a schematron stopping on one at run time is reported not run with Saxon's reason.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from harness.validators.cda.pack import CdaPack
from harness.validators.cda.valueset_derive import derive_voc, svs_oid, voc_oid

__all__ = [
    "DerivedFile",
    "SchematronState",
    "derived_dir",
    "pack_date",
    "schematron_files",
    "schematron_state",
    "svs_index",
]

_SCH = "{http://purl.oclc.org/dsdl/schematron}"
_LITERAL = re.compile(r"""(['"])([^'"\s()]+\.(?:xml|rdf))\1""")
_DATE = re.compile(rb'dateMaj="(\d{8})')
_LOCK = threading.Lock()
#: (pack root, file) -> (included files, literal file references) of one schematron file
_FILE_REFS: dict[Path, tuple[tuple[Path, ...], tuple[str, ...]]] = {}
_SVS: dict[Path, dict[str, Path]] = {}
_STATES: dict[tuple[Path, Path], SchematronState] = {}


@dataclass(frozen=True)
class DerivedFile:
    """A file the pack lacks, written by the harness from another file of the pack."""

    missing: str  # path in the pack (relative to its root)
    source: str  # path in the pack of the file it was derived from
    written: Path  # where the harness wrote it (the project's cache)

    def describe(self) -> str:
        return f"{self.missing} derived from {self.source} / dérivé de {self.source}"


@dataclass(frozen=True)
class SchematronState:
    """Whether the pack can run one top schematron, and with what help."""

    path: Path
    relative: str
    pack_root: Path
    missing: tuple[str, ...] = ()  # files it includes, missing from the pack: it cannot be compiled
    derived: tuple[DerivedFile, ...] = ()
    missing_reads: tuple[str, ...] = ()  # value-set files it may read, missing and not derivable
    files: tuple[Path, ...] = ()

    @property
    def runnable(self) -> bool:
        return not self.missing and self.path.is_file()

    @property
    def overlay(self) -> dict[Path, Path]:
        """Missing pack file (absolute) -> the derived file the compiled schematron reads instead."""
        return {self.pack_root / d.missing: d.written for d in self.derived}

    def reason(self) -> str:
        """Why it cannot run: ``file X missing from the pack`` (French first)."""
        if not self.path.is_file():
            return f"fichier absent du paquet / file missing from the pack: {self.relative}"
        shown = ", ".join(self.missing[:3]) + (f" (+{len(self.missing) - 3})" if len(self.missing) > 3 else "")
        return f"fichier absent du paquet / file missing from the pack: {shown}"


def derived_dir(pack: CdaPack) -> Path:
    """Where the files derived for ``pack`` are written (the project's cache, keyed by the pack folder)."""
    from harness.validators.cda.schematron_run import cache_dir

    key = hashlib.sha256(str(pack.root).encode()).hexdigest()[:16]
    return cache_dir().parent / "derived" / key


def pack_date(pack: CdaPack) -> str:
    """The newest ``dateMaj`` of the pack's value sets (``YYYY-MM-DD``), the best date a pack carries."""
    newest = b""
    for path in pack.value_sets.glob("*.xml"):
        try:
            with path.open("rb") as handle:
                head = handle.read(2048)
        except OSError:
            continue
        match = _DATE.search(head)
        if match and match.group(1) > newest:
            newest = match.group(1)
    text = newest.decode()
    return f"{text[:4]}-{text[4:6]}-{text[6:8]}" if text else ""


def svs_index(pack: CdaPack) -> dict[str, Path]:
    """OID -> the pack's IHE SVS value-set file of that OID (read once per process)."""
    with _LOCK:
        index = _SVS.get(pack.root)
        if index is None:
            index = {}
            for path in sorted(pack.value_sets.glob("*.xml")):
                oid = svs_oid(path)
                if oid and oid not in index:
                    index[oid] = path
            _SVS[pack.root] = index
        return index


def _references(path: Path) -> tuple[tuple[Path, ...], tuple[str, ...]]:
    """The files one schematron file includes, and the file literals its attributes read."""
    cached = _FILE_REFS.get(path)
    if cached is not None:
        return cached
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    root = etree.parse(str(path), parser).getroot()
    includes = tuple((path.parent / i.get("href", "")).resolve() for i in root.iter(f"{_SCH}include"))
    literals = sorted(
        {
            m.group(2)
            for e in root.iter()
            if isinstance(e.tag, str)
            for v in e.attrib.values()
            for m in _LITERAL.finditer(v)
        }
    )
    result = (includes, tuple(literals))
    _FILE_REFS[path] = result
    return result


def schematron_files(path: Path) -> list[Path]:
    """The top schematron ``path`` and every file it includes, recursively (those that exist)."""
    seen: set[Path] = set()
    pending = [path.resolve()]
    while pending:
        current = pending.pop()
        if current in seen or not current.is_file():
            continue
        seen.add(current)
        try:
            pending.extend(_references(current)[0])
        except (OSError, etree.XMLSyntaxError):
            continue
    return sorted(seen)


def _derive(pack: CdaPack, missing: Path) -> DerivedFile | None:
    oid = voc_oid(missing.name)
    source = svs_index(pack).get(oid) if oid else None
    if source is None:
        return None
    relative = missing.relative_to(pack.root).as_posix()
    target = derived_dir(pack) / relative
    label = source.relative_to(pack.root).as_posix()
    content = derive_voc(source, source_label=label)
    try:
        if not target.is_file() or target.read_bytes() != content:
            target.parent.mkdir(parents=True, exist_ok=True)
            temporary = target.with_suffix(f".{os.getpid()}.tmp")
            temporary.write_bytes(content)
            os.replace(temporary, target)
    except OSError:
        return None  # no writable cache: the file stays missing
    return DerivedFile(relative, label, target)


def _relative(pack: CdaPack, files: set[Path]) -> tuple[str, ...]:
    return tuple(sorted(f.relative_to(pack.root).as_posix() if f.is_relative_to(pack.root) else str(f) for f in files))


def schematron_state(pack: CdaPack, path: Path) -> SchematronState:
    """What the pack lacks to run the top schematron ``path``, deriving what it can (memoised)."""
    key = (pack.root, path.resolve())
    with _LOCK:
        known = _STATES.get(key)
    if known is not None and all(f.exists() for f in known.files):
        return known
    top = path.resolve()
    relative = top.relative_to(pack.root).as_posix() if top.is_relative_to(pack.root) else str(path)
    if not top.is_file():
        return SchematronState(top, relative, pack.root, (relative,))
    missing: set[Path] = set()
    literals: set[Path] = set()
    seen: set[Path] = set()
    pending = [top]
    while pending:
        current = pending.pop()
        if current in seen:
            continue
        seen.add(current)
        if not current.is_file():
            missing.add(current)
            continue
        try:
            includes, files = _references(current)
        except (OSError, etree.XMLSyntaxError):
            missing.add(current)
            continue
        pending.extend(includes)
        literals.update((top.parent / f).resolve() for f in files)
    absent_reads = {f for f in literals if not f.exists()}
    derived = [d for d in (_derive(pack, f) for f in sorted(absent_reads)) if d is not None]
    repaired = {pack.root / d.missing for d in derived}
    state = SchematronState(
        top,
        relative,
        pack.root,
        _relative(pack, missing),
        tuple(derived),
        _relative(pack, absent_reads - repaired),
        tuple(sorted(seen - missing)),
    )
    with _LOCK:
        _STATES[key] = state
    return state
