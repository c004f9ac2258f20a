"""TD0.2 — does this patient's DMP exist, and may this organisation access it?

**Modelled on an assumption.** The DMP integration guide (SEL-MP-037) that defines TD0.2 is
not public (french-specs.md §2.4 [NF]); the public facts are the answer's values:
``autorisation`` ∈ VALIDE, EXPIRE, INTERDIT (with a ``raison``), NON_EXISTE, and a
``compteInternetOuvert`` flag. The wire format below is this project's own, kept behind
:class:`Td02Protocol` so that another one can be plugged in (``DmpSimulator(td02=...)``):

* SOAP 1.2 request, ``wsa:Action`` :data:`ACTION`, VIHF in ``wsse:Security`` as for every DMP
  call, body ``<td02:td02ExistRequest xmlns:td02="urn:dui-harness:dmp:td02:1">
  <td02:patientId>INS^^^&amp;OID&amp;ISO^NH</td02:patientId></td02:td02ExistRequest>``;
* response body ``<td02:td02ExistResponse>`` with ``autorisation``, ``raison`` (optional) and
  ``compteInternetOuvert`` (``true``/``false``).

The status of an INS is the one set through the control API (``PATCH /_harness/state
{"patients": {"<INS>": "EXPIRE"}}``), else the simulator's ``default_status`` (VALIDE).
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

__all__ = ["ACTION", "NAMESPACE", "STATUSES", "Td02Protocol", "handle"]

NAMESPACE = "urn:dui-harness:dmp:td02:1"
ACTION = "urn:dui-harness:dmp:td02Exist"
RESPONSE_ACTION = "urn:dui-harness:dmp:td02ExistResponse"
STATUSES = ("VALIDE", "EXPIRE", "INTERDIT", "NON_EXISTE")


class Td02Protocol:
    """The TD0.2 wire format (this project's assumption); subclass to plug another one in."""

    action = ACTION
    response_action = RESPONSE_ACTION

    def read(self, body: etree._Element) -> str:
        """The patientId (CX) asked about; ``ValueError`` saying what is wrong."""
        if body.tag != f"{{{NAMESPACE}}}td02ExistRequest":
            raise ValueError(f"the SOAP Body holds {body.tag}, not {{{NAMESPACE}}}td02ExistRequest")
        patient = (body.findtext(f"{{{NAMESPACE}}}patientId") or "").strip()
        cx, problems = parse_cx(patient)
        if cx is None or problems:
            raise ValueError(f"td02:patientId {patient!r} is not an INS <INS>^^^&<OID>&ISO^NH: {'; '.join(problems)}")
        return patient

    def write(self, status: str, reason: str | None, internet_account: bool) -> etree._Element:
        response = etree.Element(f"{{{NAMESPACE}}}td02ExistResponse", nsmap={"td02": NAMESPACE})
        etree.SubElement(response, f"{{{NAMESPACE}}}autorisation").text = status
        if reason:
            etree.SubElement(response, f"{{{NAMESPACE}}}raison").text = reason
        etree.SubElement(response, f"{{{NAMESPACE}}}compteInternetOuvert").text = (
            "true" if internet_account and status != "NON_EXISTE" else "false"
        )
        return response


def handle(sim: DmpSimulator, request: DmpRequest) -> DmpAnswer:
    protocol = sim.td02
    try:
        patient = protocol.read(request.envelope.body_child)
    except ValueError as exc:
        return DmpAnswer(
            400,
            sender_fault("dmp_td02_request", f"Requête TD0.2 invalide / invalid TD0.2 request: {exc}"),
            "application/soap+xml; charset=utf-8",
            summary={"error": str(exc)},
        )
    cx, _ = parse_cx(patient)
    assert cx is not None
    status, reason = sim.patient_status(cx.id, cx.oid)
    body, ctype = package(
        soap_envelope(protocol.response_action, protocol.write(status, reason, True), request.message_id),
        protocol.response_action,
        mtom=request.message.mtom,
    )
    return DmpAnswer(
        200,
        body,
        ctype,
        summary={"patient_id": patient, "autorisation": status, "raison": reason},
        tags={"patient_id": patient, "ins": cx.id, "autorisation": status},
    )
