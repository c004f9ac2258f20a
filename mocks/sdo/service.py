"""The SI-SdO simulator (CNSA *suivi des décisions d'orientation*, e.g. ViaTrajectoire PH) on FHIR R4.

The IG's CapabilityStatement ``gestionnaire-sdo``, served at the FHIR base (the server root):

=======  ===================================================  =======================================
GET      [base]/DocumentReference?type=57830-2&_lastUpdated=  flux 1.1: the decisions for the ESMS
         gt[instant]&_elements=id                              (searchset of ids, ``SUBSETTED``)
GET      [base]/DocumentReference/[id]                         flux 1.3: one decision (CDA in base64)
POST     [base]/Consent                                        flux 2: the accord (ESMSConsent), 201
GET      [base]/DocumentReference?identifier=[idNat_Decision]  flux 3.1: the evaluation, only once the
         &type=51848-0                                         ESMS sent its accord for the decision
POST     [base]/Task                                           flux 4: a status (ESMSTask), 201
GET      [base]/Task?_lastUpdated=gt[instant]                  flux 5.1: the SdO's notifications
=======  ===================================================  =======================================

What the DUI writes is judged by :mod:`harness.validators.fhir.sdo` (refused with 422 and an
OperationOutcome when it does not conform or names no decision of the SdO); what it searches is judged
by :mod:`mocks.sdo.judge` (answered all the same, as a lenient server would); each exchange is tagged
with its ``flux`` and ``decision``. Not simulated: the mTLS + OAuth2 client-credentials access of the
IG's security page (``struct_idnat`` header, token naming the FINESS) — the base serves the one ESMS.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import parse_qsl

from starlette.requests import Request

from harness.core.findings import Finding
from harness.core.recorder import Exchange, Recorder
from harness.validators.fhir.refs import as_dict, as_list, text
from harness.validators.fhir.sdo import ACC, STA, check_consent, check_task, task_inputs
from mocks.common.server import TlsSettings
from mocks.fhir.app import FhirSimulator
from mocks.fhir.engine import Result
from mocks.fhir.outcome import FhirError
from mocks.sdo.base import DECISIONS, ESMS_ID, NOTIFICATIONS, SDO_SOURCE, Decision, decision_resources, notification
from mocks.sdo.judge import judge_document_search, judge_task_search, search_flux

__all__ = ["SdoSimulator"]

_SUBSETTED = {"system": "http://terminology.hl7.org/CodeSystem/v3-ObservationValue", "code": "SUBSETTED"}
_DOC_PARAMS = {"type", "_lastUpdated", "_elements", "identifier", "_count", "_format"}
_TASK_PARAMS = {"_lastUpdated", "_count", "_format"}


class SdoSimulator(FhirSimulator):
    """Simulated SI-SdO at its FHIR base; the DUI is its ESMS client (consumer and producer).

    Args:
        recorder, port, tls, db_path: see :class:`~mocks.fhir.app.FhirSimulator`.
        decisions: the decisions notified to the ESMS under test (default: :data:`~mocks.sdo.base.DECISIONS`).
    """

    service = "SDO"
    title = "SI-SdO (suivi des décisions d'orientation CNSA), simulateur dui-harness"
    structure_requirement = ACC
    resource_types: ClassVar[dict[str, tuple[str, ...]]] = {
        "DocumentReference": ("read", "search-type"),
        "Consent": ("create",),
        "Task": ("create", "read", "search-type"),
    }

    def __init__(
        self,
        recorder: Recorder,
        *,
        port: int = 0,
        tls: TlsSettings | None = None,
        db_path: Path | None = None,
        decisions: tuple[Decision, ...] = DECISIONS,
    ) -> None:
        self.decisions = decisions
        super().__init__(recorder, port=port, tls=tls, db_path=db_path)

    # -- the SdO's base -------------------------------------------------------------------------
    def seed(self) -> None:
        with self.store.atomic():
            for decision in self.decisions:
                for resource in decision_resources(decision):
                    self.store.write("DocumentReference", str(resource["id"]), resource)
            for rid, decision, struct, name, status in NOTIFICATIONS:
                if decision in self.decisions:
                    self.store.write("Task", rid, notification(decision, rid, struct, name, status))

    def start(self) -> SdoSimulator:
        super().start()
        self.seed()
        return self

    def reset(self) -> None:
        super().reset()
        self.seed()

    def serve_lines(self) -> list[str]:
        return [f"  SI-SdO (décisions d'orientation CNSA / orientation decisions, FHIR R4), base: {self.url}"]

    def endpoint_details(self) -> dict[str, Any]:
        return {**super().endpoint_details(), "struct_idnat": ESMS_ID}

    def state(self) -> dict[str, Any]:
        return {
            **super().state(),
            "struct_idnat": ESMS_ID,
            "decisions": [d.id_nat_decision for d in self.decisions],
            "consented": sorted(self.consented()),
        }

    def known(self) -> set[str]:
        return {d.id_nat_decision for d in self.decisions}

    def decision(self, id_nat: str) -> Decision | None:
        return next((d for d in self.decisions if d.id_nat_decision == id_nat), None)

    def consented(self) -> set[str]:
        """The idNat_Decision of the decisions the ESMS sent an accepted accord for (flux 2)."""
        out = set()
        for stored in self.store.search("Consent", []):
            data = as_list(as_dict(stored.resource.get("provision")).get("data"))
            ident = as_dict(as_dict(as_dict(data[0]).get("reference")).get("identifier")) if data else {}
            out.add(text(ident.get("value")))
        return out & self.known()

    # -- judging what the DUI writes ----------------------------------------------------------
    def validate_resource(self, rtype: str, resource: dict[str, Any], where: str) -> list[Finding]:
        if rtype == "Consent":
            findings = check_consent(resource, where)
            data = as_list(as_dict(resource.get("provision")).get("data"))
            ident = as_dict(as_dict(as_dict(data[0]).get("reference")).get("identifier")) if data else {}
            value = text(ident.get("value"))
            if value and value not in self.known():
                findings.append(self._unknown("sdo.consent.decision.unknown", ACC, value, where))
            return findings
        if rtype == "Task":
            findings = check_task(resource, where)
            ids = task_inputs(resource).get("idNat_Decision", [])
            value = text(as_dict(ids[0].get("valueIdentifier")).get("value")) if ids else ""
            if value and value not in self.known():
                findings.append(self._unknown("sdo.task.decision.unknown", STA, value, where))
            return findings
        return super().validate_resource(rtype, resource, where)

    def _unknown(self, rule_id: str, requirement: str, value: str, where: str) -> Finding:
        return Finding(
            rule_id,
            requirement,
            f"idNat_Decision {value!r} names no decision the SI-SdO notified (known: {sorted(self.known())})",
            location=where,
        )

    # -- the SdO's searches ---------------------------------------------------------------------
    def _run(self, operation: str, request: Request, state: Any) -> Result:
        rtype = request.path_params.get("rtype")
        if operation == "search-type" and rtype in ("DocumentReference", "Task"):
            self.engine.allow(str(rtype), "search-type")
            query = list(request.query_params.multi_items())
            if request.method == "POST":
                query += parse_qsl(state.form.decode("utf-8", "replace"), keep_blank_values=True)
            return self._search(str(rtype), query)
        return super()._run(operation, request, state)

    def _search(self, rtype: str, query: list[tuple[str, str]]) -> Result:
        allowed = _DOC_PARAMS if rtype == "DocumentReference" else _TASK_PARAMS
        unknown = sorted({k for k, _ in query} - allowed)
        if unknown:
            raise FhirError(400, "not-supported", f"search parameter(s) {unknown} not supported on {rtype}")
        since = [v for k, v in query if k == "_lastUpdated" and v.startswith("gt")]
        moment = _instant(since[0][2:]) if since else None
        found = []
        for stored in self.store.search(rtype, []):
            resource = stored.resource
            updated = _instant(stored.updated)
            if moment is not None and updated is not None and updated <= moment:
                continue
            if rtype == "Task":
                if as_dict(resource.get("meta")).get("source") == SDO_SOURCE:
                    found.append(resource)
                continue
            if not self._document_matches(resource, query):
                continue
            found.append(resource)
        if ("_elements", "id") in query:
            found = [{"resourceType": rtype, "id": r["id"], "meta": {"tag": [_SUBSETTED]}} for r in found]
        bundle = {
            "resourceType": "Bundle",
            "type": "searchset",
            "total": len(found),
            "link": [{"relation": "self", "url": f"{self.url}/{rtype}"}],
            "entry": [
                {"fullUrl": f"{self.url}/{rtype}/{r['id']}", "resource": r, "search": {"mode": "match"}} for r in found
            ],
        }
        return Result(200, bundle, summary={"type": rtype, "total": len(found), "query": dict(query)})

    def _document_matches(self, resource: dict[str, Any], query: list[tuple[str, str]]) -> bool:
        codes = {
            text(c.get("code")) for c in as_list(as_dict(resource.get("type")).get("coding")) if isinstance(c, dict)
        }
        types = {v.split("|")[-1] for k, v in query if k == "type"}
        if types and not codes & types:
            return False
        idents = {text(as_dict(i).get("value")) for i in as_list(resource.get("identifier"))}
        wanted = {v.split("|")[-1] for k, v in query if k == "identifier"}
        if wanted and not idents & wanted:
            return False
        if "51848-0" in codes:  # an evaluation goes only to an ESMS that sent its accord (flux 2 before 3)
            return bool(idents & self.consented())
        return True

    # -- recording ------------------------------------------------------------------------------
    def describe(self, exchange: Exchange, interaction: str, body: Any, result: Result | None) -> None:
        target = exchange.request.start_line.split(" ")[1] if " " in exchange.request.start_line else ""
        path, _, raw_query = target.partition("?")
        query = parse_qsl(raw_query, keep_blank_values=True)
        rtype = path.strip("/").split("/")[0]
        if interaction == "search-type" and rtype == "DocumentReference":
            flux = search_flux(query) or "1.1"
            exchange.tags["flux"] = flux
            if flux == "3.1":
                exchange.tags["decision"] = next((v.split("|")[-1] for k, v in query if k == "identifier"), "")
            self._findings(exchange, judge_document_search(query, self.known()))
        elif interaction == "search-type" and rtype == "Task":
            exchange.tags["flux"] = "5.1"
            self._findings(exchange, judge_task_search(query))
        elif interaction == "read" and rtype == "DocumentReference":
            rid = path.strip("/").split("/")[-1]
            for decision in self.decisions:
                if rid in (decision.resource_id, decision.evaluation_id):
                    exchange.tags["flux"] = "1.3" if rid == decision.resource_id else "3.3"
                    exchange.tags["decision"] = decision.id_nat_decision
        elif interaction == "create" and isinstance(body, dict):
            exchange.tags["flux"] = "2" if rtype == "Consent" else "4"
            if rtype == "Consent":
                data = as_list(as_dict(body.get("provision")).get("data"))
                ident = as_dict(as_dict(as_dict(data[0]).get("reference")).get("identifier")) if data else {}
                exchange.tags["decision"] = text(ident.get("value"))
            else:
                ids = task_inputs(body).get("idNat_Decision", [])
                exchange.tags["decision"] = text(as_dict(ids[0].get("valueIdentifier")).get("value")) if ids else ""
        if result is not None and isinstance(result.body, dict) and result.body.get("type") == "searchset":
            exchange.summary["found"] = [
                as_dict(e.get("resource")).get("id") for e in as_list(result.body.get("entry")) if isinstance(e, dict)
            ]


def _instant(value: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
