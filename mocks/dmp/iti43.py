"""ITI-43 Retrieve Document Set: the documents of the repository, MTOM or inline.

Each ``xdsb:DocumentRequest`` names a RepositoryUniqueId and a DocumentUniqueId. An unknown
repository → ``XDSUnknownRepositoryId``; an unknown document, or one masked from the
requesting organisation (MASQUE_PS, see :mod:`mocks.dmp.query_params`) → ``XDSMissingDocument``; a
document of another patient than the VIHF's → ``XDSPatientIdDoesNotMatch``, never its bytes, and a
DMP-VIHF-03 finding (:mod:`mocks.dmp.access`).
Some found, some not → PartialSuccess. A plain SOAP request (not MTOM/XOP, which IHE ITI TF-2b §3.43.5
requires) → ``XDSRepositoryError`` and a DMP-GET-02 finding. An MTOM request gets an MTOM answer whose documents
are binary parts (``xop:Include``); a plain SOAP request gets them inline in base64.
"""

from __future__ import annotations

import base64
import uuid
from typing import TYPE_CHECKING

from lxml import etree

from harness.core.findings import Finding
from harness.validators.xds.admission import check_mtom
from harness.validators.xds.ebrim import NS
from mocks.dmp.access import mismatch_finding, same_patient
from mocks.dmp.context import DmpAnswer, DmpRequest
from mocks.dmp.faults import XdsError, registry_response, soap_envelope
from mocks.dmp.mtom import package
from mocks.dmp.query_params import visible

if TYPE_CHECKING:
    from mocks.dmp.app import DmpSimulator

__all__ = ["ACTION", "RESPONSE_ACTION", "handle"]

ACTION = "urn:ihe:iti:2007:RetrieveDocumentSet"
RESPONSE_ACTION = "urn:ihe:iti:2007:RetrieveDocumentSetResponse"
XDSB = NS["xdsb"]
XOP = NS["xop"]


def handle(sim: DmpSimulator, request: DmpRequest) -> DmpAnswer:
    body = request.envelope.body_child
    errors: list[XdsError] = []
    found: list[tuple[str, bytes, str]] = []
    asked: list[str] = []
    where = "/soap:Envelope/soap:Body/xdsb:RetrieveDocumentSetRequest"
    if body.tag != f"{{{XDSB}}}RetrieveDocumentSetRequest":
        errors.append(
            XdsError(
                "XDSRepositoryError",
                f"the SOAP Body holds {body.tag}, not xdsb:RetrieveDocumentSetRequest",
                "/soap:Envelope/soap:Body",
            )
        )
    findings: list[Finding] = check_mtom(request.message, "ITI-43", "DMP-GET-02") if not errors else []
    if findings:  # IHE ITI TF-2b §3.43.5: request and response MTOM/XOP
        errors.append(XdsError("XDSRepositoryError", findings[0].message, "HTTP Content-Type"))
    requests = body.findall(f"{{{XDSB}}}DocumentRequest") if not errors else []
    if not errors and not requests:
        errors.append(XdsError("XDSRepositoryError", "RetrieveDocumentSetRequest holds no DocumentRequest", where))
    patients: set[str] = set()
    for index, item in enumerate(requests, start=1):
        repository = (item.findtext(f"{{{XDSB}}}RepositoryUniqueId") or "").strip()
        unique = (item.findtext(f"{{{XDSB}}}DocumentUniqueId") or "").strip()
        location = f"{where}/xdsb:DocumentRequest[{index}]"
        asked.append(unique)
        if repository != sim.repository_id:
            errors.append(
                XdsError(
                    "XDSUnknownRepositoryId",
                    f"RepositoryUniqueId {repository!r} is not this repository ({sim.repository_id})",
                    location,
                )
            )
            continue
        entries = [e for e in sim.registry.entries_by_unique_id(unique) if visible(e, request.structure)]
        if entries and not same_patient(entries[-1].patient_id, request):  # DMP-VIHF-03: never another's
            finding = mismatch_finding(request, f"document {unique} of {entries[-1].patient_id}", location)
            findings.append(finding)
            errors.append(XdsError("XDSPatientIdDoesNotMatch", finding.message, location))
            continue
        stored = sim.registry.document(unique) if entries else None
        if stored is None:
            errors.append(
                XdsError(
                    "XDSMissingDocument",
                    f"no document {unique!r} in the repository (or masked from this organisation)",
                    location,
                )
            )
            continue
        patients.add(entries[-1].patient_id)
        found.append((unique, stored[0], stored[1]))
    response = etree.Element(f"{{{XDSB}}}RetrieveDocumentSetResponse", nsmap={"xdsb": XDSB, "xop": XOP})
    status_part = registry_response(errors, partial=bool(found))
    response.append(status_part)
    attachments: dict[str, tuple[bytes, str]] = {}
    for unique, content, mime in found:
        item = etree.SubElement(response, f"{{{XDSB}}}DocumentResponse")
        etree.SubElement(item, f"{{{XDSB}}}RepositoryUniqueId").text = sim.repository_id
        etree.SubElement(item, f"{{{XDSB}}}DocumentUniqueId").text = unique
        etree.SubElement(item, f"{{{XDSB}}}mimeType").text = mime
        document = etree.SubElement(item, f"{{{XDSB}}}Document")
        if request.message.mtom:
            cid = f"{uuid.uuid4().hex}@dui-harness"
            etree.SubElement(document, f"{{{XOP}}}Include", href=f"cid:{cid}")
            attachments[cid] = (content, mime)
        else:
            document.text = base64.b64encode(content).decode("ascii")
    envelope = soap_envelope(RESPONSE_ACTION, response, request.message_id)
    data, ctype = package(envelope, RESPONSE_ACTION, mtom=request.message.mtom, attachments=attachments)
    patient = next(iter(patients), "")
    summary = {
        "status": status_part.get("status", "").rsplit(":", 1)[-1],
        "asked": asked,
        "returned": [u for u, _, _ in found],
        "errors": [{"code": e.code, "context": e.context} for e in errors],
    }
    tags = {"patient_id": patient, "ins": patient.split("^")[0]}
    return DmpAnswer(200, data, ctype, summary=summary, tags=tags, findings=findings)
