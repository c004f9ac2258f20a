"""The documents a scenario of the outgoing-documents suite made the DUI send: found, or why not (judged)."""

from __future__ import annotations

from harness.core.findings import Blocked, Finding
from harness.core.recorder import Exchange
from harness.plugin.evidence import Scenario
from harness.suites.dmp.checks import expect, require, submissions
from harness.validators.cda import CdaReport
from harness.validators.cda.pack import CdaPack
from harness.validators.xds import XdsReport

__all__ = ["FLUDT_TEMPLATE", "REQ_FLUDT", "fludt_documents", "produced"]

REQ_FLUDT = "CDA-FLUDT-01"
FLUDT_TEMPLATE = "1.2.250.1.213.1.1.1.23"
CDA = {"cda": "urn:hl7-org:v3"}


def produced(scenario: Scenario, requirement: str, pack: CdaPack | None) -> list[tuple[Exchange, XdsReport]]:
    """The scenario's ITI-41 requests with their reports. A DUI that refused to produce the document fails
    ``requirement`` (the trigger API refusal is the evidence); no ITI-41: :func:`~harness.suites.dmp.checks.require`."""
    refused = scenario.data.get("publication", {}).get("refused_by_dui")
    if refused:
        expect(
            f"{scenario.name}: the DUI did not produce the document",
            [
                Finding(
                    "doc.produce.refused",
                    requirement,
                    f"the DUI refused to produce the document: {refused}",
                    location="trigger API publishDmpDocument",
                )
            ],
        )
    require(scenario, "ITI-41", requirement)
    return submissions(scenario, requirement, pack)


def _is_fludt(cda: CdaReport) -> bool:
    if cda.root is None:
        return False
    found = cda.root.xpath("cda:templateId/@root", namespaces=CDA)
    return isinstance(found, list) and FLUDT_TEMPLATE in [str(v) for v in found]


def fludt_documents(
    scenario: Scenario, requirement: str, pack: CdaPack | None
) -> list[tuple[Exchange, str, CdaReport]]:
    """The FLUDT documents the DUI sent: ``(exchange, entry id, report)``.

    For CDA-FLUDT-01 a DUI that produced none fails; for the other requirements judged on the FLUDT
    (header, INS, recipients, schemas) the test is *blocked* by CDA-FLUDT-01 then, not failed twice.
    """
    if requirement != REQ_FLUDT and (
        scenario.data.get("publication", {}).get("refused_by_dui")
        or not any(e.transaction == "ITI-41" for e in scenario.exchanges)
    ):
        raise Blocked(f"{scenario.name}: the DUI produced no FLUDT, nothing to judge", (REQ_FLUDT,))
    pairs = produced(scenario, requirement, pack)
    found = [(e, entry, cda) for e, report in pairs for entry, cda in report.cda.items() if _is_fludt(cda)]
    if found:
        return found
    if requirement != REQ_FLUDT:
        raise Blocked(f"{scenario.name}: the DUI sent no FLUDT, nothing to judge", (REQ_FLUDT,))
    expect(
        f"{scenario.name}: the DUI sent no FLUDT",
        [
            Finding(
                "cda.fludt.absent",
                REQ_FLUDT,
                f"asked for a FLUDT, the DUI sent no document with the FLUDT model templateId {FLUDT_TEMPLATE} "
                f"(exchanges {', '.join(e.id for e, _ in pairs)})",
                location="/ClinicalDocument/templateId",
            )
        ],
    )
    return found
