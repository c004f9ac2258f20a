"""Attended mode: an operator drives the DUI's own screens, the harness watches the wire.

Each action prints an instruction in French and English, then waits (bounded) for the
exchange it must cause to reach the simulator. What only the screen shows (the INS and the
status the DUI displays) is typed back by the operator; no answer within the timeout gives
:class:`OperatorNoAnswer`, which the plugin reports as *skipped* (input not provided),
never as passed.
"""

from __future__ import annotations

import contextlib
import time
from pathlib import Path
from typing import Any

from harness.core.ins import Traits
from harness.core.recorder import Exchange, Recorder
from harness.sut.attended_dmp import AttendedDmp
from harness.sut.attended_fhir import AttendedFhir
from harness.sut.attended_hl7v2 import AttendedHl7v2
from harness.sut.attended_ins import AttendedInsLifecycle
from harness.sut.attended_mss import AttendedMss
from harness.sut.attended_mss_rules import AttendedMssRules
from harness.sut.attended_operator import Operator, OperatorNoAnswer, OperatorStopped, step
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


def _traits_shown(answer: str, given: Traits | None) -> dict[str, Any]:
    """The traits the operator read on the screen (``name; first names; sex; date; place``), else those given."""
    parts = [p.strip() for p in answer.split(";")]
    if len(parts) >= 4:
        return {"birth_name": parts[0], "first_names": parts[1].split(), "sex": parts[2], "birth_date": parts[3],
                "birth_place": (parts[4] if len(parts) > 4 else "") or None}
    return {
        "birth_name": given.birth_name if given else "",
        "first_names": list(given.first_names) if given else [],
        "sex": given.sex if given else "",
        "birth_date": given.birth_date if given else "",
        "birth_place": given.birth_place if given else None,
    }


def _describe(traits: Traits) -> str:
    place = f", COG {traits.birth_place}" if traits.birth_place else ""
    return (f"{traits.birth_name} {' '.join(traits.first_names)}, {traits.sex}, "
            f"{traits.birth_date}{place}")


