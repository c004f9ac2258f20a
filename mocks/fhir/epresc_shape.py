"""The shape of the e-prescription payload: a swappable adapter (ASSUMPTION, see below).

The *ordonnance numérique* teleservice's payload, identifier format and query are not public
(``shared/research/french-specs.md`` §4). dui-harness models them on FHIR R4 in
:class:`FhirR4BundleShape`; an editor holding the official specification writes another
:class:`PrescriptionShape` (what is stored, how a prescription is looked up, how an
administration is tied to its line) and passes it to
:class:`~mocks.fhir.epresc.EprescSimulator`. What the default shape assumes:

* the unique identifier printed in the QR code is ``Bundle.identifier`` (system
  :data:`PRESCRIPTION_ID_SYSTEM`) of a Bundle of type ``collection`` holding the Patient (with
  the INS), the prescriber and one MedicationRequest per line (``groupIdentifier`` = the
  unique identifier, ``identifier`` = the line, medication as an ATC code);
* the DUI retrieves it with ``GET [base]/Bundle?identifier=<system>|<id>`` (searchset, total
  0 when unknown) and asks for ``application/fhir+json``;
* the DUI records each administration with ``POST [base]/MedicationAdministration``, whose
  ``request`` references the MedicationRequest and ``subject`` the Patient (or the INS).
"""

from __future__ import annotations

import abc
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from harness.core.findings import Finding, Severity
from harness.core.rules import rule
from harness.paths import fixtures_dir
from harness.validators.fhir.codes import FR_CORE_V2_0203, INS_SLICES
from harness.validators.fhir.epresc import PrescribedLine
from mocks.fhir.store import ResourceStore

__all__ = [
    "ATC",
    "PRESCRIPTION_ID_SYSTEM",
    "FhirR4BundleShape",
    "Prescription",
    "PrescriptionShape",
    "load_prescriptions",
]

RET = "EPRESC-RET-01"
#: ASSUMPTION: system of the prescription's unique identifier (the real one is not public)
PRESCRIPTION_ID_SYSTEM = "https://dui-harness.example/ordonnance-numerique/identifiant-unique"
LINE_ID_SYSTEM = "https://dui-harness.example/ordonnance-numerique/ligne"
ATC = "http://www.whocc.no/atc"


@dataclass(frozen=True)
class Prescription:
    """A prescription of the base: unique id, patient (INS and traits), prescriber, lines."""

    uid: str
    authored: str
    patient: dict[str, Any]
    prescriber: dict[str, Any]
    lines: tuple[dict[str, Any], ...]


def load_prescriptions(path: Path | None = None) -> list[Prescription]:
    """The prescriptions of ``fixtures/epresc/prescriptions.json`` (or ``path``)."""
    raw = json.loads((path or fixtures_dir() / "epresc" / "prescriptions.json").read_text(encoding="utf-8"))
    return [
        Prescription(p["uid"], p["authored"], p["patient"], p["prescriber"], tuple(p["lines"]))
        for p in raw["prescriptions"]
    ]


class PrescriptionShape(abc.ABC):
    """How prescriptions look on the wire; the simulator delegates every shape decision here."""

    name: ClassVar[str] = "abstract"
    #: resource type -> interactions the simulator serves for this shape
    resource_types: ClassVar[dict[str, tuple[str, ...]]] = {}

    @abc.abstractmethod
    def seed(self, store: ResourceStore, base_url: str, prescriptions: list[Prescription]) -> None:
        """Write the prescriptions into the store."""

    @abc.abstractmethod
    def retrieval(self, rtype: str, query: list[tuple[str, str]], accept: str) -> tuple[str | None, list[Finding]]:
        """For a search: the prescription id asked for (None if this is no retrieval) and findings."""

    @abc.abstractmethod
    def line_of(self, store: ResourceStore, administration: dict[str, Any]) -> PrescribedLine | None:
        """The prescription line an administration points at, or None when it points nowhere known."""


