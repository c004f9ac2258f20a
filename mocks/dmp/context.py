"""What every DMP transaction handler receives and returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from harness.core.findings import Finding
from harness.validators.soap12 import Envelope
from harness.validators.xds.mime import SoapMessage
from harness.validators.xds.vihf import VihfReport
from mocks.common.pipeline import Answer
from mocks.common.soap import WSA_NS
from mocks.dmp.faults import XdsError, registry_response, soap_envelope
from mocks.dmp.mtom import package

__all__ = ["DmpAnswer", "DmpRequest", "registry_answer"]


@dataclass
class DmpRequest:
    """One SOAP request received by the DMP simulator, split, parsed and authenticated."""

    body: bytes
    content_type: str
    message: SoapMessage
    envelope: Envelope
    action: str
    vihf: VihfReport
    tls_subject: str | None = None
    security_findings: list[Finding] = field(default_factory=list)
    #: what the call's PSC access token says (SC.DMP/PSC.01, :mod:`mocks.dmp.psc_context`), None without one
    psc: dict[str, Any] | None = None

    @property
    def message_id(self) -> str | None:
        header = self.envelope.header
        found = header.findtext(f"{{{WSA_NS}}}MessageID") if header is not None else None
        return found.strip() if found else None

    @property
    def structure(self) -> str:
        """Identifiant_Structure of the VIHF (the requesting organisation)."""
        return self.vihf.structure


class DmpAnswer(Answer):
    """The HTTP answer and what the exchange records about it (status, body, content type, summary, tags,
    findings: :class:`mocks.common.pipeline.Answer`)."""


def registry_answer(request: DmpRequest, action: str, errors: list[XdsError], **summary: Any) -> DmpAnswer:
    """A ``rs:RegistryResponse`` answer (Success without errors, else Failure), packaged like the request."""
    body, ctype = package(
        soap_envelope(action, registry_response(errors), request.message_id), action, mtom=request.message.mtom
    )
    outcome = "Failure" if any(e.severity == "error" for e in errors) else "Success"
    summary.update(
        status=outcome, errors=[{"code": e.code, "context": e.context, "location": e.location} for e in errors]
    )
    return DmpAnswer(200, body, ctype, summary=summary)
