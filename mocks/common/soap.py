"""Generic SOAP 1.2 helpers for the simulators: read an envelope safely, write a fault.

Reading (:func:`parse_envelope`, :class:`Envelope`, :class:`SoapError`) lives in
:mod:`harness.validators.soap12`, so that the pure validators share it; it is re-exported
here. :func:`soap_fault` writes a fault the way INSi does.

Reference: SOAP Version 1.2 Part 1 (W3C Recommendation), §5.4 (fault: Code/Value, Subcode,
Reason/Text, Detail); Part 2 §7.1.4 (media type).
"""

from __future__ import annotations

from typing import Literal

from lxml import etree

from harness.validators.soap12 import (
    SOAP11_NS,
    SOAP12_MEDIA_TYPE,
    SOAP12_NS,
    WSA_NS,
    Envelope,
    SoapError,
    content_type_action,
    parse_envelope,
)

__all__ = [
    "SOAP11_NS",
    "SOAP12_CONTENT_TYPE",
    "SOAP12_MEDIA_TYPE",
    "SOAP12_NS",
    "WSA_NS",
    "Envelope",
    "SoapError",
    "content_type_action",
    "parse_envelope",
    "soap_fault",
]

XML_NS = "http://www.w3.org/XML/1998/namespace"
SOAP12_CONTENT_TYPE = "application/soap+xml; charset=utf-8"


def soap_fault(
    code: Literal["Sender", "Receiver"],
    subcode: str,
    reason_fr: str,
    detail: etree._Element | None = None,
) -> bytes:
    """A SOAP 1.2 fault envelope (SOAP 1.2 Part 1 §5.4), shaped like the INSi ones.

    Args:
        code: ``Sender`` (the request is at fault) or ``Receiver`` (the service is).
        subcode: the Subcode value; without a prefix it is written ``soap:<subcode>`` as
            INSi does (``soap:siram_100``).
        reason_fr: the Reason text, ``xml:lang="fr"``.
        detail: one element placed in ``soap:Detail`` (e.g. ``siram:Erreur``), or None.
    """
    if code not in ("Sender", "Receiver"):
        raise ValueError(f"SOAP 1.2 fault code must be Sender or Receiver, not {code!r}")
    s = f"{{{SOAP12_NS}}}"
    envelope = etree.Element(f"{s}Envelope", nsmap={"soap": SOAP12_NS})
    body = etree.SubElement(envelope, f"{s}Body")
    fault = etree.SubElement(body, f"{s}Fault")
    code_el = etree.SubElement(fault, f"{s}Code")
    etree.SubElement(code_el, f"{s}Value").text = f"soap:{code}"
    if subcode:
        sub = etree.SubElement(code_el, f"{s}Subcode")
        etree.SubElement(sub, f"{s}Value").text = subcode if ":" in subcode else f"soap:{subcode}"
    reason = etree.SubElement(fault, f"{s}Reason")
    text = etree.SubElement(reason, f"{s}Text")
    text.set(f"{{{XML_NS}}}lang", "fr")
    text.text = reason_fr
    if detail is not None:
        etree.SubElement(fault, f"{s}Detail").append(detail)
    data: bytes = etree.tostring(envelope, xml_declaration=True, encoding="UTF-8")
    return data
