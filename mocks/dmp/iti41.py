"""ITI-41 Provide and Register Document Set-b: validate, check the patient's DMP, register.

Order of the checks (every one runs before anything is written, so that a rejected
submission leaves no trace): the metadata and documents
(:func:`harness.validators.xds.check_iti41`: structure, required attributes, value sets,
formats, CDA validation, CDA ↔ metadata consistency); the patient's DMP (TD0.2 status of the
INS: NON_EXISTE → ``XDSUnknownPatientId``; INTERDIT / EXPIRE → ``XDSRegistryError``, an
assumption: the DMP catalogue is not public); the VIHF resource-id against the patientId;
uniqueId duplicates (``XDSDuplicateUniqueIdInRegistry``); RPLC targets (must exist, be
Approved, same patient). Then one transaction stores everything and deprecates the replaced
documents.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from lxml import etree

from harness.core.findings import Finding, Severity
from harness.validators.xds import XdsReport, check_iti41
from harness.validators.xds.admission import check_admission
from harness.validators.xds.dsg import check_signature
from harness.validators.xds.ebrim import (
    ASSOC_RPLC,
    DE,
    SS,
    STATUS_APPROVED,
    STATUS_DEPRECATED,
    RegistryObject,
    Submission,
)
from harness.validators.xds.formats import parse_cx
from harness.validators.xds.schemas import check_schema
from mocks.dmp.context import DmpAnswer, DmpRequest, registry_answer
from mocks.dmp.ebxml import assign_ids, entry_from, rewrite
from mocks.dmp.faults import XdsError, errors_from_findings
from mocks.dmp.policy import considered
from mocks.dmp.registry import StoredSet, Write

if TYPE_CHECKING:
    from mocks.dmp.app import DmpSimulator

__all__ = ["ACTION", "RESPONSE_ACTION", "answer_submission", "handle", "patient_errors"]

ACTION = "urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-b"
RESPONSE_ACTION = "urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-bResponse"


def patient_errors(sim: DmpSimulator, patient_id: str, location: str) -> list[XdsError]:
    """The errors the patient's DMP status calls for (empty when the DMP exists and access is VALIDE)."""
    cx, problems = parse_cx(patient_id)
    if cx is None or problems:
        return [XdsError("XDSUnknownPatientId", f"patientId {patient_id!r} is not an INS in CX form", location)]
    status, reason = sim.patient_status(cx.id, cx.oid)
    if status == "NON_EXISTE":
        return [
            XdsError(
                "XDSUnknownPatientId",
                f"aucun DMP pour l'INS {cx.id} / no DMP exists for INS {cx.id} (TD0.2: NON_EXISTE)",
                location,
            )
        ]
    if status in ("INTERDIT", "EXPIRE"):
        why = f" ({reason})" if reason else ""
        return [
            XdsError(
                "XDSRegistryError",
                f"accès au DMP de l'INS {cx.id} refusé / access refused: TD0.2 status {status}{why}",
                location,
            )
        ]
    return []


def _replacements(sim: DmpSimulator, submission: Submission, ids: dict[str, str]) -> tuple[list[XdsError], list[str]]:
    errors, targets = [], []
    for assoc in submission.associations:
        if assoc.type != ASSOC_RPLC:
            continue
        target = sim.registry.entry(assoc.target)
        new = submission.document(assoc.source)
        if target is None:
            errors.append(
                XdsError(
                    "XDSRegistryError",
                    f"RPLC target {assoc.target} is not in the registry (UnresolvedReferenceException)",
                    assoc.location,
                )
            )
        elif target.status != STATUS_APPROVED:
            errors.append(
                XdsError(
                    "XDSRegistryError",
                    f"RPLC target {assoc.target} has status {target.status}: only an Approved document can be replaced",
                    assoc.location,
                )
            )
        elif new is not None and new.identifiers.get(DE.PATIENT_ID) != target.patient_id:
            errors.append(
                XdsError(
                    "XDSPatientIdDoesNotMatch",
                    f"the replacing document's patientId differs from the replaced one ({target.patient_id})",
                    assoc.location,
                )
            )
        else:
            targets.append(target.entry_uuid)
    return errors, targets


def _write(sim: DmpSimulator, report: XdsReport, ids: dict[str, str], replaced: list[str]) -> Write:
    submission = report.submission
    assert submission is not None
    ss = submission.submission_sets[0]
    ss_uuid = ids.get(ss.id, ss.id)
    ss_xml = rewrite(ss.element, ids)
    ss_xml.set("status", STATUS_APPROVED)
    write = Write(
        sets=[
            StoredSet(
                ss_uuid,
                ss.identifiers.get(SS.UNIQUE_ID, ""),
                ss.identifiers.get(SS.PATIENT_ID, ""),
                ss.identifiers.get(SS.SOURCE_ID, ""),
                ss.slot("submissionTime"),
                STATUS_APPROVED,
                etree.tostring(ss_xml, encoding="unicode"),
            )
        ]
    )
    for doc in submission.documents:
        content = report.documents[doc.id]
        digest = hashlib.sha1(content).hexdigest()
        entry = entry_from(
            doc,
            ids,
            status=STATUS_APPROVED,
            version=1,
            logical_id=None,
            repository=sim.repository_id,
            digest=digest,
            size=len(content),
            submission_set=ss_uuid,
        )
        write.entries.append(entry)
        write.documents.append((entry.unique_id, content, doc.mime_type or "text/xml", digest))
    signatures = {s.id for s in submission.signatures}  # verified (DMP-SIGN-01), not registered: an assumption
    for assoc in submission.associations:
        if assoc.source in signatures or assoc.target in signatures:
            continue
        element = rewrite(assoc.element, ids)
        write.associations.append(
            (
                element.get("id", ""),
                assoc.type,
                element.get("sourceObject", ""),
                element.get("targetObject", ""),
                etree.tostring(element, encoding="unicode"),
            )
        )
    write.status_changes = [(target, STATUS_DEPRECATED) for target in replaced]
    return write