class FhirR4BundleShape(PrescriptionShape):
    """The dui-harness FHIR R4 model of the e-prescription payload (module docstring)."""

    name = "fhir-r4-bundle"
    resource_types: ClassVar[dict[str, tuple[str, ...]]] = {
        "Bundle": ("read", "search-type"),
        "Patient": ("read",),
        "Practitioner": ("read",),
        "MedicationRequest": ("read", "search-type"),
        "MedicationAdministration": ("read", "search-type", "create"),
    }

    def _patient(self, p: Prescription, pid: str) -> dict[str, Any]:
        who = p.patient
        ins_slice = INS_SLICES[who["oid"]]
        names = " ".join(who["first_names"])
        return {
            "resourceType": "Patient",
            "id": pid,
            "identifier": [
                {
                    "use": "official",
                    "system": ins_slice.system,
                    "value": who["ins"],
                    "type": {"coding": [{"system": FR_CORE_V2_0203, "code": ins_slice.type_code}]},
                }
            ],
            "name": [
                {
                    "use": "official",
                    "family": who["birth_name"],
                    "given": [who["first_names"][0]],
                    "extension": [
                        {
                            "url": "https://hl7.fr/ig/fhir/core/StructureDefinition/"
                            "fr-core-patient-birth-list-given-name",
                            "valueString": names,
                        }
                    ],
                }
            ],
            "gender": {"M": "male", "F": "female"}.get(who["sex"], "unknown"),
            "birthDate": who["birth_date"],
        }

    def seed(self, store: ResourceStore, base_url: str, prescriptions: list[Prescription]) -> None:
        with store.atomic():
            for p in prescriptions:
                key = p.uid.lower().replace("_", "-")
                pid, did = f"pat-{key}", f"prat-{key}"
                patient = self._patient(p, pid)
                doctor = {
                    "resourceType": "Practitioner",
                    "id": did,
                    "identifier": [{"system": "urn:oid:1.2.250.1.71.4.2.1", "value": "8" + p.prescriber["rpps"]}],
                    "name": [{"family": p.prescriber["family"], "given": [p.prescriber["given"]]}],
                }
                entries = [(f"{base_url}/Patient/{pid}", patient), (f"{base_url}/Practitioner/{did}", doctor)]
                for line in p.lines:
                    rid = f"mr-{key}-{line['line']}"
                    request = {
                        "resourceType": "MedicationRequest",
                        "id": rid,
                        "status": "active",
                        "intent": "order",
                        "identifier": [{"system": LINE_ID_SYSTEM, "value": f"{p.uid}-{line['line']}"}],
                        "groupIdentifier": {"system": PRESCRIPTION_ID_SYSTEM, "value": p.uid},
                        "medicationCodeableConcept": {
                            "coding": [{"system": ATC, "code": line["atc"], "display": line["display"]}]
                        },
                        "subject": {"reference": f"Patient/{pid}"},
                        "authoredOn": p.authored,
                        "requester": {"reference": f"Practitioner/{did}"},
                        "dosageInstruction": [{"text": line["dosage"]}],
                    }
                    entries.append((f"{base_url}/MedicationRequest/{rid}", request))
                stored = [(url, store.write(r["resourceType"], r["id"], r).resource) for url, r in entries]
                bundle = {
                    "resourceType": "Bundle",
                    "type": "collection",
                    "timestamp": f"{p.authored}T08:00:00Z",
                    "identifier": {"system": PRESCRIPTION_ID_SYSTEM, "value": p.uid},
                    "entry": [{"fullUrl": url, "resource": r} for url, r in stored],
                }
                store.write("Bundle", f"presc-{key}", bundle)

    @rule(
        "epresc.ret", requirement="EPRESC-RET-01", summary="retrieval of the prescription: search by identifier, JSON"
    )
    def retrieval(self, rtype: str, query: list[tuple[str, str]], accept: str) -> tuple[str | None, list[Finding]]:
        params = dict(query)
        asked = params.get("identifier")
        if rtype not in ("Bundle", "MedicationRequest") or asked is None:
            return None, []
        system, sep, value = asked.partition("|")
        uid = value if sep else asked
        where = f"GET [base]/{rtype}?identifier={asked}"
        findings = []
        if rtype != "Bundle":
            findings.append(
                Finding(
                    "epresc.ret.resource",
                    RET,
                    f"the prescription is retrieved as a Bundle "
                    f"(GET [base]/Bundle?identifier=...), not through {rtype} (dui-harness model)",
                    location=where,
                )
            )
        if not sep or system != PRESCRIPTION_ID_SYSTEM:
            findings.append(
                Finding(
                    "epresc.ret.identifier",
                    RET,
                    f"identifier must be {PRESCRIPTION_ID_SYSTEM}|<unique id>; got {asked!r} (dui-harness model)",
                    location=where,
                )
            )
        if accept and not any(t in accept for t in ("application/fhir+json", "application/json", "*/*")):
            findings.append(
                Finding("epresc.ret.accept", RET, f"Accept {accept!r} does not ask for FHIR JSON", location="Accept")
            )
        elif not accept:
            findings.append(
                Finding(
                    "epresc.ret.accept",
                    RET,
                    "no Accept header: ask for application/fhir+json",
                    Severity.WARNING,
                    "Accept",
                )
            )
        return uid, findings

    def line_of(self, store: ResourceStore, administration: dict[str, Any]) -> PrescribedLine | None:
        request_ref = administration.get("request")
        ref = request_ref.get("reference") if isinstance(request_ref, dict) else None
        if not isinstance(ref, str) or "MedicationRequest/" not in ref:
            return None
        rid = ref.split("MedicationRequest/")[-1].split("/")[0]
        found = store.read("MedicationRequest", rid)
        if found is None:
            return None
        request = found.resource
        uid = request.get("groupIdentifier", {}).get("value", "")
        patient_ref = request.get("subject", {}).get("reference", "")
        patient = store.read("Patient", patient_ref.split("/")[-1])
        ins = patient.resource["identifier"][0] if patient is not None else {}
        codes = frozenset(
            (c.get("system", ""), c.get("code", ""))
            for c in request.get("medicationCodeableConcept", {}).get("coding", [])
        )
        return PrescribedLine(
            uid,
            frozenset({f"MedicationRequest/{rid}", ref}),
            frozenset({patient_ref}),
            ins.get("value", ""),
            ins.get("system", ""),
            codes,
        )
