"""TDDUI flux 1 (``ans.fhir.fr.tddui`` 2.0.0, ``ans.cda.fr.tddui`` 1.0.1): the TDDUIBundle a DUI posts.

Rules, each on its requirement of ``profiles/catalog/eparcours.csv``:

* ``EPARCOURS-FLUX-01``: a Bundle of type ``transaction`` (TDDUIBundle ``type = #transaction``),
  every entry with a resource and ``request.method = POST`` to its type (create), and every
  reference matching the ``fullUrl`` of another entry or its ``resourceType/id``, as
  ``description_flux_1_transmission_donnees_dui.md`` (Gestion des identifiants dans le Bundle)
  asks. ``fullUrl`` is optional (R4 transaction); when present it is a ``urn:uuid:`` or an
  absolute URL, unique in the bundle. A relative reference to no entry of the bundle names a
  resource the consumer must already hold: a warning, not a defect; an unmatched ``urn:uuid:``
  can only point inside the bundle: a defect;
* ``EPARCOURS-FHIR-01``: every resource is structurally valid FHIR R4 (see
  :mod:`~harness.validators.fhir.structure`) and its codes of required base bindings are valid;
* ``EPARCOURS-PAT-01..03``: FR Core PatientINS (:mod:`~harness.validators.fhir.patient`);
* ``EPARCOURS-CONT-01``: TDDUIEncounterSejour and TDDUIEncounterEvenement (told apart, see
  :mod:`~harness.validators.fhir.tddui_encounter`), TDDUIQuestionnaireResponse (identifier,
  subject), TDDUICarePlanProjetPerso (identifier, title, subject), all about a Patient of the
  bundle. Every TDDUIBundle slice is 0..*: a bundle without a Patient (e.g. documents only) is
  conformant; whether the exported record holds the person is the suites' question;
* ``EPARCOURS-DOC-01..04``: TDDUIDocumentReference (masterIdentifier 1..1, identifier 0..0,
  status current, docStatus 0..0, subject 0..1 and then a Patient; one content whose attachment
  has contentType, title and ``data``, never ``url``; value-set bindings JDV_J07/J06/J10/J02/J04,
  a code judged by its code system whatever its NOS spelling
  (:data:`~harness.validators.fhir.jdv.SYSTEM_ALIASES`); the EXPORT_DUI CDA).
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.core.findings import Finding, Severity
from harness.core.rules import rule
from harness.validators.cda.pack import CdaPack
from harness.validators.fhir.codes import BASE_CODES, TRE_A05
from harness.validators.fhir.jdv import JDV
from harness.validators.fhir.patient import PatientFacts, check_patient, patient_facts
from harness.validators.fhir.refs import as_dict, as_list, codings, iter_references, text
from harness.validators.fhir.structure import check_structure
from harness.validators.fhir.tddui_cda import DOC_CDA, check_export_dui
from harness.validators.fhir.tddui_encounter import check_encounter

__all__ = [
    "CONT",
    "DOC_BINDINGS",
    "DOC_CDA",
    "DOC_CONTENT",
    "DOC_PROFILE",
    "FLUX",
    "STRUCT",
    "Entry",
    "TdduiReport",
    "check_base_codes",
    "check_tddui_bundle",
]

FLUX = "EPARCOURS-FLUX-01"
STRUCT = "EPARCOURS-FHIR-01"
CONT = "EPARCOURS-CONT-01"
DOC_PROFILE = "EPARCOURS-DOC-01"
DOC_CONTENT = "EPARCOURS-DOC-02"
DOC_BINDINGS = "EPARCOURS-DOC-03"
_UUID = re.compile(r"^urn:uuid:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_RELATIVE = re.compile(r"^([A-Z][A-Za-z]+)/([A-Za-z0-9\-.]{1,64})$")
_XML_TYPES = ("text/xml", "application/xml", "application/hl7-v3+xml", "application/hl7-cda+xml")


@dataclass
class Entry:
    index: int
    full_url: str
    resource: dict[str, Any]

    @property
    def type(self) -> str:
        return text(self.resource.get("resourceType"))

    @property
    def path(self) -> str:
        return f"Bundle.entry[{self.index}].resource"


@dataclass
class TdduiReport:
    """Findings on one TDDUIBundle, and what it carries."""

    findings: list[Finding] = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list)
    patients: list[PatientFacts] = field(default_factory=list)

    def of_type(self, resource_type: str) -> list[Entry]:
        return [e for e in self.entries if e.type == resource_type]


@rule(
    "fhir.code",
    requirement="EPARCOURS-FHIR-01",
    summary="codes from the bound value sets (FR Core / TDDUI)",
    also=("EPRESC-ADM-01",),
)
def check_base_codes(resource: Any, path: str, requirement: str) -> list[Finding]:
    """Codes of the R4 required bindings listed in :data:`BASE_CODES`."""
    found = []
    kind = text(as_dict(resource).get("resourceType"))
    for (rtype, element), allowed in BASE_CODES.items():
        value = as_dict(resource).get(element)
        if rtype == kind and value is not None and value not in allowed:
            found.append(
                Finding(
                    "fhir.code",
                    requirement,
                    f"{rtype}.{element} = {value!r} is not in the required value set ({', '.join(sorted(allowed))})",
                    location=f"{path}.{element}",
                )
            )
    return found


def _resolver(entries: list[Entry]) -> dict[str, Entry]:
    index: dict[str, Entry] = {}
    for entry in entries:
        if entry.full_url:
            index[entry.full_url] = entry
        rid = text(entry.resource.get("id"))
        if rid:
            index[f"{entry.type}/{rid}"] = entry
    return index


@rule("tddui.bundle", requirement="EPARCOURS-FLUX-01", summary="a TDDUIBundle transaction")
@rule("tddui.entry", requirement="EPARCOURS-FLUX-01", summary="entries: POST of a resource, fullUrl urn:uuid or URL")
@rule("tddui.reference", requirement="EPARCOURS-FLUX-01", summary="references resolve inside the bundle")
def _flux(bundle: dict[str, Any], report: TdduiReport) -> None:
    find = report.findings
    if bundle.get("type") != "transaction":
        find.append(
            Finding(
                "tddui.bundle.type",
                FLUX,
                f"Bundle.type must be 'transaction' (TDDUIBundle), not "
                f"{bundle.get('type')!r}: the consumer creates all entries or none",
                location="Bundle.type",
            )
        )
    raw = as_list(bundle.get("entry"))
    if not raw:
        find.append(Finding("tddui.bundle.empty", FLUX, "the bundle has no entry", location="Bundle.entry"))
    seen: set[str] = set()
    for i, item in enumerate(raw):
        where = f"Bundle.entry[{i}]"
        raw_entry = as_dict(item)
        resource, request = raw_entry.get("resource"), as_dict(raw_entry.get("request"))
        full_url = text(raw_entry.get("fullUrl"))
        if not isinstance(resource, dict):
            find.append(Finding("tddui.entry.resource", FLUX, "entry without a resource", location=where))
            continue
        kind = text(resource.get("resourceType"))
        method, url = text(request.get("method")), text(request.get("url"))
        if method != "POST":
            find.append(
                Finding(
                    "tddui.entry.method",
                    FLUX,
                    f"request.method must be POST (TDDUIBundle: creation only), not {method or 'absent'}",
                    location=f"{where}.request.method",
                )
            )
        if url != kind and not url.startswith(f"{kind}?"):
            named = " (a profile or instance name is no FHIR endpoint)" if url[:1].isupper() and "/" not in url else ""
            find.append(
                Finding(
                    "tddui.entry.url",
                    FLUX,
                    f"request.url must be the resource type {kind!r} (FHIR create), not {url!r}{named}",
                    location=f"{where}.request.url",
                )
            )
        if not full_url:
            pass  # optional: a reference may name the entry by resourceType/id (checked below)
        elif not (_UUID.match(full_url) or full_url.startswith(("http://", "https://"))):
            find.append(
                Finding(
                    "tddui.entry.fullurl",
                    FLUX,
                    f"fullUrl {full_url!r} is neither urn:uuid:<uuid> nor an absolute URL",
                    location=f"{where}.fullUrl",
                )
            )
        elif full_url in seen:
            find.append(
                Finding("tddui.entry.fullurl", FLUX, f"fullUrl {full_url} is used twice", location=f"{where}.fullUrl")
            )
        seen.add(full_url)
        report.entries.append(Entry(i, full_url, resource))
    index = _resolver(report.entries)
    for entry in report.entries:
        for ref, where in iter_references(entry.resource, entry.path):
            if ref in index or ref.startswith("#"):
                continue
            if ref.startswith("urn:uuid:"):
                find.append(
                    Finding(
                        "tddui.reference",
                        FLUX,
                        f"reference {ref!r} matches no fullUrl of the bundle "
                        "(a urn:uuid: names an entry of this bundle only)",
                        location=where,
                    )
                )
            elif _RELATIVE.match(ref):
                find.append(
                    Finding(
                        "tddui.reference.outside",
                        FLUX,
                        f"reference {ref!r} matches no fullUrl nor "
                        "resourceType/id of the bundle: the consumer must already hold it",
                        severity=Severity.WARNING,
                        location=where,
                    )
                )


def _about_patient(entry: Entry, element: str, index: dict[str, Entry], required: bool) -> list[Finding]:
    ref = text(as_dict(entry.resource.get(element)).get("reference"))
    target = index.get(ref)
    if target is not None and target.type == "Patient":
        return []
    if not ref and not required:
        return []
    return [
        Finding(
            f"tddui.{entry.type.lower()}.{element}",
            CONT,
            f"{entry.type}.{element} must reference the Patient of the bundle; found {ref or 'nothing'}",
            location=f"{entry.path}.{element}",
        )
    ]


@rule("tddui.careplan", requirement="EPARCOURS-CONT-01", summary="CarePlan: title, subject")
@rule(
    "tddui.questionnaireresponse", requirement="EPARCOURS-CONT-01", summary="QuestionnaireResponse: identifier, subject"
)
def _content(report: TdduiReport, index: dict[str, Entry]) -> None:
    find = report.findings
    for entry in report.of_type("Encounter"):
        find.extend(check_encounter(entry, index.get))
    for kind, needed in (("QuestionnaireResponse", ("identifier",)), ("CarePlan", ("identifier", "title"))):
        for entry in report.of_type(kind):
            for element in needed:
                value = entry.resource.get(element)
                if element == "identifier":  # 0..1 Identifier on QuestionnaireResponse, 0..* on CarePlan
                    values = value if isinstance(value, list) else [value]
                    value = len(values) == 1 and text(as_dict(values[0]).get("value"))
                if not value:
                    find.append(
                        Finding(
                            f"tddui.{kind.lower()}.{element}",
                            CONT,
                            f"{kind}.{element} is 1..1 in its TDDUI profile",
                            location=f"{entry.path}.{element}",
                        )
                    )
            find.extend(_about_patient(entry, "subject", index, required=True))


@rule("tddui.docref.binding", requirement="EPARCOURS-DOC-03", summary="DocumentReference codes from their value sets")
def _bindings(entry: Entry, content: dict[str, Any]) -> list[Finding]:
    resource, path, found = entry.resource, entry.path, []
    context = as_dict(resource.get("context"))
    checks = [
        ("type", resource.get("type"), "JDV_J07", False),  # 0..1 (preferred binding); EXPORT_DUI: below
        *((f"category[{i}]", c, "JDV_J06", False) for i, c in enumerate(as_list(resource.get("category")))),
        ("content[0].format", content.get("format"), "JDV_J10", False),
        ("context.facilityType", context.get("facilityType"), "JDV_J02", False),
        ("context.practiceSetting", context.get("practiceSetting"), "JDV_J04", False),
    ]
    for element, value, name, required in checks:
        if value is None and not required:
            continue
        value_set = JDV[name]
        pairs = [(text(c.get("system")), text(c.get("code"))) for c in codings(value)]
        if not any(value_set.contains(s, c) for s, c in pairs):
            found.append(
                Finding(
                    "tddui.docref.binding",
                    DOC_BINDINGS,
                    f"{element}: {pairs or 'no coding'} is not in {value_set.describe()}",
                    location=f"{path}.{element}",
                )
            )
    return found


@rule(
    "tddui.docref",
    requirement="EPARCOURS-DOC-01",
    summary="DocumentReference: masterIdentifier, identifier, status, subject",
)
@rule("tddui.docref.content", requirement="EPARCOURS-DOC-02", summary="DocumentReference.content")
@rule("tddui.docref.attachment", requirement="EPARCOURS-DOC-02", summary="an attachment with contentType")
@rule("tddui.docref.url", requirement="EPARCOURS-DOC-02", summary="the attachment points at a Binary of the bundle")
@rule("tddui.docref.data", requirement="EPARCOURS-DOC-02", summary="the attachment carries data")
@rule("tddui.docref.base64", requirement="EPARCOURS-DOC-02", summary="the data is base64")
@rule("tddui.docref.type", requirement="EPARCOURS-DOC-03", summary="DocumentReference.type")
def _document(
    entry: Entry, index: dict[str, Entry], patient: PatientFacts | None, pack: Path | CdaPack | None
) -> list[Finding]:
    resource, path, found = entry.resource, entry.path, []
    master = as_dict(resource.get("masterIdentifier"))
    if not text(master.get("value")):
        found.append(
            Finding(
                "tddui.docref.master",
                DOC_PROFILE,
                "masterIdentifier is 1..1 (the document's unique id) in TDDUIDocumentReference",
                location=f"{path}.masterIdentifier",
            )
        )
    if resource.get("identifier"):
        found.append(
            Finding(
                "tddui.docref.identifier",
                DOC_PROFILE,
                "identifier is 0..0 in TDDUIDocumentReference",
                location=f"{path}.identifier",
            )
        )
    if resource.get("status") != "current":
        found.append(
            Finding(
                "tddui.docref.status",
                DOC_PROFILE,
                f"status must be 'current', not {resource.get('status')!r}",
                location=f"{path}.status",
            )
        )
    if "docStatus" in resource:
        found.append(
            Finding(
                "tddui.docref.docstatus",
                DOC_PROFILE,
                "docStatus is 0..0 in TDDUIDocumentReference",
                location=f"{path}.docStatus",
            )
        )
    ref = text(as_dict(resource.get("subject")).get("reference"))
    target = index.get(ref)
    if ref and (target.type != "Patient" if target is not None else not ref.startswith("Patient/")):
        found.append(
            Finding(
                "tddui.docref.subject",
                DOC_PROFILE,
                f"subject (0..1) references a Patient (FR Core); found {ref}",
                location=f"{path}.subject",
            )
        )
    contents = as_list(resource.get("content"))
    if len(contents) != 1:
        found.append(
            Finding(
                "tddui.docref.content",
                DOC_CONTENT,
                f"content is 1..1, found {len(contents)}",
                location=f"{path}.content",
            )
        )
    content = as_dict(contents[0]) if contents else {}
    attachment = as_dict(content.get("attachment"))
    where = f"{path}.content[0].attachment"
    for element in ("contentType", "title"):
        if not text(attachment.get(element)):
            found.append(
                Finding(
                    "tddui.docref.attachment",
                    DOC_CONTENT,
                    f"attachment.{element} is 1..1",
                    location=f"{where}.{element}",
                )
            )
    if "url" in attachment:
        found.append(
            Finding(
                "tddui.docref.url",
                DOC_CONTENT,
                f"attachment.url is 0..0: the document travels in "
                f"attachment.data, not by reference ({text(attachment.get('url'))[:80]!r})",
                location=f"{where}.url",
            )
        )
    data = b""
    if not text(attachment.get("data")):
        found.append(
            Finding(
                "tddui.docref.data",
                DOC_CONTENT,
                "attachment.data (the base64 document) is 1..1",
                location=f"{where}.data",
            )
        )
    else:
        try:
            data = base64.b64decode(text(attachment["data"]), validate=True)
        except (binascii.Error, ValueError) as exc:
            found.append(
                Finding(
                    "tddui.docref.base64",
                    DOC_CONTENT,
                    f"attachment.data is not base64: {exc}",
                    location=f"{where}.data",
                )
            )
    found += _bindings(entry, content)
    mime = text(attachment.get("contentType")).split(";")[0].strip()
    is_cda = mime in _XML_TYPES or b"ClinicalDocument" in data[:4096]
    if data and is_cda:
        type_codes = [(text(c.get("system")), text(c.get("code"))) for c in codings(resource.get("type"))]
        if (TRE_A05, "EXPORT_DUI") not in type_codes and (
            "urn:oid:1.2.250.1.213.1.1.4.12",
            "EXPORT_DUI",
        ) not in type_codes:
            found.append(
                Finding(
                    "tddui.docref.type",
                    DOC_BINDINGS,
                    f"the DUI export document is typed {TRE_A05}#EXPORT_DUI; found {type_codes or 'none'}",
                    location=f"{path}.type",
                )
            )
        found += check_export_dui(data, patient, f"{where}.data", pack=pack)
    return found


def check_tddui_bundle(bundle: Any, *, cda_pack: Path | CdaPack | None = None) -> TdduiReport:
    """Every TDDUI rule on one flux-1 body (decoded JSON).

    Args:
        bundle: the decoded JSON the DUI posted.
        cda_pack: CI-SIS artefact pack for the CDA validator (optional).
    """
    report = TdduiReport()
    if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
        kind = bundle.get("resourceType") if isinstance(bundle, dict) else type(bundle).__name__
        report.findings.append(
            Finding(
                "tddui.bundle.resource",
                FLUX,
                f"flux 1 posts a Bundle (TDDUIBundle) to [base]/, not {kind!r}",
                location="$",
            )
        )
        return report
    report.findings += check_structure(bundle, requirement=STRUCT)
    _flux(bundle, report)
    for entry in report.entries:
        report.findings += check_base_codes(entry.resource, entry.path, STRUCT)
    index = _resolver(report.entries)
    for entry in report.of_type("Patient"):
        report.findings += check_patient(entry.resource, entry.path)
        report.patients.append(patient_facts(entry.resource))
    _content(report, index)
    patient = report.patients[0] if report.patients else None
    for entry in report.of_type("DocumentReference"):
        report.findings += _document(entry, index, patient, cda_pack)
    return report
