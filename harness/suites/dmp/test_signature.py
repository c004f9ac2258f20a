"""## Requirements
DMP-SIGN-01 (the submission set signed: an IHE DSG XAdES signature document in every ITI-41 of the
DMPi alimentation, TD2.1).

## Dependencies
DMP simulator over mutual TLS with the test PKI (its CA is the trusted IGC Santé); the publication
scenarios of the DMP suite (a DLU, a PPA, an N1 PDF and a new version of a DLU): no set-up of its own.

## Methodology
Every ITI-41 request of those scenarios, as it crossed the wire, is read again and its signature
document checked with :func:`harness.validators.xds.dsg.check_signature` (signxml's XAdES verifier):
the signature entry and its codes (Digital Signature, E1762, xmldsig#), its HasMember and ``signs``
associations, the XML-DSig/XAdES signature value, the signer's certificate chaining to the test CA,
and a ``ds:Reference URI="urn:oid:<uniqueId>"`` with the right digest in the signed ``ds:Manifest``
for every document of the submission. Without a PKI (simulators without TLS) the findings are
warnings: the signature is then verified with the certificate it carries. The guide « Service DMP
intégré aux LPS » is not public: the shape judged is IHE DSG's and the public ANS DRIMbox sample's
(README, "Simulated DMP").
"""

from __future__ import annotations

import pytest

from harness.core.findings import Finding
from harness.plugin.evidence import Scenario
from harness.suites.dmp.checks import expect, submissions
from harness.validators.cda.pack import CdaPack
from harness.validators.xds.dsg import REQUIREMENT, check_signature
from mocks.common.simulator import Simulator
from mocks.dmp import DmpSimulator

PUBLICATIONS = ["dlu_published", "ppa_published", "n1_published", "replaced"]


@pytest.mark.requirement(REQUIREMENT)
@pytest.mark.parametrize("scenario", PUBLICATIONS, indirect=True)
def test_submission_set_signed(scenario: Scenario, dmp: Simulator, cda_pack: CdaPack | None) -> None:
    """Each ITI-41 carries a XAdES signature of the submission set, by a trusted certificate, whose
    Manifest gives the right digest of every document sent."""
    trust_ca = dmp.trust_ca if isinstance(dmp, DmpSimulator) else None
    found = []
    for exchange, report in submissions(scenario, REQUIREMENT, cda_pack):
        if report.submission is None:
            continue  # unreadable ITI-41: DMP-XDS-01 judges it
        found += [
            Finding(f.rule, f.requirement, f.message, f.severity, f.location, (f"exchange {exchange.id}",))
            for f in check_signature(report.submission, report.documents, trust_ca=trust_ca)
            if f.severity.value == "error"
        ]
    expect(f"{scenario.name}: submission set not signed, or its signature wrong", found)
