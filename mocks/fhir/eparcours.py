"""The TDDUI consumer, a "SI tiers" (flux 1 of ``ans.fhir.fr.tddui`` 2.0.0), under the service id EPARCOURS.

``POST [base]/`` with a TDDUIBundle: the whole body is judged by
:func:`harness.validators.fhir.tddui.check_tddui_bundle` (TDDUI and FR Core rules, the
EXPORT_DUI CDA by the CDA validator) and its findings land on the recorded exchange. As the
IG says (Flux 1.2): conformant → HTTP 200 and a ``transaction-response`` whose entries are
``201 Created`` with the new id and versionId; otherwise an HTTP error with an
OperationOutcome (one issue per finding) and **nothing created**. The consumer's
CapabilityStatement (TDDUIConsommateur) offers ``transaction`` and reads.

What is simulated is the consumer role of the national IG: the IG names it a *SI tiers* and its
use case is CNSA's SIDOBA (système d'information de l'offre de la branche autonomie,
``sfe_cas_usage.md``). A regional e-parcours platform is **not simulated**: its APIs are not
standardised (french-specs §5.2). The service keeps the id ``EPARCOURS`` because the ESMS
numérique programme counts this export as the non-medicalised ESMS e-parcours socle service: an
assumption stated in the check-project rule and the usage indicator.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, ClassVar

from harness.core.findings import Finding
from harness.core.recorder import Exchange, Recorder
from harness.validators.cda.pack import CdaPack
from harness.validators.fhir.patient import patient_facts
from harness.validators.fhir.tddui import check_tddui_bundle
from mocks.common.server import TlsSettings
from mocks.fhir.app import FhirSimulator
from mocks.fhir.engine import Result

__all__ = ["INTERACTIONS", "TDDUI_TYPES", "EparcoursSimulator"]

#: resource types of the TDDUIBundle slices
TDDUI_TYPES = (
    "Patient",
    "Organization",
    "Encounter",
    "Practitioner",
    "PractitionerRole",
    "Task",
    "DocumentReference",
    "QuestionnaireResponse",
    "CarePlan",
    "Consent",
    "Goal",
    "ServiceRequest",
    "RelatedPerson",
    "Observation",
    "Schedule",
    "Slot",
)
#: every interaction of a FHIR server a DUI may use after flux 1 (read back, correct, withdraw, page)
INTERACTIONS = ("read", "vread", "search-type", "create", "update", "delete", "history-instance", "history-type")


class EparcoursSimulator(FhirSimulator):
    """Simulated TDDUI consumer (SI tiers, e.g. CNSA SIDOBA) receiving flux 1 at its FHIR base (the server root).

    Args:
        recorder, port, tls, db_path: see :class:`~mocks.fhir.app.FhirSimulator`.
        cda_pack: CI-SIS artefact pack passed to the CDA validator (optional).
    """

    service = "EPARCOURS"
    title = "SI tiers consommateur TDDUI (flux 1, ex. CNSA SIDOBA), simulateur dui-harness"
    resource_types: ClassVar[dict[str, tuple[str, ...]]] = {t: INTERACTIONS for t in TDDUI_TYPES}
    structure_requirement = "EPARCOURS-FHIR-01"

    def __init__(
        self,
        recorder: Recorder,
        *,
        port: int = 0,
        tls: TlsSettings | None = None,
        db_path: Path | None = None,
        cda_pack: Path | CdaPack | None = None,
    ) -> None:
        self.cda_pack = cda_pack
        super().__init__(recorder, port=port, tls=tls, db_path=db_path)

    def serve_lines(self) -> list[str]:
        # "e-parcours" first: the service's short name, which scripts read (benchmarks/bench_load.py)
        return [
            f"  e-parcours (service EPARCOURS) = SI tiers consommateur TDDUI / TDDUI third-party IS consumer "
            f"(FHIR R4, flux 1: POST [base]/), base: {self.url}"
        ]

    def validate_bundle(self, bundle: Any) -> list[Finding]:
        return check_tddui_bundle(bundle, cda_pack=self.cda_pack).findings

    def validate_resource(self, rtype: str, resource: dict[str, Any], where: str) -> list[Finding]:
        if where.startswith("Bundle.entry"):
            return []  # the whole bundle was judged by validate_bundle already
        return super().validate_resource(rtype, resource, where)

    def describe(self, exchange: Exchange, interaction: str, body: Any, result: Result | None) -> None:
        if interaction != "bundle" or not isinstance(body, dict):
            return
        entries = [e.get("resource") for e in body.get("entry") or [] if isinstance(e, dict)]
        types = [r.get("resourceType") for r in entries if isinstance(r, dict)]
        exchange.summary.update(bundle_type=body.get("type"), entries=types)
        patients = [r for r in entries if isinstance(r, dict) and r.get("resourceType") == "Patient"]
        if patients:
            facts = patient_facts(patients[0])
            exchange.summary["patient"] = {
                "ins": facts.ins,
                "oid": facts.ins_oid,
                "status": facts.status,
                "birth_name": facts.birth_name,
                "birth_date": facts.birth_date,
            }
            exchange.tags.update(birth_name=facts.birth_name.upper(), ins=facts.ins or "")
        if result is not None and result.body is not None:
            exchange.summary["response_type"] = result.body.get("type")

    def created(self, exchange: Exchange) -> list[dict[str, Any]]:
        """The resources this exchange created, read back from the store (empty when refused)."""
        out = []
        for location in exchange.summary.get("created") or []:
            if isinstance(location, str) and location.count("/") >= 1:
                rtype, rid = location.split("/")[:2]
                found = self.store.read(rtype, rid)
                if found is not None:
                    out.append(found.resource)
        return out

    @staticmethod
    def request_bundle(exchange: Exchange) -> Any:
        """The JSON body the DUI posted (None when unreadable)."""
        try:
            return json.loads(exchange.request.body)
        except ValueError:
            return None
