"""Who may read what: the patient of a consultation (ITI-18, ITI-43) against the signed VIHF.

The DMP serves a professional only the documents of the patient the VIHF names
(``urn:oasis:names:tc:xacml:2.0:resource:resource-id``, DMP-VIHF-03). Every stored query is
checked, whatever names the patient:

* a query by patient (FindDocuments, FindSubmissionSets, FindFolders, GetAll,
  FindDocumentsByReferenceId): the requested patientId must be the VIHF's patient (same id, same
  assigning authority; the CX type ``^NH`` is optional, as the catalog's DMP-GET-02 reads it), and
  the patient must have a DMP (TD0.2 status: ``NON_EXISTE`` → ``XDSUnknownPatientId``);
* a query by object (GetDocuments, GetAssociations, GetSubmissionSetAndContents,
  GetRelatedDocuments, GetDocumentsAndAssociations, GetFolders, GetSubmissionSets): every object
  found must belong to that patient.

Another patient → the whole query is refused (``XDSPatientIdDoesNotMatch``, nothing of that
patient in the answer) and a DMP-VIHF-03 finding. A patientId that is not an INS in CX form →
``XDSUnknownPatientId`` and a DMP-GET-02 finding (the DUI must name the patient by its INS).
The DMP's own error catalogue is not public: the codes are IHE's (ITI TF-3 §4.2.4).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from harness.core.findings import Finding, Severity
from harness.core.ins import INS_OIDS
from harness.core.rules import rule
from harness.validators.xds.formats import Cx, parse_cx
from harness.validators.xds.vihf import HEAD
from mocks.dmp.faults import XdsError

if TYPE_CHECKING:
    from mocks.dmp.app import DmpSimulator
    from mocks.dmp.context import DmpRequest

__all__ = [
    "QUERY_LOCATION",
    "QueryError",
    "mismatch_finding",
    "patient_keys",
    "require_own_objects",
    "require_patient",
    "same_patient",
]

QUERY_LOCATION = "/soap:Envelope/soap:Body/query:AdhocQueryRequest/rim:AdhocQuery"


class QueryError(Exception):
    """A stored query the registry refuses: its XDS error and, when the DUI is at fault, a finding."""

    def __init__(self, code: str, message: str, finding: Finding | None = None) -> None:
        super().__init__(message)
        self.error = XdsError(code, message, QUERY_LOCATION)
        self.finding = finding


def patient_keys(cx: Cx) -> list[str]:
    """The registry's spellings of one patient: with and without the CX type ``NH``."""
    base = f"{cx.id}^^^&{cx.oid}&ISO"
    return [base, f"{base}^{cx.type or 'NH'}"]


def same_patient(value: str, request: DmpRequest) -> bool:
    cx, problems = parse_cx(value)
    return cx is not None and not problems and cx.id == request.vihf.ins and cx.oid == request.vihf.ins_oid


def mismatch_finding(request: DmpRequest, asked: str, where: str) -> Finding:
    """DMP-VIHF-03: the request reads another patient than the one the VIHF names."""
    text = (
        f"accès refusé / access refused: the VIHF resource-id names INS {request.vihf.ins} "
        f"({request.vihf.ins_oid}), the request is about {asked}"
    )
    return Finding("vihf.resource_id.patient", "DMP-VIHF-03", text, Severity.ERROR, f"{HEAD} ; {where}")


def _mismatch(request: DmpRequest, asked: str, where: str) -> QueryError:
    finding = mismatch_finding(request, asked, where)
    return QueryError("XDSPatientIdDoesNotMatch", finding.message, finding)


@rule("dmp.query.patient", requirement="DMP-GET-02", summary="a stored query names the patient by its INS (CX)")
def require_patient(sim: DmpSimulator, request: DmpRequest, value: str, param: str) -> list[str]:
    """The registry keys of the patient a query asks for, once it is the VIHF's patient with a DMP.

    Raises :class:`QueryError`: not an INS (``XDSUnknownPatientId``, DMP-GET-02), not the VIHF's
    patient (``XDSPatientIdDoesNotMatch``, DMP-VIHF-03), no DMP (``XDSUnknownPatientId``), access
    forbidden or expired (``XDSRegistryError``).
    """
    where = f"{QUERY_LOCATION}/rim:Slot[@name='{param}']"
    cx, problems = parse_cx(value)
    if cx is None or problems or cx.oid not in INS_OIDS or cx.type not in ("", "NH"):
        text = f"{param} {value!r} n'est pas un INS / is not an INS <INS>^^^&<OID INS>&ISO[^NH]" + (
            f": {'; '.join(problems)}" if problems else ""
        )
        finding = Finding("dmp.query.patient.not_ins", "DMP-GET-02", text, Severity.ERROR, where)
        raise QueryError("XDSUnknownPatientId", text, finding)
    if not request.vihf.ins or cx.id != request.vihf.ins or cx.oid != request.vihf.ins_oid:
        raise _mismatch(request, value, where)
    status, reason = sim.patient_status(cx.id, cx.oid)
    if status == "NON_EXISTE":
        raise QueryError("XDSUnknownPatientId", f"aucun DMP pour l'INS {cx.id} / no DMP exists for INS {cx.id}")
    if status in ("INTERDIT", "EXPIRE"):
        why = f" ({reason})" if reason else ""
        raise QueryError("XDSRegistryError", f"accès au DMP de l'INS {cx.id} refusé / access refused: {status}{why}")
    return patient_keys(cx)


def require_own_objects(request: DmpRequest, patient_ids: Iterable[str], what: str) -> None:
    """Refuse a query by object when one of the objects found is another patient's (DMP-VIHF-03)."""
    others = sorted({p for p in patient_ids if not same_patient(p, request)})
    if others:
        raise _mismatch(request, f"{what} of {', '.join(others)}", QUERY_LOCATION)
