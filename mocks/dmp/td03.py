"""TD0.3 — add the professional's authorisation to access a patient's DMP: offered, and its use flagged.

**Modelled on an assumption**, like TD0.2 (:mod:`mocks.dmp.td02`): the DMP integration guide is not
public; the public fact is that TD0.3 adds an access authorisation after TD0.2 (french-specs.md
§2.4) and that a DUI must not ask it to feed or delete documents (``SC.DMP/CONF.05``). Wire format
(this project's own): SOAP 1.2, ``wsa:Action`` :data:`ACTION`, VIHF as for every call, body
``<td03:td03AddAuthorizationRequest xmlns:td03="urn:dui-harness:dmp:td03:1"><td03:patientId>INS^^^&amp;OID&amp;ISO^NH
</td03:patientId></td03:td03AddAuthorizationRequest>``; answer ``td03AddAuthorizationResponse`` with
``resultat`` = ``AUTORISATION_AJOUTEE``.

The simulator answers it without changing the patient's TD0.2 status (the scenario's: granted when
VALIDE, ``REFUSEE_<status>`` otherwise; the effect of an added authorisation is not modelled) and tags
the exchange ``td03=used``: the DMP suite judges DMP-TD03-01 on the
feeding and deletion scenarios (no TD0.3 there), a consultation may use it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lxml import etree

from harness.validators.xds.formats import parse_cx
from mocks.dmp.context import DmpAnswer, DmpRequest
from mocks.dmp.faults import sender_fault, soap_envelope
from mocks.dmp.mtom import package

if TYPE_CHECKING:
    from mocks.dmp.app import DmpSimulator

__all__ = ["ACTION", "NAMESPACE", "handle"]

NAMESPACE = "urn:dui-harness:dmp:td03:1"
ACTION = "urn:dui-harness:dmp:td03AddAuthorization"
RESPONSE_ACTION = "urn:dui-harness:dmp:td03AddAuthorizationResponse"


def handle(sim: DmpSimulator, request: DmpRequest) -> DmpAnswer:
    body = request.envelope.body_child
    patient = (body.findtext(f"{{{NAMESPACE}}}patientId") or "").strip()
    cx, problems = parse_cx(patient)
    if body.tag != f"{{{NAMESPACE}}}td03AddAuthorizationRequest" or cx is None or problems:
        text = (
            f"Requête TD0.3 invalide / invalid TD0.3 request: expected {{{NAMESPACE}}}td03AddAuthorizationRequest "
            f"with a td03:patientId INS^^^&OID&ISO^NH, got {body.tag} {patient!r}"
        )
        return DmpAnswer(
            400,
            sender_fault("dmp_td03_request", text),
            "application/soap+xml; charset=utf-8",
            summary={"error": text},
            tags={"td03": "used"},
        )
    status, _ = sim.patient_status(cx.id, cx.oid)
    result = "AUTORISATION_AJOUTEE" if status == "VALIDE" else f"REFUSEE_{status}"
    response = etree.Element(f"{{{NAMESPACE}}}td03AddAuthorizationResponse", nsmap={"td03": NAMESPACE})
    etree.SubElement(response, f"{{{NAMESPACE}}}resultat").text = result
    data, ctype = package(
        soap_envelope(RESPONSE_ACTION, response, request.message_id), RESPONSE_ACTION, mtom=request.message.mtom
    )
    return DmpAnswer(
        200,
        data,
        ctype,
        summary={"patient_id": patient, "resultat": result},
        tags={"patient_id": patient, "ins": cx.id, "td03": "used"},
    )
