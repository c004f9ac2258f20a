"""Run the official CI-SIS schematrons with SaxonC-HE (XSLT 3.0 processor, from PyPI ``saxonche``).

Each ``.sch`` is compiled to XSLT by :mod:`harness.validators.cda.schematron_compile`, then by
Saxon to an executable. Both are cached:

* on disk, ``<cache>/<sha256(compiler version, schematron path, phase)>.xsl`` with a ``.json``
  manifest of every file it was made from (path, size, modification time): an entry whose
  files changed is rebuilt. ``<cache>`` is ``$DUI_HARNESS_CACHE_DIR``, else
  ``$XDG_CACHE_HOME/dui-harness/schematron``, else ``~/.cache/dui-harness/schematron``; an
  unwritable cache is simply not used;
* in memory, the Saxon executable, for the life of the process (checked against the same
  manifest on each use).

The document given to Saxon is always the re-serialisation of a tree that
:func:`harness.validators.safexml.parse_xml` accepted (no DTD, no entity); Saxon may read
files (the pack's value sets) but no other URI scheme. One lock serialises Saxon calls.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.validators.cda.ans_route import AnsRouteError, compile_with_ans
from harness.validators.cda.pack_state import schematron_files
from harness.validators.cda.schematron_compile import COMPILER_VERSION, SchematronError, compile_schematron

__all__ = ["SCHEMATRON_STATS", "SchematronEngine", "SchematronRunError", "cache_dir", "engine"]

CACHE_ENV = "DUI_HARNESS_CACHE_DIR"
#: what the caches did in this process: schematrons compiled to XSLT, XSLT compiled by Saxon,
#: XSLT read from the disk cache, transformations run
SCHEMATRON_STATS = {"sch_compiled": 0, "xslt_compiled": 0, "disk_hits": 0, "runs": 0}


class SchematronRunError(RuntimeError):
    """An official schematron could not be compiled or run to the end (e.g. a file the pack lacks)."""


def cache_dir() -> Path:
    """Where compiled schematrons are kept between runs."""
    explicit = os.environ.get(CACHE_ENV, "").strip()
    if explicit:
        return Path(explicit).expanduser()
    base = os.environ.get("XDG_CACHE_HOME", "").strip()
    return (Path(base) if base else Path.home() / ".cache") / "dui-harness" / "schematron"


def _stamp(path: Path) -> list[int]:
    stat = path.stat()
    return [stat.st_size, stat.st_mtime_ns]


def _fresh(files: dict[str, list[int]]) -> bool:
    try:
        return all(_stamp(Path(name)) == stamp for name, stamp in files.items())
    except OSError:
        return False


def _message(exc: Exception) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return " ".join(lines[:3])[:600] or type(exc).__name__


@dataclass
class _Entry:
    executable: Any
    files: dict[str, list[int]]


class SchematronEngine:
    """The process-wide Saxon processor and the compiled schematrons."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self._processor: Any = None
        self._entries: dict[tuple[str, str, tuple[tuple[str, str], ...], str], _Entry] = {}

    @property
    def processor(self) -> Any:
        if self._processor is None:
            from saxonche import PySaxonProcessor

            processor = PySaxonProcessor(license=False)
            processor.set_configuration_property("http://saxon.sf.net/feature/allowedProtocols", "file")
            self._processor = processor
        return self._processor

    def _xslt(
        self, source: Path, phase: str, overlay: Mapping[Path, Path], moteur: Path | None
    ) -> tuple[str, dict[str, list[int]]]:
        """The XSLT of ``source`` from the disk cache, or compiled (and stored) now."""
        extra = "\0".join(f"{k}={v}" for k, v in sorted(overlay.items()))
        route = f"ans:{moteur}" if moteur else COMPILER_VERSION
        key = hashlib.sha256(f"{route}\0{source}\0{phase}\0{extra}".encode()).hexdigest()
        folder = cache_dir()
        xsl, manifest = folder / f"{key}.xsl", folder / f"{key}.json"
        try:
            files = json.loads(manifest.read_text(encoding="utf-8"))["files"]
            if _fresh(files):
                text = xsl.read_text(encoding="utf-8")
                SCHEMATRON_STATS["disk_hits"] += 1
                return text, files
        except (OSError, ValueError, KeyError, TypeError):
            pass
        if moteur is not None:
            try:
                text, made_of = compile_with_ans(self.processor, moteur, source, overlay)
            except AnsRouteError as exc:
                raise SchematronError(str(exc)) from None
            made_of += schematron_files(source)
        else:
            compiled = compile_schematron(source, None if phase == "#DEFAULT" else phase, overlay=overlay)
            text, made_of = compiled.xslt, compiled.files
        SCHEMATRON_STATS["sch_compiled"] += 1
        files = {str(f): _stamp(f) for f in made_of}
        try:
            folder.mkdir(parents=True, exist_ok=True)
            for target, content in ((xsl, text), (manifest, json.dumps({"files": files}))):
                temporary = target.with_suffix(f".{os.getpid()}.tmp")
                temporary.write_text(content, encoding="utf-8")
                os.replace(temporary, target)
        except OSError:
            pass  # a read-only home: no disk cache, the memory cache still works
        return text, files

    def executable(
        self,
        source: Path,
        phase: str | None = None,
        overlay: Mapping[Path, Path] | None = None,
        moteur: Path | None = None,
    ) -> Any:
        """The Saxon executable of the schematron ``source`` (compiled once per process).

        Args:
            overlay: missing pack file -> derived file (see :mod:`harness.validators.cda.pack_state`).
            moteur: compile with the ANS pipeline of this ``moteur/`` folder (:mod:`.ans_route`)
                instead of the project's compiler.
        """
        overlay = overlay or {}
        key = (
            str(source.resolve()),
            phase or "#DEFAULT",
            tuple(sorted((str(k), str(v)) for k, v in overlay.items())),
            str(moteur or ""),
        )
        with self.lock:
            entry = self._entries.get(key)
            if entry is not None and _fresh(entry.files):
                return entry.executable
            try:
                xslt, files = self._xslt(Path(key[0]), key[1], overlay, moteur)
            except SchematronError as exc:
                raise SchematronRunError(str(exc)) from None
            from saxonche import PySaxonApiError

            try:
                executable = self.processor.new_xslt30_processor().compile_stylesheet(
                    stylesheet_text=xslt, encoding="utf-8"
                )
            except PySaxonApiError as exc:
                raise SchematronRunError(f"{source.name}: XSLT compilation failed: {_message(exc)}") from None
            SCHEMATRON_STATS["xslt_compiled"] += 1
            self._entries[key] = _Entry(executable, files)
            return executable

    def forget(self) -> None:
        """Drop the compiled executables held in memory, as a new process would start (the disk cache stays)."""
        with self.lock:
            self._entries.clear()

    def parse(self, text: str) -> Any:
        """A Saxon document node for ``text`` (an XML text already accepted by ``safexml``)."""
        with self.lock:
            return self.processor.parse_xml(xml_text=text, encoding="utf-8")

    def run(
        self,
        source: Path,
        document: Any,
        *,
        phase: str | None = None,
        fired: bool = False,
        overlay: Mapping[Path, Path] | None = None,
        moteur: Path | None = None,
    ) -> str:
        """Run the schematron ``source`` on a parsed ``document``: the SVRL text.

        Args:
            fired: also report every ``svrl:fired-rule`` (the official tool does; verdicts do not need it).
            overlay: missing pack file -> derived file.
            moteur: run the XSLT made by the ANS pipeline of this folder (:mod:`.ans_route`).

        Raises:
            SchematronRunError: the schematron does not compile, or stops on a dynamic error
                (typically a value set or include missing from the pack).
        """
        from saxonche import PySaxonApiError

        with self.lock:
            executable = self.executable(source, phase, overlay, moteur)
            if moteur is None:  # the ANS pipeline always reports the fired rules
                executable.set_parameter("dui-fired", self.processor.make_boolean_value(fired))
            executable.set_global_context_item(xdm_item=document)
            try:
                result = executable.apply_templates_returning_string(xdm_value=document, encoding="utf-8")
            except PySaxonApiError as exc:
                raise SchematronRunError(f"{source.name}: {_message(exc)}") from None
            SCHEMATRON_STATS["runs"] += 1
            return str(result)


_ENGINE = SchematronEngine()


def engine() -> SchematronEngine:
    """The process-wide schematron engine."""
    return _ENGINE
