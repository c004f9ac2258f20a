"""Attended mode for the CNSA orientation decisions: the operator acts in the DUI, the harness watches the SI-SdO.

What reaches the SI-SdO simulator (searches, reads, the Consent and Task the DUI posts) is read from
the recorder; what only the DUI's screens show (the identifiers it stored) is typed back by the
operator.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from typing import TYPE_CHECKING, Any

from harness.sut.attended_operator import step
from harness.sut.parts.sdo import SdoDriver

if TYPE_CHECKING:
    from harness.core.recorder import Exchange, Recorder
    from harness.sut.attended_operator import Operator

__all__ = ["AttendedSdo"]

_NOTHING = "aucun échange reçu par le simulateur SI-SdO / no exchange reached the SI-SdO simulator"


def _sent(found: list[Exchange]) -> dict[str, Any]:
    if not found:
        return {"sent": False, "http_status": 0, "resource_id": None, "message": _NOTHING}
    last = found[-1]
    status = int(last.summary.get("status") or 0)
    return {
        "sent": status == 201,
        "http_status": status,
        "resource_id": last.summary.get("id"),
        "message": "déduit des échanges / from the exchanges",
    }


def _document_digest(read: Exchange | None) -> str:
    """SHA-256 of the CDA the DUI received when it read the decision (the operator vouches that it kept it)."""
    if read is None or read.response is None:
        return ""
    try:
        resource = json.loads(read.response.body)
        data = resource["content"][0]["attachment"]["data"]
        return hashlib.sha256(base64.b64decode(data, validate=True)).hexdigest()
    except (ValueError, KeyError, IndexError, TypeError, binascii.Error):
        return ""


class AttendedSdo(SdoDriver):
    """Mixin of :class:`~harness.sut.attended.AttendedDriver` for the SI-SdO flows."""

    recorder: Recorder
    operator: Operator
    exchange_timeout: float

    @step("sdo_sync_decisions")
    def sdo_sync_decisions(self) -> list[dict[str, Any]] | None:
        since = self.recorder.mark()
        shown = self.operator.ask(
            "Lancez dans la DUI la récupération des décisions d'orientation auprès du SI-SdO (adresse de la "
            "fiche de connexion), vérifiez que chaque document de décision s'affiche, puis tapez les décisions "
            "affichées, séparées par « | », chacune : "
            "idNat_Decision; idDecision — ou « non » si la DUI n'échange pas avec le SI-SdO :",
            "Have the DUI fetch the orientation decisions from the SI-SdO (address on the connection sheet), "
            "check that each decision document is shown, then type the decisions it shows, separated by '|', "
            "each: idNat_Decision; idDecision — or 'no' if "
            "the DUI exchanges nothing with the SI-SdO:",
        ).strip()
        if shown.lower() in ("non", "no", ""):
            return None
        reads = {e.tags.get("decision"): e for e in self.recorder.exchanges(service="SDO", since=since, flux="1.3")}
        out = []
        for entry in (e.strip() for e in shown.split("|") if e.strip()):
            id_nat, _, id_decision = (p.strip() for p in entry.partition(";"))
            read = reads.get(id_nat)
            digest = _document_digest(read)
            out.append(
                {
                    "id_nat_decision": id_nat,
                    "id_decision": id_decision,
                    "document_reference": str(read.summary.get("id") or "") if read is not None else "",
                    "document_sha256": digest,
                    "declared_by_operator": True,
                }
            )
        return out

    @step("sdo_send_consent")
    def sdo_send_consent(self, id_nat_decision: str, date: str) -> dict[str, Any]:
        since = self.recorder.mark()
        self.operator.say(
            f"Enregistrez dans la DUI l'accord de la personne orientée (date {date}) pour la décision "
            f"{id_nat_decision} et faites-le transmettre au SI-SdO.",
            f"Record in the DUI the person's accord (date {date}) for decision {id_nat_decision} and have it "
            "sent to the SI-SdO.",
        )
        found = self.operator.watch(self.recorder, service="SDO", since=since, timeout=self.exchange_timeout, flux="2")
        return _sent(found)

    @step("sdo_fetch_evaluation")
    def sdo_fetch_evaluation(self, id_nat_decision: str) -> dict[str, Any]:
        since = self.recorder.mark()
        self.operator.say(
            f"Faites récupérer par la DUI l'évaluation de la décision {id_nat_decision} auprès du SI-SdO.",
            f"Have the DUI fetch the evaluation of decision {id_nat_decision} from the SI-SdO.",
        )
        found = self.operator.watch(
            self.recorder, service="SDO", since=since, timeout=self.exchange_timeout, flux="3.1"
        )
        hits = [i for e in found for i in e.summary.get("found") or []]
        return {
            "id_nat_decision": id_nat_decision,
            "found": bool(hits),
            "document_reference": hits[0] if hits else None,
            "document_sha256": None,
            "declared_by_operator": True,
        }

    @step("sdo_send_status")
    def sdo_send_status(self, id_nat_decision: str, status: str, date: str) -> dict[str, Any]:
        since = self.recorder.mark()
        self.operator.say(
            f"Enregistrez dans la DUI le statut {status} (TRE_R357) de la personne, daté du {date}, pour la "
            f"décision {id_nat_decision}, et faites-le transmettre au SI-SdO.",
            f"Record in the DUI the person's status {status} (TRE_R357), dated {date}, for decision "
            f"{id_nat_decision}, and have it sent to the SI-SdO.",
        )
        found = self.operator.watch(self.recorder, service="SDO", since=since, timeout=self.exchange_timeout, flux="4")
        return _sent(found)

    @step("sdo_sync_notifications")
    def sdo_sync_notifications(self) -> list[dict[str, Any]]:
        shown = self.operator.ask(
            "Faites récupérer par la DUI les notifications du SI-SdO, puis tapez les statuts affichés, séparés "
            "par « | », chacun : idNat_Decision; idNat_Struct de l'ESMS; code statut :",
            "Have the DUI fetch the SI-SdO's notifications, then type the statuses it shows, separated by '|', "
            "each: idNat_Decision; idNat_Struct of the ESMS; status code:",
        )
        out = []
        for number, entry in enumerate((e.strip() for e in shown.split("|") if e.strip()), start=1):
            parts = [p.strip() for p in entry.split(";")] + ["", "", ""]
            out.append(
                {
                    "task_id": f"attended-{number}",
                    "id_nat_decision": parts[0],
                    "id_nat_struct": parts[1],
                    "status": parts[2] or None,
                    "declared_by_operator": True,
                }
            )
        return out
