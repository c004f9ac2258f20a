"""## Requirements
DMP-PUB-01 (DLU of an EHPAD resident), DMP-PUB-02 (PPA 80788-3), DMP-PUB-03 (unstructured PDF),
DMP-PUB-04 (no feeding without a qualified identity), DMP-ERR-01 (DMP errors reported, nothing
lost).

## Dependencies
INSi simulator (the persons are qualified first: identity document checked, INSi 00); DMP
simulator; for DMP-ERR-01 the simulator answers the ITI-41 with a ``RegistryResponse`` Failure
(``XDSUnknownPatientId``).

## Methodology
The DUI is asked to publish each kind of document; the ITI-41 request must reach the DMP, carry
the expected type and format, and be accepted (``Success``, the document then registered and
retrievable), and the DUI must report it published. A person whose identity is not qualified
gets no DMP call at all. A refused submission must be reported as not published, with the
error, and the document kept.
"""

from __future__ import annotations

from typing import Any

import pytest

from harness.core.findings import Finding
from harness.errors import HarnessCheckError
from harness.plugin.evidence import Scenario
from harness.suites.dmp.checks import expect, require, require_accepted, status_of
from mocks.common.simulator import Simulator
from mocks.dmp import DmpSimulator

#: scenario -> (requirement, typeCode); the formatCode is judged by DMP-CON-03
EXPECTED = {
    "dlu_published": ("DMP-PUB-01", "74207-2"),
    "ppa_published": ("DMP-PUB-02", "80788-3"),
    "n1_published": ("DMP-PUB-03", None),
}


def _entries(exchanges: list[Any]) -> list[dict[str, Any]]:
    return [entry for e in exchanges for entry in e.summary.get("entries") or []]


def _published(scenario: Scenario, dmp: Simulator, requirement: str, type_code: str | None) -> None:
    exchanges = require(scenario, "ITI-41", requirement)
    findings = []
    entries = _entries(exchanges)
    for entry in entries:
        codes = entry.get("codes") or {}
        if type_code and type_code not in (codes.get("typeCode") or []):
            findings.append(
                Finding(
                    "dmp.pub.type_code",
                    requirement,
                    f"the document is sent with typeCode {codes.get('typeCode')}, not {type_code}",
                    location="ITI-41 DocumentEntry",
                )
            )
    expect(f"{scenario.name}: document sent", findings)
    require_accepted(scenario, exchanges)
    registered = [r["unique_id"] for e in exchanges for r in e.summary.get("registered") or []]
    if not isinstance(dmp, DmpSimulator):
        raise HarnessCheckError("the DMP simulator of the run is not a DmpSimulator")
    stored = [u for u in registered if dmp.registry.document(u) is not None]
    publication = scenario.data["publication"]
    if not stored:
        findings.append(
            Finding(
                "dmp.pub.not_registered",
                requirement,
                "no document of the scenario is registered in the DMP",
                location="DMP registry",
            )
        )
    if status_of(publication) != "published":
        findings.append(
            Finding(
                "dmp.pub.status",
                requirement,
                f"the DMP accepted the document but the DUI reports status {status_of(publication)!r}, not 'published'",
                location=f"trigger API POST /persons/{scenario.person_id}/dmp/documents → status",
            )
        )
    expect(f"{scenario.name}: published", findings)


@pytest.mark.parametrize(
    "scenario",
    [pytest.param(name, marks=pytest.mark.requirement(req), id=name) for name, (req, _) in EXPECTED.items()],
    indirect=True,
)
def test_document_is_published(scenario: Scenario, request: pytest.FixtureRequest, dmp: Simulator) -> None:
    """The DUI sends the document with its type and format, the DMP registers it, the DUI says so."""
    requirement, type_code = EXPECTED[request.node.callspec.id]
    _published(scenario, dmp, requirement, type_code)


@pytest.mark.requirement("DMP-PUB-04")
def test_no_feeding_without_a_qualified_identity(unqualified: Scenario) -> None:
    """A person without a qualified identity: the DUI refuses, nothing reaches the DMP."""
    findings = [
        Finding(
            "dmp.pub.unqualified",
            "DMP-PUB-04",
            f"the DUI sent {e.transaction} to the DMP for a person "
            f"whose identity is {unqualified.data['identity'].get('status')}",
            location=f"exchange {e.id}",
        )
        for e in unqualified.exchanges  # no DMP call at all (TD0.2, ITI-41...) for an unqualified identity
    ]
    if status_of(unqualified.data["publication"]) == "published":
        findings.append(
            Finding(
                "dmp.pub.unqualified_status",
                "DMP-PUB-04",
                "the DUI reports the document of an unqualified identity as published",
                location="trigger API publishDmpDocument",
            )
        )
    expect("Identité non qualifiée / unqualified identity", findings)


@pytest.mark.requirement("DMP-ERR-01")
def test_dmp_errors_are_reported_and_the_document_kept(dmp_error: Scenario) -> None:
    """A RegistryResponse Failure is reported as not published, with its error; the document is kept."""
    require(dmp_error, "ITI-41", "DMP-ERR-01")
    publication = dmp_error.data["publication"]
    where = f"trigger API POST /persons/{dmp_error.person_id}/dmp/documents"
    findings = []
    if status_of(publication) == "published":
        findings.append(
            Finding(
                "dmp.err.reported_published",
                "DMP-ERR-01",
                "the DMP answered XDSUnknownPatientId (Failure) but the DUI reports the document as published",
                location=f"{where} → status",
            )
        )
    elif not (publication.get("errors") or publication.get("message")):
        findings.append(
            Finding(
                "dmp.err.silent",
                "DMP-ERR-01",
                "the DUI reports the failure without the DMP's error",
                location=f"{where} → errors / message",
            )
        )
    kept = [d for d in dmp_error.data["documents"] if d.get("document_id") == publication.get("document_id")]
    if not kept:
        findings.append(
            Finding(
                "dmp.err.lost",
                "DMP-ERR-01",
                "the refused document is no longer in the DUI",
                location=f"trigger API GET /persons/{dmp_error.person_id}/dmp/documents",
            )
        )
    expect("Erreur du DMP / DMP error", findings)
