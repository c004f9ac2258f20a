"""Attended mode: an operator drives the DUI's own screens, the harness watches the wire.

Each action prints an instruction in French and English, then waits (bounded) for the
exchange it must cause to reach the simulator. What only the screen shows (the INS and the
status the DUI displays) is typed back by the operator; no answer within the timeout gives
:class:`OperatorNoAnswer`, which the plugin reports as *skipped* (input not provided),
never as passed.
"""

from __future__ import annotations

import select
import sys
import time
from typing import Any, TextIO

from harness.core.ins import Traits
from harness.core.recorder import Recorder
from harness.errors import HarnessError
from harness.sut.attended_dmp import AttendedDmp
from harness.sut.attended_fhir import AttendedFhir
from harness.sut.attended_mss import AttendedMss
from harness.sut.driver import IdentityDocument, SutDriver, SutInfo

__all__ = ["AttendedDriver", "Operator", "OperatorNoAnswer"]


class OperatorNoAnswer(HarnessError):
    """The operator did not answer in time: the input is missing, the check is skipped."""


class Operator:
    """Talks to the person at the DUI's screen through a terminal (or given streams)."""

    def __init__(self, out: TextIO | None = None, inp: TextIO | None = None, timeout: float = 300.0) -> None:
        self.out = out or sys.stdout
        self.inp = inp or sys.stdin
        self.timeout = timeout

    def say(self, french: str, english: str) -> None:
        self.out.write(f"\n>>> {french}\n    {english}\n")
        self.out.flush()

    def ask(self, french: str, english: str) -> str:
        self.say(french, english)
        self.out.write("    > ")
        self.out.flush()
        if not self.inp.readable() or self.inp.closed:
            raise OperatorNoAnswer("no operator input available (run with -s / a terminal)")
        try:
            ready, _, _ = select.select([self.inp], [], [], self.timeout)
        except (ValueError, OSError, TypeError):
            ready = [self.inp]  # not a real file (tests): read directly
        if not ready:
            raise OperatorNoAnswer(f"no answer from the operator within {self.timeout:.0f} s")
        line = self.inp.readline()
        if not line:
            raise OperatorNoAnswer("no operator input (end of input)")
        return line.strip()


def _describe(traits: Traits) -> str:
    place = f", COG {traits.birth_place}" if traits.birth_place else ""
    return (f"{traits.birth_name} {' '.join(traits.first_names)}, {traits.sex}, "
            f"{traits.birth_date}{place}")


class AttendedDriver(AttendedDmp, AttendedFhir, AttendedMss, SutDriver):
    """The operator performs each action; exchanges are awaited on the recorder.

    Args:
        recorder: the run's recorder, where the simulators record what the DUI sends.
        operator: the terminal conversation.
        exchange_timeout: seconds to wait for the DUI's call after an instruction.
    """

    mode = "attended"

    def __init__(self, recorder: Recorder, operator: Operator | None = None, *, exchange_timeout: float = 180.0,
                 name: str = "DUI (mode accompagné / attended)") -> None:
        self.recorder = recorder
        self.operator = operator or Operator()
        self.exchange_timeout = exchange_timeout
        self.name = name
        self._traits: dict[str, Traits] = {}
        self._documents: dict[str, IdentityDocument | None] = {}

    def info(self) -> SutInfo:
        return SutInfo(name=self.name, version="declared by the operator", extra={"mode": "attended"})

    def reset(self) -> None:
        self._traits.clear()

    def configure_endpoints(self, endpoints: dict[str, Any]) -> bool:
        lines = ", ".join(f"{k}: {v.get('url')}" for k, v in endpoints.items())
        self.operator.say(f"Configurez la DUI avec ces services : {lines}",
                          f"Configure the DUI with these services: {lines}")
        return False

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

    def lookup_ins(self, person_id: str) -> dict[str, Any]:
        traits = self._traits.get(person_id)
        since = self.recorder.mark()
        self.operator.say(
            f"Lancez la recherche de l'INS (téléservice INSi) pour l'usager {person_id}.",
            f"Run the INS search (INSi teleservice) for person {person_id}.",
        )
        tags = {"birth_name": traits.birth_name.upper()} if traits else {}
        found = self.recorder.wait_for(service="INS", since=since, timeout=self.exchange_timeout, **tags)
        if found:
            # let the DUI finish its strategy (retries) before reading the result
            deadline = time.monotonic() + 5.0
            while time.monotonic() < deadline:
                count = len(found)
                time.sleep(1.0)
                found = self.recorder.exchanges(service="INS", since=since, **tags)
                if len(found) == count:
                    break
        last = found[-1].tags.get("cr") if found else None
        outcome = {"00": "found", "01": "not_found", "02": "ambiguous"}.get(last or "", "error")
        return {"outcome": outcome if found else "error", "cr": last, "calls": len(found),
                "message": None if found else "no INSi call received"}

    def check_identity_document(self, person_id: str, document: IdentityDocument) -> dict[str, Any]:
        self.operator.ask(
            f"Enregistrez pour l'usager {person_id} la vérification d'une pièce d'identité ({document.type}), "
            "puis appuyez sur Entrée.",
            f"Record for person {person_id} the check of an identity document ({document.type}), then press Enter.",
        )
        return self.identity(person_id)

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
        traits = self._traits.get(person_id)
        return {
            "person_id": person_id,
            "status": status,
            "ins": {"value": value, "oid": oid.strip()} if value else None,
            "ins_history": [],
            "traits": {
                "birth_name": traits.birth_name if traits else "",
                "first_names": list(traits.first_names) if traits else [],
                "sex": traits.sex if traits else "",
                "birth_date": traits.birth_date if traits else "",
                "birth_place": traits.birth_place if traits else None,
            },
            "declared_by_operator": True,
        }

    def exchange_identity(self, person_id: str) -> dict[str, Any]:
        ins = self.operator.ask(
            f"Éditez un document de l'usager {person_id} : quel INS porte-t-il ? (vide si aucun)",
            f"Produce a document for person {person_id}: which INS does it carry? (empty if none)",
        )
        return {"ins": {"value": ins, "oid": ""} if ins else None, "declared_by_operator": True}

    def psc_login(self, professional: str) -> dict[str, Any]:
        since = self.recorder.mark()
        self.operator.say(
            f"Connectez-vous à la DUI avec Pro Santé Connect (le simulateur authentifie le professionnel "
            f"{professional} sans écran), puis revenez ici.",
            f"Log in to the DUI with Pro Santé Connect (the simulator authenticates professional {professional} "
            "with no screen), then come back here.",
        )
        found = self.recorder.wait_for(lambda es: any(e.transaction in ("userinfo", "authorize") for e in es),
                                       service="PSC", since=since, timeout=self.exchange_timeout)
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

    def psc_session(self) -> dict[str, Any]:
        shown = self.operator.ask(
            "Quel professionnel la DUI affiche-t-elle comme connecté (idNat) ? Laissez vide si aucun :",
            "Which professional does the DUI show as logged in (idNat)? Leave empty if none:",
        )
        return {"logged_in": bool(shown), "professional": {"id_nat": shown} if shown else None,
                "declared_by_operator": True}

    def psc_logout(self) -> None:
        self.operator.ask("Déconnectez-vous de la DUI, puis appuyez sur Entrée.",
                          "Log out of the DUI, then press Enter.")
