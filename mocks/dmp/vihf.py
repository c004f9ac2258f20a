"""The DMP security context: mutual TLS (authentication indirecte) and the VIHF.

The transport: over TLS the DUI must present a client certificate chaining to the test CA
(IGC-Santé organisation certificate in real life; the server asks for one, CERT_OPTIONAL, so
that a DUI without one gets a precise fault, ``DMP-SEC-01``). Over plain HTTP (``--dui-no-tls``)
the check is a warning. The VIHF itself is checked by :func:`harness.validators.xds.vihf.check_vihf`
against the same CA (its signing certificate: the PKI's ``signing-vihf`` profile).
"""

from __future__ import annotations

from pathlib import Path

from harness.core.findings import Finding, Severity
from harness.core.rules import rule
from harness.validators.soap12 import Envelope
from harness.validators.xds.vihf import VihfReport, check_vihf

__all__ = ["check_security"]


@rule("dmp.tls", requirement="DMP-SEC-01", summary="mutual TLS with an IGC-Santé client certificate")
def check_security(
    envelope: Envelope, *, over_tls: bool, client_subject: str | None, trust_ca: Path | None
) -> tuple[VihfReport, list[Finding]]:
    """The VIHF report and every security finding (transport and VIHF) of one request."""
    findings: list[Finding] = []
    if over_tls and not client_subject:
        findings.append(
            Finding(
                "dmp.tls.no_client_cert",
                "DMP-SEC-01",
                "no client certificate was presented: the "
                "DMP (authentification indirecte) requires mutual TLS with the organisation's "
                "IGC-Santé certificate",
                Severity.ERROR,
                "TLS handshake",
            )
        )
    elif not over_tls:
        findings.append(
            Finding(
                "dmp.tls.plain_http",
                "DMP-SEC-01",
                "plain HTTP: mutual TLS is not checked in this run (simulators started without TLS)",
                Severity.WARNING,
                "transport",
            )
        )
    report = check_vihf(envelope.header, trust_ca=trust_ca)
    findings += report.findings
    return report, findings
