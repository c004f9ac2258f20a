"""Compile a pack's official artefacts before the first document arrives (issue 10 item 3).

The first judgement of a CDA document with a pack compiles what judges it: the XSD, the
structuration-minimale schematron (9.4 MB of XSLT once compiled; Saxon takes 20–90 s on it once
per process, 200 s on a machine loaded 20 times over), the cross-cutting profiles, the content
models the run pins. Saxon keeps the Python interpreter while it compiles (measured: no other thread
of the process runs meanwhile), so a compilation must never happen while a DUI waits for an answer:
the run compiles them when it starts (:func:`warm_up`, a background thread, overlapping what does
not need the interpreter, e.g. key generation), and waits for it (:meth:`Warmup.wait`) before the
DUI is started or called; ``python -m mocks.<package> --cda-pack`` compiles before serving. The
schematron engine keeps what it compiled for the process, so the judgements that follow only run.

What cannot be compiled is not an error here: the judgement reports it as a layer *not run*, with
the reason, as it always does (:mod:`.official`).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from harness.validators.cda.ans_route import ans_moteur
from harness.validators.cda.pack import CdaPack, CdaPackError
from harness.validators.cda.pack_state import schematron_state
from harness.validators.cda.schematron_run import SchematronRunError, engine
from harness.validators.cda.selection import DEFAULT_SCHEMATRONS, PROFILES, pinned_model, profile_schematron
from harness.validators.cda.xsd import cda_schema

__all__ = ["Warmup", "warm_up", "warmed_files"]


def warmed_files(pack: CdaPack) -> list[Path]:
    """The schematrons a judgement with ``pack`` runs whatever the document: the default cross-cutting
    profiles, and the content models the pack's pins name (when the pack has them)."""
    files = [profile_schematron(pack, name).path for name in DEFAULT_SCHEMATRONS if name in PROFILES]
    files += [p for stem, version in pack.model_versions if (p := pinned_model(pack, stem, version)).is_file()]
    return files


@dataclass
class Warmup:
    """One compilation of a pack's artefacts, in a background thread."""

    pack: CdaPack
    #: the files compiled (relative to the pack), and those that could not be, with the reason
    compiled: list[str] = field(default_factory=list)
    not_compiled: list[str] = field(default_factory=list)
    seconds: float = 0.0
    _done: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        """Compile everything (the calling thread); never raises."""
        started = time.monotonic()
        try:
            self._compile()
        finally:
            self.seconds = time.monotonic() - started
            self._done.set()

    def _compile(self) -> None:
        try:
            cda_schema(self.pack)
            self.compiled.append(self.pack.xsd.relative_to(self.pack.root).as_posix())
        except CdaPackError as exc:
            self.not_compiled.append(f"CDA_extended.xsd: {exc}")
        moteur = ans_moteur(self.pack.schematrons) if self.pack.route == "ans" else None
        for path in warmed_files(self.pack):
            state = schematron_state(self.pack, path)
            if not state.runnable:
                self.not_compiled.append(f"{state.relative}: {state.reason()}")
                continue
            try:
                engine().executable(path, None, state.overlay, moteur)
            except SchematronRunError as exc:
                self.not_compiled.append(f"{state.relative}: {exc}")
                continue
            self.compiled.append(state.relative)

    @property
    def done(self) -> bool:
        return self._done.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until the compilation ended (at most ``timeout`` seconds): True when it did."""
        return self._done.wait(timeout)

    def describe(self) -> str:
        """One line for the run's log: what was compiled, in how long, what could not be."""
        line = (
            f"paquet CDA préparé / CDA pack prepared: {len(self.compiled)} artefact(s) compiled in {self.seconds:.1f} s"
        )
        return line + (f"; not compiled: {'; '.join(self.not_compiled)}" if self.not_compiled else "")


def warm_up(pack: CdaPack, *, background: bool = True) -> Warmup:
    """Compile ``pack``'s artefacts (:func:`warmed_files` and its XSD): in a daemon thread by default
    (:meth:`Warmup.wait` to wait for it), or now with ``background=False``."""
    warmup = Warmup(pack)
    if background:
        threading.Thread(target=warmup.run, name="cda-pack-warmup", daemon=True).start()
    else:
        warmup.run()
    return warmup
