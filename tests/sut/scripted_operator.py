"""A scripted operator for attended mode: reads the harness's terminal, acts in the reference DUI.

It plays the person at the DUI's screens: it configures the DUI from the connection sheet
(``endpoints.json``), answers the identity questions, and for each numbered step reads the
step's operation from the attended journal (``<reports>/attended/journal.jsonl``), performs it
through the reference DUI's trigger API once the instruction is shown, and types back what the
screen would show. Used by ``tests/sut/test_attended_terminal.py`` and runnable by hand::

    python -m tests.sut.scripted_operator REPORTS DUI_URL -- dui-harness run --attended …
"""

from __future__ import annotations

import json
import sys
import threading
import time
from collections import deque
from pathlib import Path
from typing import Any

import pexpect
import requests

from harness.core.ins import Traits
from harness.sut.driver import IdentityDocument
from harness.sut.http_trigger import HttpTriggerDriver, TriggerApiError

__all__ = ["ScriptedOperator"]

HEADER = r"── étape / step (\d+)"
INSTRUCTION = r">>> "
PROMPT = r"réponse / answer > "
SHEET = r"Configurez la DUI avec cette fiche"
TIMED_OUT = r"délai écoulé"
COUNTDOWN = r"⏳ \d+:\d+"
#: seconds after the DUI's action returned before ending a wait that nothing satisfied (the DUI sent nothing)
QUIET = 4.0


#: the INS lifecycle operations of harness.sut.attended_ins
INS_LIFECYCLE = (
    "update_traits",
    "set_identity_attributes",
    "verify_ins",
    "receive_identity",
    "insi_trace",
    "search_identities",
    "lookup_ins_cpx",
    "document_nature",
)
#: the INS rules 5, 16 and PSC-backed search operations of harness.sut.attended_ins_rules
INS_RULES = ("submit_identity_creation", "identity_audit", "lookup_ins_psc")


def _ids(items: list[dict[str, Any]], key: str) -> str:
    return " ".join(str(i[key]) for i in items if i.get(key))


def _lines(prescription: dict[str, Any]) -> str:
    """The lines as the operator types them: ``ATC dosage; ATC dosage``."""
    return "; ".join(
        f"{(line.get('medication') or {}).get('code')} {line.get('dosage')}" for line in prescription.get("lines", [])
    )


