"""TD0.3 — add the professional's authorisation to access a patient's DMP: offered, and its use flagged.

**Modelled on an assumption**, like TD0.2 (:mod:`mocks.dmp.td02`): the DMP integration guide is not
public; the public fact is that TD0.3 adds an access authorisation after TD0.2 (french-specs.md
§2.4) and that a DUI must not ask it to feed or delete documents (``SC.DMP/CONF.05``). Wire format
(this project's own): SOAP 1.2, ``wsa:Action`` :data:`ACTION`, VIHF as for every call, body
``<td03:td03AddAuthorizationRequest xmlns:td03="urn:dui-harness:dmp:td03:1"><td03:patientId>INS^^^&amp;OID&amp;ISO^NH
</td03:patientId></td03:td03AddAuthorizationRequest>``; answer ``td03AddAuthorizationResponse`` with
``resultat`` = ``AUTORISATION_AJOUTEE``.

The simulator answers it without changing the patient's TD0.2 status (the scenario's: granted when
VALIDE, ``REFUSEE_<status>`` otherwise) and tags the exchange ``td03=used``: the DMP suite judges
DMP-TD03-01 on the feeding and deletion scenarios (no TD0.3 there), a consultation may use it.

**The authorisation positioned (SC.DMP/UX.50).** For an INS the scenario lists in the state's
``td03_grants`` (``PATCH /_harness/state {"td03_grants": ["<INS>"]}``), a TD0.3 while TD0.2 says
the professional has no authorisation (NON_EXISTE: none positioned; EXPIRE: no longer valid) *adds*
it: the answer is ``AUTORISATION_AJOUTEE``, the INS's status becomes VALIDE (so TD0.2 then answers
VALIDE) and the exchange is tagged ``authorisation=added`` with the VIHF's professional in its
summary (``granted_to``). INTERDIT (the patient barred this professional) is never lifted. The
effect on other professionals is not modelled (one VIHF subject per run).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lxml import etree

from harness.core.ins import INS_OIDS
from harness.validators.xds.formats import check_cx, parse_cx
from mocks.dmp.context import DmpAnswer, DmpRequest
from mocks.dmp.faults import sender_fault, soap_envelope
from mocks.dmp.mtom import package

if TYPE_CHECKING:
    from mocks.dmp.app import DmpSimulator

__all__ = ["ACTION", "GRANTABLE", "NAMESPACE", "handle"]

NAMESPACE = "urn:dui-harness:dmp:td03:1"
ACTION = "urn:dui-harness:dmp:td03AddAuthorization"
RESPONSE_ACTION = "urn:dui-harness:dmp:td03AddAuthorizationResponse"
#: TD0.2 statuses a TD0.3 turns into VALIDE for an INS of ``td03_grants`` (no authorisation positioned)
GRANTABLE = ("NON_EXISTE", "EXPIRE")


def handle(sim: DmpSimulator, request: DmpRequest) -> DmpAnswer:
    body = request.envelope.body_child
    patient = (body.findtext(f"{{{NAMESPACE}}}patientId") or "").strip()
    cx, problems = parse_cx(patient)
    problems = problems or check_cx(patient, allowed_types=("", "NH"))  # the NH suffix optional, nothing else
    if body.tag != f"{{{NAMESPACE}}}td03AddAuthorizationRequest" or cx is None or problems:
        text = (
            f"Requête TD0.3 invalide / invalid TD0.3 request: expected {{{NAMESPACE}}}td03AddAuthorizationRequest "
            f"with a td03:patientId INS^^^&OID&ISO^NH, got {body.tag} {patient[:200]!r}"
        )
        return DmpAnswer(
            400,
            sender_fault("dmp_td03_request", text),
            "application/soap+xml; charset=utf-8",
            summary={"error": text},
            tags={"td03": "used"},
        )
    status, _ = sim.patient_status(cx.id, cx.oid)
    added = status in GRANTABLE and cx.oid in INS_OIDS and cx.id in sim.td03_grants
    if added:  # the professional's individual authorisation positioned (SC.DMP/UX.50)
        sim.registry.set_patient(cx.id, "VALIDE", None)
    result = "AUTORISATION_AJOUTEE" if status == "VALIDE" or added else f"REFUSEE_{status}"
    summary = {"patient_id": patient, "resultat": result, "td02_before": status}
    tags = {"patient_id": patient, "ins": cx.id, "td03": "used"}
    if added:
        summary["granted_to"] = request.vihf.subject
        tags["authorisation"] = "added"
    response = etree.Element(f"{{{NAMESPACE}}}td03AddAuthorizationResponse", nsmap={"td03": NAMESPACE})
    etree.SubElement(response, f"{{{NAMESPACE}}}resultat").text = result
    data, ctype = package(
        soap_envelope(RESPONSE_ACTION, response, request.message_id), RESPONSE_ACTION, mtom=request.message.mtom
    )
    return DmpAnswer(
        200,
        data,
        ctype,
        summary=summary,
        tags=tags,
    )