def handle(sim: DmpSimulator, request: DmpRequest) -> DmpAnswer:
    """Answer one ITI-41 request of a DUI: judged once with the run's pack (``sim.pack``), the judgement kept
    on the exchange for the suites, the answer given by the DMP's policy (:mod:`mocks.dmp.policy`)."""
    report = check_iti41(request.message, request.envelope, pack=sim.pack)
    report.findings += check_admission(request.message, report.submission, report.documents, report.cda)
    if report.submission is not None:  # the signed submission set (DMPi TD2.1, IHE DSG): DMP-SIGN-01
        report.findings += check_signature(report.submission, report.documents, trust_ca=sim.trust_ca)
    if sim.xds_schemas is not None:
        report.findings += check_schema(sim.xds_schemas, request.envelope.body_child)
    answer = answer_submission(sim, request, report)
    answer.judgements["xds"] = (sim.pack, report)  # the one judgement: the suites read it (same pack)
    return answer


def answer_submission(sim: DmpSimulator, request: DmpRequest, report: XdsReport) -> DmpAnswer:
    """Register the submission of ``report`` or refuse it, following the DMP's answer policy."""
    submission = report.submission
    summary: dict[str, object] = {"documents": len(report.documents)}
    findings = considered(report.findings)
    errors = errors_from_findings(findings)
    tags: dict[str, str] = {}
    if submission is not None and submission.submission_sets:
        ss = submission.submission_sets[0]
        patient = ss.identifiers.get(SS.PATIENT_ID, "")
        cx, _ = parse_cx(patient)
        tags["patient_id"] = patient
        tags["ins"] = cx.id if cx else ""
        summary["patient_id"] = patient
        summary["entries"] = [_describe(doc, report) for doc in submission.documents]
        if not errors:
            errors += patient_errors(sim, patient, ss.identifier_locations.get(SS.PATIENT_ID, ss.location))
        if not errors and cx is not None and request.vihf.ins and request.vihf.ins != cx.id:
            finding = Finding(
                "vihf.resource_id.patient",
                "DMP-VIHF-03",
                f"the VIHF resource-id names INS {request.vihf.ins}, the submission is for {cx.id}",
                Severity.ERROR,
                "/soap:Envelope/soap:Header/wsse:Security/saml2:Assertion",
            )
            findings.append(finding)
            errors.append(XdsError("XDSPatientIdDoesNotMatch", finding.message, finding.location))
    if not errors and submission is not None:
        errors += _duplicates(sim, submission)
    ids: dict[str, str] = {}
    replaced: list[str] = []
    if not errors and submission is not None:
        ids = assign_ids(submission)
        more, replaced = _replacements(sim, submission, ids)
        errors += more
    if not errors:
        write = _write(sim, report, ids, replaced)
        sim.registry.commit(write)
        summary["registered"] = [{"entry_uuid": e.entry_uuid, "unique_id": e.unique_id} for e in write.entries]
        summary["replaced"] = replaced
    answer = registry_answer(request, RESPONSE_ACTION, errors, **summary)
    answer.tags.update(tags)
    answer.findings = findings
    return answer


def _duplicates(sim: DmpSimulator, submission: Submission) -> list[XdsError]:
    errors = []
    for doc in submission.documents:
        unique = doc.identifiers.get(DE.UNIQUE_ID, "")
        if unique and sim.registry.entries_by_unique_id(unique):
            errors.append(
                XdsError(
                    "XDSDuplicateUniqueIdInRegistry",
                    f"a document with uniqueId {unique} is already registered",
                    doc.identifier_locations.get(DE.UNIQUE_ID, doc.location),
                )
            )
    for ss in submission.submission_sets:
        unique = ss.identifiers.get(SS.UNIQUE_ID, "")
        if unique and sim.registry.set_unique_id_exists(unique):
            errors.append(
                XdsError(
                    "XDSDuplicateUniqueIdInRegistry",
                    f"a submission set with uniqueId {unique} is already registered",
                    ss.identifier_locations.get(SS.UNIQUE_ID, ss.location),
                )
            )
    return errors


def _describe(doc: RegistryObject, report: XdsReport) -> dict[str, object]:
    cda = report.cda.get(doc.id)
    codes = {name: [c.code for c in values] for name, values in doc.codes.items()}
    return {
        "id": doc.id,
        "unique_id": doc.identifiers.get(DE.UNIQUE_ID, ""),
        "codes": codes,
        "mime_type": doc.mime_type,
        "size": len(report.documents.get(doc.id, b"")),
        "cda_code": cda.header.code if cda else None,
        "templates": cda.header.template_ids if cda else [],
    }
