"""The reference DUI's DMP document lifecycle beyond publication: deletion and the patient's opposition.

* Deletion (SC.DMP/CONF.03, TD3.3c): a published document fed by mistake (wrong document, wrong DMP)
  is deleted from the DMP with an ITI-57 availability-status update to
  ``urn:asip:ci-sis:2010:StatusType:Deleted`` (the simulator's assumption, :mod:`mocks.dmp.iti57`),
  without any TD0.3 authorisation request (SC.DMP/CONF.05); the DUI keeps it, marked ``deleted``.
* Opposition (SC.DMP/CONF.09): the person's opposition to feeding the DMP is recorded (with its date)
  and, while it stands, no document of the person is sent: each stays ``blocked``.

Defect switches: ``dmp_delete_locally_only`` (the document is only marked deleted in the DUI, the
DMP is never told), ``dmp_ignore_opposition`` (the opposition is recorded but not enforced),
``dmp_td03_before_feeding`` (a TD0.3 authorisation request before each ITI-41).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from reference_dui.app import ApiError
from reference_dui.dmp.store import DmpDocument
from reference_dui.dmp.xds import td03, update_status
from reference_dui.identity import InvalidInput

if TYPE_CHECKING:
    from reference_dui.dmp.cda import Patient
    from reference_dui.dmp.service import DmpService

__all__ = ["before_feeding", "delete", "set_opposition"]

APPROVED = "urn:oasis:names:tc:ebxml-regrep:StatusType:Approved"
DELETED = "urn:asip:ci-sis:2010:StatusType:Deleted"


def delete(service: DmpService, person_id: str, document_id: str) -> dict[str, Any]:
    """Delete a published document from the DMP (ITI-57 to Deleted); the DUI keeps it marked deleted."""
    doc = service._owned(person_id, document_id)
    if doc.status != "published":
        raise ApiError(409, f"document {document_id} is {doc.status}: only a published document is deleted")
    if "dmp_delete_locally_only" not in service.defects:
        patient = service._patient(person_id)
        body = update_status(service._request(doc, patient), doc.entry_uuid or "", APPROVED, DELETED, service.defects)
        reply = service._call("ITI-57", patient, body)
        if not reply.ok:
            why = reply.unavailable or reply.fault or "; ".join(f"{e['code']}: {e['context']}" for e in reply.errors)
            return {**doc.to_json(), "outcome": "error", "message": why}
    doc.status, doc.message = "deleted", "supprimé du DMP / deleted from the DMP"
    service._documents().save(doc)
    return {**doc.to_json(), "outcome": "deleted"}


def set_opposition(service: DmpService, person_id: str, data: Any) -> dict[str, Any]:
    """Record (``opposed`` true) or withdraw the person's opposition to feeding the DMP."""
    if not isinstance(data, dict) or not isinstance(data.get("opposed"), bool):
        raise InvalidInput("the body must be {opposed: bool}")
    service._patient(person_id)  # a known person with a qualified identity
    service._documents().set_opposition(person_id, data["opposed"])
    return {"person_id": person_id, "opposed": data["opposed"]}


def before_feeding(service: DmpService, doc: DmpDocument, patient: Patient) -> bool:
    """True when the document must not be sent: the person opposed feeding (it stays ``blocked``)."""
    if service._documents().opposed(doc.person_id) and "dmp_ignore_opposition" not in service.defects:
        doc.status, doc.message = "blocked", "opposition de l'usager à l'alimentation du DMP : document non versé"
        service._documents().save(doc)
        return True
    if "dmp_td03_before_feeding" in service.defects:  # an authorisation asked where none is needed
        service._call("TD0.3", patient, td03(service._cx(patient)))
    return False
