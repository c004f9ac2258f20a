"""ITI-57 Update Document Set: metadata updates (masking, visibility) and status changes.

Two forms (IHE ITI TF-2b §3.57, XDS Metadata Update):

* a new version of a DocumentEntry: an ExtrinsicObject whose ``lid`` is the logical id of a
  registered document, linked from the SubmissionSet by HasMember with the slots
  ``SubmissionSetStatus=Original`` and ``PreviousVersion=<n>``. The DMP uses it to change the
  confidentialityCode list: ``MASQUE_PS`` masks the document from professionals,
  ``INVISIBLE_PATIENT`` hides it from the patient (TRE_A07, JDV_J08). The previous version
  becomes Deprecated; uniqueId, patientId and the document stay the same.
* an ``UpdateAvailabilityStatus`` association (sourceObject = SubmissionSet, targetObject =
  a DocumentEntry entryUUID) with the slots ``OriginalStatus`` and ``NewStatus``: Approved,
  Deprecated, the DMP archiving status ``urn:asip:ci-sis:2010:StatusType:Archived`` or the DMP
  deletion (TD3.3c, SC.DMP/CONF.03) ``urn:asip:ci-sis:2010:StatusType:Deleted`` (assumptions [S]: the
  DMP guide is not public). A deleted document is no longer returned by any query nor retrieved.

Errors: a stale PreviousVersion or OriginalStatus → ``XDSMetadataVersionError`` /
``XDSMetadataUpdateError``; an unknown target → ``XDSMetadataUpdateError``; another patient →
``XDSPatientIdDoesNotMatch``. Nothing is written unless the whole update is accepted.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

from lxml import etree

from harness.validators.xds.ebrim import (
    ASSOC_HAS_MEMBER,
    ASSOC_UPDATE_STATUS,
    DE,
    NS,
    SS,
    STATUS_APPROVED,
    STATUS_ARCHIVED,
    STATUS_DELETED,
    STATUS_DEPRECATED,
    Submission,
    read_submission,
)
from harness.validators.xds.formats import parse_cx
from harness.validators.xds.rules import check_document_entry, check_submission_set
from mocks.dmp.context import DmpAnswer, DmpRequest, registry_answer
from mocks.dmp.ebxml import assign_ids, entry_from, rewrite
from mocks.dmp.faults import XdsError, errors_from_findings
from mocks.dmp.iti41 import patient_errors
from mocks.dmp.registry import StoredSet, Write

if TYPE_CHECKING:
    from mocks.dmp.app import DmpSimulator

__all__ = ["ACTION", "RESPONSE_ACTION", "handle"]

ACTION = "urn:ihe:iti:2010:UpdateDocumentSet"
RESPONSE_ACTION = "urn:ihe:iti:2010:UpdateDocumentSetResponse"
STATUSES = (STATUS_APPROVED, STATUS_DEPRECATED, STATUS_ARCHIVED, STATUS_DELETED)


def _versions(
    sim: DmpSimulator,
    submission: Submission,
    ids: dict[str, str],
    write: Write,
    ss_uuid: str,
) -> list[XdsError]:
    errors: list[XdsError] = []
    for doc in submission.documents:
        member = next((a for a in submission.associations if a.type == ASSOC_HAS_MEMBER and a.target == doc.id), None)
        previous = (member.slots.get("PreviousVersion") or [""])[0] if member else ""
        current = sim.registry.latest(doc.lid) if doc.lid else None
        if current is None:
            errors.append(
                XdsError(
                    "XDSMetadataUpdateError", f"no registered document has the logical id {doc.lid!r}", doc.location
                )
            )
            continue
        if previous != str(current.version):
            errors.append(
                XdsError(
                    "XDSMetadataVersionError",
                    f"PreviousVersion {previous!r} is not the current version {current.version} of {doc.lid}",
                    member.location if member else doc.location,
                )
            )
            continue
        if doc.identifiers.get(DE.PATIENT_ID) != current.patient_id:
            errors.append(
                XdsError(
                    "XDSPatientIdDoesNotMatch",
                    f"patientId differs from the registered document's ({current.patient_id})",
                    doc.location,
                )
            )
            continue
        if doc.identifiers.get(DE.UNIQUE_ID) != current.unique_id:
            errors.append(
                XdsError(
                    "XDSMetadataUpdateError",
                    f"a metadata update cannot change the uniqueId ({current.unique_id})",
                    doc.location,
                )
            )
            continue
        entry = entry_from(
            doc,
            ids,
            status=STATUS_APPROVED,
            version=current.version + 1,
            logical_id=current.logical_id,
            repository=sim.repository_id,
            digest=current.hash,
            size=current.size,
            submission_set=ss_uuid,
        )
        write.entries.append(entry)
        write.status_changes.append((current.entry_uuid, STATUS_DEPRECATED))
    return errors


def _status_updates(sim: DmpSimulator, submission: Submission, write: Write) -> list[XdsError]:
    errors: list[XdsError] = []
    for assoc in submission.associations:
        if assoc.type != ASSOC_UPDATE_STATUS:
            continue
        original = (assoc.slots.get("OriginalStatus") or [""])[0]
        new = (assoc.slots.get("NewStatus") or [""])[0]
        target = sim.registry.entry(assoc.target)
        if target is None:
            errors.append(
                XdsError(
                    "XDSMetadataUpdateError",
                    f"UpdateAvailabilityStatus target {assoc.target!r} is not a registered DocumentEntry",
                    assoc.location,
                )
            )
        elif new not in STATUSES:
            errors.append(
                XdsError(
                    "XDSMetadataUpdateError", f"NewStatus {new!r} is not one of {', '.join(STATUSES)}", assoc.location
                )
            )
        elif original != target.status:
            errors.append(
                XdsError(
                    "XDSMetadataUpdateError",
                    f"OriginalStatus {original!r} is not the current status {target.status} of {assoc.target}",
                    assoc.location,
                )
            )
        else:
            write.status_changes.append((target.entry_uuid, new))
    return errors


def handle(sim: DmpSimulator, request: DmpRequest) -> DmpAnswer:
    body = request.envelope.body_child
    if body.tag != f"{{{NS['lcm']}}}SubmitObjectsRequest":
        error = XdsError(
            "XDSMetadataUpdateError",
            f"the SOAP Body holds {body.tag}, not lcm:SubmitObjectsRequest",
            "/soap:Envelope/soap:Body",
        )
        return registry_answer(request, RESPONSE_ACTION, [error])
    submission = read_submission(body)
    findings = []
    if len(submission.submission_sets) != 1:
        error = XdsError(
            "XDSMetadataUpdateError",
            f"{len(submission.submission_sets)} SubmissionSet(s): an update carries exactly one",
            "/lcm:SubmitObjectsRequest/rim:RegistryObjectList",
        )
        return registry_answer(request, RESPONSE_ACTION, [error])
    ss = submission.submission_sets[0]
    findings += check_submission_set(ss)
    for doc in submission.documents:
        findings += check_document_entry(doc, sim.pack)
    errors = errors_from_findings(findings)
    patient = ss.identifiers.get(SS.PATIENT_ID, "")
    if not errors:
        errors += patient_errors(sim, patient, ss.location)
    write = Write()
    ids = assign_ids(submission)
    ss_uuid = ids.get(ss.id, ss.id)
    if not errors:
        errors += _versions(sim, submission, ids, write, ss_uuid)
        errors += _status_updates(sim, submission, write)
    if not errors and not write.entries and not write.status_changes:
        errors.append(
            XdsError(
                "XDSMetadataUpdateError",
                "the update changes nothing: no new DocumentEntry version and no UpdateAvailabilityStatus association",
                ss.location,
            )
        )
    summary: dict[str, object] = {
        "patient_id": patient,
        "new_versions": [
            {"entry_uuid": e.entry_uuid, "version": e.version, "confidentiality": e.confidentiality}
            for e in write.entries
        ],
        "status_changes": [{"entry_uuid": u, "status": s} for u, s in write.status_changes],
    }
    if not errors:
        ss_xml = rewrite(ss.element, ids)
        ss_xml.set("status", STATUS_APPROVED)
        write.sets.append(
            StoredSet(
                ss_uuid,
                ss.identifiers.get(SS.UNIQUE_ID, ""),
                patient,
                ss.identifiers.get(SS.SOURCE_ID, ""),
                ss.slot("submissionTime"),
                STATUS_APPROVED,
                etree.tostring(ss_xml, encoding="unicode"),
            )
        )
        for assoc in submission.associations:
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
        try:
            sim.registry.commit(write)
        except sqlite3.Error as exc:  # a constraint (duplicate submission set uniqueId…)
            errors.append(XdsError("XDSRegistryError", f"the registry refused the update: {exc}", ss.location))
    answer = registry_answer(request, RESPONSE_ACTION, errors, **summary)
    cx, _ = parse_cx(patient)
    answer.tags.update(patient_id=patient, ins=cx.id if cx else "")
    answer.findings = findings
    return answer