class AttendedDriver(AttendedDmp, AttendedFhir, AttendedMss, AttendedMssRules, AttendedHl7v2, AttendedInsLifecycle,
                     SutDriver):
    """The operator performs each action; exchanges are awaited on the recorder, shown as they arrive.

    Args:
        recorder: the run's recorder, where the simulators record what the DUI sends.
        operator: the terminal conversation.
        exchange_timeout: seconds to wait for the DUI's call after an instruction.
        reports: the run's output folder: the connection sheet and the journal go to ``attended/``.
    """

    mode = "attended"

    def __init__(self, recorder: Recorder, operator: Operator | None = None, *, exchange_timeout: float = 180.0,
                 name: str = "DUI (mode accompagné / attended)", reports: Path | None = None) -> None:
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
        self.operator.say("Identité de la DUI testée (reportée dans run.json et le dossier de preuves).",
                          "Identity of the DUI under test (written to run.json and the evidence bundle).")
        answers: dict[str, str] = {}
        for key, french, english in IDENTITY_QUESTIONS:
            try:
                answers[key] = self.operator.ask(french, english)
            except OperatorNoAnswer:
                answers[key] = ""
        self._info = SutInfo(name=answers["name"] or self.name, version=answers["version"] or NOT_DECLARED,
                             editor=answers["editor"], build_id=answers["build_id"],
                             extra={"mode": "attended", "source": "déclaré par l'opérateur / declared by the operator"})
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
            self.operator.ask("Configurez la DUI avec cette fiche, puis appuyez sur Entrée.",
                              "Configure the DUI from this sheet, then press Enter.")
        return False

    @step("create_person")
    def create_person(self, traits: Traits, document: IdentityDocument | None = None) -> dict[str, Any]:
        doc_fr = " et enregistrez la vérification d'une pièce d'identité (CNI)" if document else ""
        doc_en = " and record the check of an identity document (ID card)" if document else ""
        answer = self.operator.ask(
            f"Créez l'usager {_describe(traits)}{doc_fr}, puis saisissez l'identifiant affiché par la DUI :",
            f"Create the person {_describe(traits)}{doc_en}, then type the id the DUI shows:",
        )
        person_id = answer or f"attended-{len(self._traits) + 1}"
        self._traits[person_id] = traits
        self._documents[person_id] = document
        return {"person_id": person_id, "traits": {}, "status": "PROV"}

    @step("lookup_ins")
    def lookup_ins(self, person_id: str) -> dict[str, Any]:
        traits = self._traits.get(person_id)
        since = self.recorder.mark()
        self.operator.say(
            f"Lancez la recherche de l'INS (téléservice INSi) pour l'usager {person_id}.",
            f"Run the INS search (INSi teleservice) for person {person_id}.",
        )
        name = traits.birth_name.upper() if traits else None

        def about(exchanges: list[Exchange]) -> list[Exchange]:  # the DUI may send the name in any case
            return [e for e in exchanges if name is None or e.tags.get("birth_name", "").upper() == name]

        found = about(self.watch(lambda es: bool(about(es)), service="INS", since=since))
        if found:
            # let the DUI finish its strategy (retries) before reading the result
            deadline = time.monotonic() + 5.0
            while time.monotonic() < deadline:
                count = len(found)
                time.sleep(1.0)
                found = about(self.recorder.exchanges(service="INS", since=since))
                if len(found) == count:
                    break
        last = found[-1].tags.get("cr") if found else None
        outcome = {"00": "found", "01": "not_found", "02": "ambiguous"}.get(last or "", "error")
        return {"outcome": outcome if found else "error", "cr": last, "calls": len(found),
                "message": None if found else "no INSi call received"}

    @step("check_identity_document")
    def check_identity_document(self, person_id: str, document: IdentityDocument) -> dict[str, Any]:
        self.operator.ask(
            f"Enregistrez pour l'usager {person_id} la vérification d'une pièce d'identité ({document.type}), "
            "puis appuyez sur Entrée.",
            f"Record for person {person_id} the check of an identity document ({document.type}), then press Enter.",
        )
        return self.identity(person_id)

    @step("identity")
    def identity(self, person_id: str) -> dict[str, Any]:
        status = self.operator.ask(
            f"Quel statut d'identité la DUI affiche-t-elle pour {person_id} ? (PROV, RECUP, VALI, QUAL)",
            f"Which identity status does the DUI show for {person_id}? (PROV, RECUP, VALI, QUAL)",
        ).upper()
        ins = self.operator.ask(
            "Saisissez l'INS affiché (15 caractères) et son OID séparés par un espace, ou laissez vide :",
            "Type the INS shown (15 characters) and its OID separated by a space, or leave empty:",
        )
        value, _, oid = ins.partition(" ")
        given = self._traits.get(person_id)
        shown = self.operator.ask(
            "Traits stricts affichés, séparés par « ; » : nom de naissance ; prénoms de naissance ; sexe ; date de "
            "naissance (AAAA-MM-JJ) ; code INSEE du lieu de naissance — Entrée seule : ceux saisis à la création",
            "Strict traits shown, separated by ';': birth name; birth first names; sex; birth date (YYYY-MM-DD); "
            "INSEE code of the birth place — Enter alone: those typed at creation",
        )
        return {
            "person_id": person_id,
            "status": status,
            "ins": {"value": value, "oid": oid.strip()} if value else None,
            "ins_history": [],
            "traits": _traits_shown(shown, given),
            "declared_by_operator": True,
        }

    @step("exchange_identity")
    def exchange_identity(self, person_id: str) -> dict[str, Any]:
        ins = self.operator.ask(
            f"Éditez un document de l'usager {person_id} : quel INS porte-t-il, et avec quel OID ? (séparés par un "
            "espace ; vide si aucun)",
            f"Produce a document for person {person_id}: which INS does it carry, with which OID? (space "
            "separated; empty if none)",
        )
        value, _, oid = ins.partition(" ")
        return {"ins": {"value": value, "oid": oid.strip()} if value else None, "declared_by_operator": True}

    @step("psc_login")
    def psc_login(self, professional: str) -> dict[str, Any]:
        since = self.recorder.mark()
        self.operator.say(
            f"Connectez-vous à la DUI avec Pro Santé Connect (le simulateur authentifie le professionnel "
            f"{professional} sans écran), puis revenez ici.",
            f"Log in to the DUI with Pro Santé Connect (the simulator authenticates professional {professional} "
            "with no screen), then come back here.",
        )
        found = self.watch(lambda es: any(e.transaction in ("userinfo", "authorize") for e in es),
                           service="PSC", since=since)
        shown = self.operator.ask(
            "La DUI vous a-t-elle connecté ? Saisissez l'identifiant national (idNat) du professionnel affiché, "
            "ou laissez vide si la connexion a été refusée :",
            "Did the DUI log you in? Type the national id (idNat) of the professional it shows, or leave empty "
            "if the login was refused:",
        )
        if not found:
            return {"outcome": "error", "professional": None, "error": "no Pro Santé Connect call received",
                    "declared_by_operator": True}
        return {"outcome": "logged_in" if shown else "refused",
                "professional": {"id_nat": shown} if shown else None, "declared_by_operator": True}

    @step("psc_session")
    def psc_session(self) -> dict[str, Any]:
        shown = self.operator.ask(
            "Quel professionnel la DUI affiche-t-elle comme connecté (idNat) ? Laissez vide si aucun :",
            "Which professional does the DUI show as logged in (idNat)? Leave empty if none:",
        )
        return {"logged_in": bool(shown), "professional": {"id_nat": shown} if shown else None,
                "declared_by_operator": True}

    @step("psc_logout")
    def psc_logout(self) -> None:
        self.operator.ask("Déconnectez-vous de la DUI, puis appuyez sur Entrée.",
                          "Log out of the DUI, then press Enter.")