class ScriptedOperator:
    """Drives ``child`` (the harness in a pseudo-terminal) and the reference DUI at ``dui_url``."""

    def __init__(self, child: pexpect.spawn, reports: Path, dui_url: str, identity: list[str]) -> None:
        self.child = child
        self.reports = reports
        self.dui_url = dui_url
        self.dui = HttpTriggerDriver(dui_url)
        self.answers: deque[str] = deque(["", *identity])
        self.pending: tuple[str, dict[str, Any]] | None = None
        self.steps = 0
        self.timeouts = 0
        self.worker: threading.Thread | None = None
        self.done_at: float | None = None
        self.judged = False
        #: actions the DUI refused (its trigger API answered an error), as a person would have seen them
        self.refusals: list[str] = []

    def _attended(self, name: str) -> Path:
        """A file of the attended folder: in the run's staging folder while it runs, moved at the end."""
        staged = sorted(self.reports.glob(f".run-*/attended/{name}"))
        return staged[0] if staged else self.reports / "attended" / name

    def _step(self, number: int) -> tuple[str, dict[str, Any]]:
        text = self._attended("journal.jsonl").read_text(encoding="utf-8")
        ended = text[: text.rfind("\n") + 1]  # a last line still being written is not read
        for line in reversed(ended.splitlines()):
            event = json.loads(line)
            if event["event"] == "step" and event["step"] == number:
                return event["operation"], event["args"]
        raise AssertionError(f"step {number} not in the journal")

    def run(self, timeout: float = 120) -> None:
        """Operate until the harness ends; actions run beside the terminal, which is read all along."""
        patterns = [SHEET, HEADER, INSTRUCTION, PROMPT, TIMED_OUT, COUNTDOWN, pexpect.EOF]
        while True:
            index = self.child.expect(patterns, timeout=timeout)
            if index == 0:
                requests.put(
                    f"{self.dui_url}/config/endpoints",
                    data=self._attended("endpoints.json").read_bytes(),
                    headers={"Content-Type": "application/json"},
                    timeout=30,
                ).raise_for_status()
            elif index == 1:
                self.steps += 1
                self.answers.clear()  # what a step did not ask is not carried to the next one
                self.pending = self._step(int(self.child.match.group(1)))
                self.judged = False
            elif index == 2 and self.pending is not None:
                operation, args = self.pending
                self.pending = None
                if self.worker is not None:  # a person finishes one action before starting the next
                    self.worker.join(timeout)
                self.worker = threading.Thread(target=self._act, args=(operation, args), daemon=True)
                self.done_at = None
                self.worker.start()
            elif index == 3:
                if self.worker is not None:
                    self.worker.join(timeout)
                self.child.sendline(self.answers.popleft() if self.answers else "")
            elif index == 4:
                self.timeouts += 1
            elif index == 5 and self._finished_long_ago() and not self.judged:
                # the DUI did what it does and the harness still waits: as a person would, say "done, judge"
                self.judged = True
                self.child.sendline("")
            elif index == 6:
                return

    def _act(self, operation: str, args: dict[str, Any]) -> None:
        try:
            self.answers.extend(self.perform(operation, args))
        except TriggerApiError as exc:  # the DUI refused the action on its screen: what a person sees too
            self.refusals.append(f"{operation}: {exc}")
        finally:
            self.done_at = time.monotonic()

    def _finished_long_ago(self) -> bool:
        return (
            self.worker is not None
            and not self.worker.is_alive()
            and self.done_at is not None
            and (time.monotonic() - self.done_at > QUIET)
        )

    def perform(self, operation: str, args: dict[str, Any]) -> list[str]:
        """Do the step in the DUI; return what its screen would show, in the order the harness asks."""
        dui = self.dui
        if operation == "create_person":
            traits = args["traits"]
            document = IdentityDocument(**args["document"]) if args.get("document") else None
            created = dui.create_person(Traits(**{**traits, "first_names": tuple(traits["first_names"])}), document)
            return [created["person_id"]]
        if operation == "check_identity_document":
            dui.check_identity_document(args["person_id"], IdentityDocument(**args["document"]))
            return ["", *self.identity(args["person_id"])]
        if operation == "identity":
            return self.identity(args["person_id"])
        if operation == "exchange_identity":
            ins = dui.exchange_identity(args["person_id"]).get("ins")
            return [f"{ins['value']} {ins['oid']}" if ins else ""]
        if operation == "psc_login":
            done = dui.psc_login(args["professional"], args.get("mode", "web"))
            shown = (done.get("professional") or {}).get("id_nat", "") if done.get("outcome") == "logged_in" else ""
            return [shown, done.get("account") or ""] if shown else [""]
        if operation == "psc_capabilities":
            offered = dui.psc_capabilities()
            return [" ".join(offered["modes"]), "o" if offered.get("other_authentication") else "n"]
        if operation == "psc_refresh":
            dui.psc_refresh()
            return []
        if operation in ("psc_local_account", "psc_local_login"):
            return [str(getattr(dui, operation)(**args).get("account") or "")]
        if operation == "psc_session":
            return [((dui.psc_session().get("professional") or {}).get("id_nat", ""))]
        if operation == "mss_send":
            dui.mss_send(**args)
            return [""] if not args["visible_to_patient"] and args["recipient_kind"] == "patient" else []
        if operation == "mss_record_refusal":  # a screen of the DUI: the operator presses Enter when done
            dui.mss_record_refusal(**args)
            return [""]
        if operation == "mss_search_address":  # the operator types the address the DUI's screen shows
            return [" ".join(r["address"] for r in dui.mss_search_address(**args))]
        if operation in ("mss_set_correspondents", "mss_correspondents"):  # the record's screen, read back
            if operation == "mss_set_correspondents":
                dui.mss_set_correspondents(args["person_id"], args["correspondents"])
            return [_ids(dui.mss_correspondents(args["person_id"]), "address")]
        if operation == "mss_documents_with_status":
            return [" ".join(f"{d['document_id']}:{d.get('status', 'current')}" for d in dui.mss_documents(**args))]
        if operation == "mss_document_trace":
            return [" ".join(f"{c['document_id']}:{c['action']}" for c in dui.mss_document_trace())]
        if operation == "mss_autoconfigure":
            done = dui.mss_autoconfigure(**args)
            test = done.get("connection_test")
            return [
                *(f"{s['hostname']} {s['port']} {s['socket_type']}" for s in (done["incoming"], done["outgoing"])),
                "" if test is None else ("oui" if test.get("imap") and test.get("smtp") else "non"),
            ]
        if operation == "mss_worklist":
            return [_ids(dui.mss_worklist(), "document_id")]
        if operation == "mss_documents":
            return [_ids(dui.mss_documents(args["person_id"]), "document_id")]
        if operation == "dmp_documents":
            return [_ids(dui.dmp_documents(args["person_id"]), "document_id")]
        if operation == "eparcours_export":
            return ["o" if dui.eparcours_export(**args).get("outcome") == "accepted" else "n"]
        if operation == "eparcours_exports":
            exports = dui.eparcours_exports(args["person_id"])
            return [exports[-1]["status"] if exports else "error"]
        if operation == "epresc_retrieve":
            done = dui.epresc_retrieve(**args)
            return [done.get("outcome", "error"), *([_lines(done)] if done.get("outcome") == "integrated" else [])]
        if operation == "epresc_administer":  # "line 2" is the second line the screen shows
            held = {p["prescription_id"]: p for p in dui.epresc_prescriptions(args["person_id"])}
            lines = held.get(args["prescription_id"], {}).get("lines", [])
            number = args["line_id"]
            if number.isdigit() and 0 < int(number) <= len(lines):
                args = {**args, "line_id": lines[int(number) - 1]["line_id"]}
            dui.epresc_administer(**args)
            return []
        if operation == "epresc_prescriptions":
            prescriptions = dui.epresc_prescriptions(args["person_id"])
            return [_ids(prescriptions, "prescription_id"), *(_lines(p) for p in prescriptions)]
        if operation == "epresc_administrations":
            return [" ".join(str(a.get("status")) for a in dui.epresc_administrations(args["person_id"]))]
        if operation in ("dmp_publish", "dmp_replace"):
            done = getattr(dui, operation)(**args)
            return [] if done.get("status") == "published" else [str(done.get("document_id", ""))]
        if operation == "mss_lps_connect":
            return ["o" if dui.mss_lps_connect(**args).get("connected") else "n"]
        if operation == "mss_lps_session":
            token = dui.mss_lps_session().get("token") or {}
            return [str(token.get("storage") or "")]
        if operation == "mss_lps_logout":
            dui.mss_lps_logout()
            return [""]
        if operation in INS_LIFECYCLE:
            return self.ins_lifecycle(operation, args)
        if operation in INS_RULES:
            return self.ins_rules(operation, args)
        getattr(dui, operation)(**args)  # lookup_ins, mss_fetch, psc_logout, dmp_*, epresc_administer
        return [""] if operation == "psc_logout" else []

    def ins_lifecycle(self, operation: str, args: dict[str, Any]) -> list[str]:
        """The INS lifecycle steps (harness.sut.attended_ins), answered in the order they ask."""
        dui = self.dui
        if operation == "update_traits":
            done = dui.update_traits(**args)
            if done.get("refused"):
                return ["o"]
            shown = [str(done["traits"].get(k) or "") for k in args["changes"] if k in ("used_name", "used_first_name")]
            return ["n", *self.identity(args["person_id"]), *shown]
        if operation == "set_identity_attributes":
            dui.set_identity_attributes(**args)
            return ["", *self.identity(args["person_id"])]
        if operation == "verify_ins":
            result = dui.verify_ins(args["person_id"])["verification"]["result"]
            return [str(result), *self.identity(args["person_id"])]
        if operation == "receive_identity":
            traits = args["traits"]
            person = Traits(**{**traits, "first_names": tuple(traits["first_names"])})
            done = dui.receive_identity(args["domain"], person, args["ins"], args["status"], args.get("data"))
            return [str(done["person_id"]), "o" if done.get("alert") else "n", *self.identity(str(done["person_id"]))]
        if operation == "insi_trace":
            return [" ".join(str((c.get("ins") or {}).get("value")) for c in dui.insi_trace().get("calls") or [])]
        if operation == "document_nature":
            return [dui.document_nature(args["person_id"]) or ""]
        if operation == "search_identities":
            return [" ".join(str(p["person_id"]) for p in dui.search_identities(**args))]
        dui.lookup_ins_cpx(**args)
        return [""]

    def ins_rules(self, operation: str, args: dict[str, Any]) -> list[str]:
        """Rules 5 and 16 and the PSC-backed search (harness.sut.attended_ins_rules), in the order they ask."""
        dui = self.dui
        if operation == "submit_identity_creation":
            done = dui.submit_identity_creation(args["fields"])
            if not done["created"]:
                return ["o", " ".join(done["missing"])]
            person_id = str(done["identity"]["person_id"])
            return ["n", person_id, *self.identity(person_id)]
        if operation == "identity_audit":
            entries = dui.identity_audit(args["person_id"])["entries"]
            last = {e["action"]: e for e in entries}
            return [
                f"{e['at']} ; {e['professional']} ; {e.get('detail', '')}" if e else ""
                for e in (last.get("access"), last.get("modification"))
            ]
        dui.lookup_ins_psc(args["person_id"])
        calls = dui.insi_trace().get("calls") or []
        psc = [c for c in calls if c.get("authentication") == "psc"]
        return ["", f"psc {psc[-1].get('professional')}" if psc else ""]

    def identity(self, person_id: str) -> list[str]:
        identity = self.dui.identity(person_id)
        ins, traits = identity.get("ins"), identity["traits"]
        shown = "; ".join(
            [
                traits["birth_name"],
                " ".join(traits["first_names"]),
                traits["sex"],
                traits["birth_date"],
                traits.get("birth_place") or "",
            ]
        )
        return [str(identity.get("status", "")), f"{ins['value']} {ins['oid']}" if ins else "", shown]


def main(argv: list[str]) -> int:
    """``REPORTS DUI_URL -- COMMAND…``: run COMMAND in a pseudo-terminal and operate it, echoing its screen."""
    split = argv.index("--")
    reports, dui_url = Path(argv[0]), argv[1]
    child = pexpect.spawn(argv[split + 1], argv[split + 2 :], encoding="utf-8", timeout=300, dimensions=(50, 160))
    child.logfile_read = sys.stdout
    ScriptedOperator(child, reports, dui_url, ["DUI de référence", "0.1.0", "dui-harness", "scripted"]).run()
    child.close()
    return int(child.exitstatus or 0)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
