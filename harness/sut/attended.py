"""Attended mode: an operator drives the DUI's own screens, the harness watches the wire.

Each action prints an instruction in French and English, then waits (bounded) for the
exchange it must cause to reach the simulator. What only the screen shows (the INS and the
status the DUI displays) is typed back by the operator; no answer within the timeout gives
:class:`OperatorNoAnswer`, which the plugin reports as *skipped* (input not provided),
never as passed.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

from harness.core.ins import Traits
from harness.core.recorder import Exchange, Recorder
from harness.sut.attended_dmp import AttendedDmp
from harness.sut.attended_dmp_auto import AttendedDmpAuto
from harness.sut.attended_dmp_consent import AttendedDmpConsent
from harness.sut.attended_dmp_history import AttendedDmpHistory
from harness.sut.attended_doc import AttendedDoc
from harness.sut.attended_fhir import AttendedFhir
from harness.sut.attended_hl7v2 import AttendedHl7v2
from harness.sut.attended_ins import AttendedIns
from harness.sut.attended_ins_lifecycle import AttendedInsLifecycle
from harness.sut.attended_ins_rules import AttendedInsRules
from harness.sut.attended_mss import AttendedMss
from harness.sut.attended_mss_lps import AttendedMssLps
from harness.sut.attended_mss_records import AttendedMssRecords
from harness.sut.attended_mss_rules import AttendedMssRules
from harness.sut.attended_operator import Operator, OperatorNoAnswer, OperatorStopped
from harness.sut.attended_psc import AttendedPsc
from harness.sut.attended_sdo import AttendedSdo
from harness.sut.attended_sheet import write_sheet
from harness.sut.driver import IdentityDocument, SutDriver, SutInfo

__all__ = ["AttendedDriver", "Operator", "OperatorNoAnswer", "OperatorStopped"]

#: the DUI identity questions (SutInfo field, French, English) asked once, recorded in run.json and the bundle
IDENTITY_QUESTIONS = (
    ("name", "Nom du logiciel DUI ?", "Name of the DUI software?"),
    ("version", "Version du logiciel ?", "Software version?"),
    ("editor", "Éditeur ?", "Editor (vendor)?"),
    ("build_id", "Build ou identifiant de livraison (vide si aucun) ?", "Build or delivery id (empty if none)?"),
)
NOT_DECLARED = "non déclaré / not declared"


class AttendedDriver(
    AttendedIns,
    AttendedInsLifecycle,
    AttendedInsRules,
    AttendedPsc,
    AttendedDoc,
    AttendedDmp,
    AttendedFhir,
    AttendedMss,
    AttendedMssRules,
    AttendedMssLps,
    AttendedMssRecords,
    AttendedHl7v2,
    AttendedDmpAuto,
    AttendedDmpConsent,
    AttendedDmpHistory,
    AttendedSdo,
    SutDriver,
):
    """The operator performs each action; exchanges are awaited on the recorder, shown as they arrive.

    Each service's operations live in their own module, ``harness/sut/attended_<service>.py`` (a mixin of
    the service's driver part, :mod:`harness.sut.parts`); a new service registers its attended part by
    adding its mixin to this class's bases.

    Args:
        recorder: the run's recorder, where the simulators record what the DUI sends.
        operator: the terminal conversation.
        exchange_timeout: seconds to wait for the DUI's call after an instruction.
        reports: the run's output folder: the connection sheet and the journal go to ``attended/``.
    """

    mode = "attended"

    def __init__(
        self,
        recorder: Recorder,
        operator: Operator | None = None,
        *,
        exchange_timeout: float = 180.0,
        name: str = "DUI (mode accompagné / attended)",
        reports: Path | None = None,
    ) -> None:
        self.recorder = recorder
        self.folder = reports / "attended" if reports is not None else None
        self.operator = operator or Operator(journal=self.folder / "journal.jsonl" if self.folder else None)
        self.exchange_timeout = exchange_timeout
        self.name = name
        self._info: SutInfo | None = None
        self._traits: dict[str, Traits] = {}
        self._documents: dict[str, IdentityDocument | None] = {}
        self._administered: dict[str, list[str]] = {}

    def watch(self, predicate: Any = None, /, **criteria: Any) -> list[Exchange]:
        """Wait for the step's exchange with the operator in the loop (see :meth:`Operator.watch`)."""
        criteria.setdefault("timeout", self.exchange_timeout)
        return self.operator.watch(self.recorder, predicate, **criteria)

    def info(self) -> SutInfo:
        """The DUI's identity as the operator declares it (asked once; empty answers say "not declared")."""
        if self._info is not None:
            return self._info
        self.operator.say(
            "Identité de la DUI testée (reportée dans run.json et le dossier de preuves).",
            "Identity of the DUI under test (written to run.json and the evidence bundle).",
        )
        answers: dict[str, str] = {}
        for key, french, english in IDENTITY_QUESTIONS:
            try:
                answers[key] = self.operator.ask(french, english)
            except OperatorNoAnswer:
                answers[key] = ""
        self._info = SutInfo(
            name=answers["name"] or self.name,
            version=answers["version"] or NOT_DECLARED,
            editor=answers["editor"],
            build_id=answers["build_id"],
            extra={"mode": "attended", "source": "déclaré par l'opérateur / declared by the operator"},
        )
        self.operator.record("dui-identity", **answers)
        return self._info

    def reset(self) -> None:
        self._traits.clear()

    def configure_endpoints(self, endpoints: dict[str, Any]) -> bool:
        """Show the connection sheet (and write it under ``<reports>/attended/``), wait until the DUI is set up."""
        if self.folder is not None:
            text, page, body = write_sheet(self.folder, endpoints)
            self.operator.write("\n" + text)
            self.operator.write(f"  page : {page}\n  PUT /config/endpoints body: {body}\n")
        else:
            from harness.sut.attended_sheet import build_sheet, render_text

            self.operator.write("\n" + render_text(build_sheet(endpoints)))
        self.operator.record("connection-sheet", services=sorted(endpoints))
        with contextlib.suppress(OperatorNoAnswer):  # the steps will show whether anything arrives
            self.operator.ask(
                "Configurez la DUI avec cette fiche, puis appuyez sur Entrée.",
                "Configure the DUI from this sheet, then press Enter.",
            )
        return False
