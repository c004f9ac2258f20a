"""Errors of the DMP simulator: XDS ``rs:RegistryResponse`` error lists and SOAP 1.2 faults.

An :class:`XdsError` is one ``rs:RegistryError`` (IHE ITI TF-3 §4.2.4 error codes:
``XDSRegistryMetadataError``, ``XDSPatientIdDoesNotMatch``, ``XDSDuplicateUniqueIdInRegistry``,
``XDSMissingDocument``, ``XDSRepositoryError``, ``XDSUnknownPatientId``…), whose
``codeContext`` says what is wrong and whose ``location`` says where (an XPath). Malformed or
hostile messages (not SOAP, broken MTOM, no VIHF) get a SOAP fault instead: nothing can be
registered from them.

The DMP's own error catalogue is not public (french-specs.md §2.4 [NF]): the codes are IHE's;
the French wording and the mapping of TD0.2 statuses to errors are this simulator's.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from lxml import etree

from harness.core.findings import Finding, Severity
from mocks.common.soap import SOAP12_NS, WSA_NS, soap_fault

__all__ = [
    "FAULT_KINDS",
    "RS",
    "XdsError",
    "errors_from_findings",
    "registry_response",
    "security_fault",
    "sender_fault",
    "soap_envelope",
]

RS = "urn:oasis:names:tc:ebxml-regrep:xsd:rs:3.0"
STATUS = "urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:"
SEVERITY_ERROR = "urn:oasis:names:tc:ebxml-regrep:ErrorSeverityType:Error"
SEVERITY_WARNING = "urn:oasis:names:tc:ebxml-regrep:ErrorSeverityType:Warning"
WSSE_NS = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
#: fault kinds of the control API, besides http_status and delay
FAULT_KINDS = ("soap_fault", "registry_error")

#: rule of a finding -> the XDS error code it is answered with (default XDSRegistryMetadataError)
ERROR_CODES = {
    "xds.patient_id.mismatch": "XDSPatientIdDoesNotMatch",
    "xds.patient.mismatch": "XDSPatientIdDoesNotMatch",
    "xds.hash": "XDSRepositoryMetadataError",
    "xds.size": "XDSRepositoryMetadataError",
    "xds.structure.document_missing": "XDSMissingDocument",
    "xds.structure.document_orphan": "XDSMissingDocumentMetadata",
    "xds.document.content": "XDSRepositoryError",
    "xds.patient_id.ins": "XDSUnknownPatientId",
    "xds.document.cda": "XDSRepositoryMetadataError",
    "xds.transport.mtom": "XDSRepositoryError",
}


@dataclass(frozen=True)
class XdsError:
    """One ``rs:RegistryError``."""

    code: str
    context: str
    location: str = ""
    severity: Literal["error", "warning"] = "error"


def errors_from_findings(findings: Iterable[Finding], limit: int = 50) -> list[XdsError]:
    """The ERROR findings as XDS errors (code by rule, message with its requirement)."""
    errors = []
    for finding in findings:
        if finding.severity is not Severity.ERROR:
            continue
        code = ERROR_CODES.get(finding.rule, "XDSRegistryMetadataError")
        errors.append(XdsError(code, f"[{finding.requirement}] {finding.rule}: {finding.message}", finding.location))
        if len(errors) >= limit:
            break
    return errors


def soap_envelope(action: str, body: etree._Element, relates_to: str | None = None) -> bytes:
    """A SOAP 1.2 response envelope with WS-Addressing Action (and RelatesTo)."""
    envelope = etree.Element(f"{{{SOAP12_NS}}}Envelope", nsmap={"soap": SOAP12_NS, "wsa": WSA_NS})
    header = etree.SubElement(envelope, f"{{{SOAP12_NS}}}Header")
    etree.SubElement(header, f"{{{WSA_NS}}}Action").text = action
    if relates_to:
        etree.SubElement(header, f"{{{WSA_NS}}}RelatesTo").text = relates_to
    etree.SubElement(envelope, f"{{{SOAP12_NS}}}Body").append(body)
    data: bytes = etree.tostring(envelope, xml_declaration=True, encoding="UTF-8")
    return data


def registry_response(errors: Sequence[XdsError] = (), *, partial: bool = False) -> etree._Element:
    """``rs:RegistryResponse`` Success, Failure (any error) or PartialSuccess."""
    has_error = any(e.severity == "error" for e in errors)
    status = "PartialSuccess" if partial and has_error else ("Failure" if has_error else "Success")
    response = etree.Element(f"{{{RS}}}RegistryResponse", nsmap={"rs": RS}, status=STATUS + status)
    if errors:
        error_list = etree.SubElement(response, f"{{{RS}}}RegistryErrorList")
        if has_error:
            error_list.set("highestSeverity", SEVERITY_ERROR)
        for error in errors:
            item = etree.SubElement(
                error_list,
                f"{{{RS}}}RegistryError",
                errorCode=error.code,
                codeContext=error.context,
                severity=SEVERITY_ERROR if error.severity == "error" else SEVERITY_WARNING,
            )
            if error.location:
                item.set("location", error.location)
    return response


def sender_fault(subcode: str, reason: str) -> bytes:
    """A SOAP 1.2 Sender fault (HTTP 400): the message itself is unusable."""
    return soap_fault("Sender", subcode, reason, detail=_detail(subcode, reason))


def security_fault(subcode: str, reason: str) -> bytes:
    """A WS-Security fault (``wsse:InvalidSecurity`` / ``wsse:FailedCheck`` / ``wsse:FailedAuthentication``)."""
    envelope = soap_fault("Sender", f"wsse:{subcode}", reason)
    return envelope.replace(b'xmlns:soap="', f'xmlns:wsse="{WSSE_NS}" xmlns:soap="'.encode(), 1)


def _detail(code: str, message: str) -> etree._Element:
    detail = etree.Element("{urn:dui-harness:dmp}Erreur", nsmap={"dmp": "urn:dui-harness:dmp"})
    etree.SubElement(detail, "{urn:dui-harness:dmp}code").text = code
    etree.SubElement(detail, "{urn:dui-harness:dmp}message").text = message
    etree.SubElement(detail, "{urn:dui-harness:dmp}id").text = str(uuid.uuid4())
    return detail
