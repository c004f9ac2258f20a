"""The e-prescription teleservice simulator (*ordonnance numérique*), modelled on FHIR R4.

ASSUMPTION (the national payload is not public): the shape of the resources is the one of a
:class:`~mocks.fhir.epresc_shape.PrescriptionShape`, by default
:class:`~mocks.fhir.epresc_shape.FhirR4BundleShape`; pass another one to model the official
specification. The simulator serves the prescriptions of ``fixtures/epresc/prescriptions.json``
(reseeded on reset), records every retrieval with the prescription id asked for and the
findings of ``EPRESC-RET-01``, and judges each MedicationAdministration the DUI creates
(``EPRESC-ADM-01``: refused with 422 and an OperationOutcome when it does not conform or points
at no known line). ``http_status`` faults (e.g. 503 on ``search-type`` or ``create``)
simulate the service being unavailable.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from harness.core.findings import Finding
from harness.core.recorder import Exchange, Recorder
from harness.validators.fhir.epresc import ADM, check_administration
from mocks.common.server import TlsSettings
from mocks.fhir.app import FhirSimulator
from mocks.fhir.engine import Result
from mocks.fhir.epresc_shape import FhirR4BundleShape, Prescription, PrescriptionShape, load_prescriptions

__all__ = ["EprescSimulator"]


class EprescSimulator(FhirSimulator):
    """Simulated e-prescription teleservice at its FHIR base (the server root).

    Args:
        recorder, port, tls, db_path: see :class:`~mocks.fhir.app.FhirSimulator`.
        shape: the payload adapter (default: the dui-harness FHIR R4 model).
        prescriptions: the prescription base (default: the packaged fixture).
    """

    service = "EPRESC"
    title = "e-prescription (ordonnance numérique) — modèle FHIR R4 supposé, simulateur dui-harness"
    structure_requirement = ADM

    def __init__(
        self,
        recorder: Recorder,
        *,
        port: int = 0,
        tls: TlsSettings | None = None,
        db_path: Path | None = None,
        shape: PrescriptionShape | None = None,
        prescriptions: list[Prescription] | None = None,
    ) -> None:
        self.shape = shape or FhirR4BundleShape()
        self.resource_types = dict(self.shape.resource_types)  # type: ignore[misc]
        self.prescriptions = prescriptions if prescriptions is not None else load_prescriptions()
        super().__init__(recorder, port=port, tls=tls, db_path=db_path)

    def serve_lines(self) -> list[str]:
        return [f"  e-prescription (FHIR R4, modèle supposé / assumed model), base: {self.url}"]

    def start(self) -> EprescSimulator:
        super().start()
        self.shape.seed(self.store, self.url, self.prescriptions)
        return self

    def reset(self) -> None:
        super().reset()
        self.shape.seed(self.store, self.url, self.prescriptions)

    def state(self) -> dict[str, Any]:
        return {**super().state(), "shape": self.shape.name, "prescriptions": [p.uid for p in self.prescriptions]}

    def validate_resource(self, rtype: str, resource: dict[str, Any], where: str) -> list[Finding]:
        if rtype != "MedicationAdministration":
            return super().validate_resource(rtype, resource, where)
        line = self.shape.line_of(self.store, resource)
        findings = check_administration(resource, line=line, path=where)
        reference = (
            (resource.get("request") or {}).get("reference") if isinstance(resource.get("request"), dict) else None
        )
        if line is None and reference:
            findings.append(
                Finding(
                    "epresc.adm.request",
                    ADM,
                    f"request {reference!r} is no prescription line known to the teleservice",
                    location=f"{where}.request",
                )
            )
        return findings

    def describe(self, exchange: Exchange, interaction: str, body: Any, result: Result | None) -> None:
        if interaction == "search-type":
            target = exchange.request.start_line.split(" ")[1] if " " in exchange.request.start_line else ""
            path, _, raw_query = target.partition("?")
            query = parse_qsl(raw_query, keep_blank_values=True)
            uid, findings = self.shape.retrieval(path.strip("/"), query, exchange.request.header("accept") or "")
            if uid is not None:
                exchange.tags["prescription"] = uid
                exchange.summary["prescription"] = uid
                self._findings(exchange, findings)
        elif interaction == "create" and isinstance(body, dict):
            line = self.shape.line_of(self.store, body)
            if line is not None:
                exchange.tags["prescription"] = line.prescription_id
                exchange.summary["line"] = sorted(line.request_refs)[0]
            exchange.summary["administration"] = {
                "status": body.get("status"),
                "request": (body.get("request") or {}).get("reference")
                if isinstance(body.get("request"), dict)
                else None,
            }
