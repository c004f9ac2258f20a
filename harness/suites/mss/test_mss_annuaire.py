"""## Requirements
MSS-ANN-01 (the DUI integrates the Annuaire Santé's public extraction: SC.ANN.01.MS1,
SC.ANN/va1.01), MSS-ANN-02 (it finds a correspondent's MSSanté address there: SC.MSS/CONF.20,
SC.ANN.06, SC.ANN/va1.05, SC.ANN/va1.06).

## Dependencies
The MSSanté operator simulator, which publishes the extraction (``annuaire_url`` of the
``mssante`` endpoint entry: ``/annuaire/extraction-mssante.txt``), and the DUI's trigger API
operations ``importAnnuaire`` and ``searchMssAddress`` (or the operator).

## Methodology
The DUI is asked to integrate the extraction: it must download it (an ``ANNUAIRE`` exchange
answered 200). It is then asked for the address of Marc KINE-ESSAI, RPPS 810000000002, a
physiotherapist the DUI knows only from the extraction, which also lists a homonym (another
RPPS, another address): the first address it answers must be the extraction's address for that
RPPS. Its stale or homonym answers are findings.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from harness.core.findings import Blocked, Finding
from harness.core.recorder import Exchange, Recorder
from harness.plugin.evidence import Scenario
from harness.suites.mss.checks import expect
from harness.sut.driver import SutDriver
from mocks.mssante import MssSimulator
from mocks.mssante.annuaire import extraction_rows

SERVICE = "MSS"
NAME, RPPS = "KINE-ESSAI Marc", "810000000002"


def _served(exchange: Exchange) -> bool:
    """The extraction was sent (HTTP 200)."""
    return exchange.response is not None and "200" in exchange.response.start_line.split()[:2]


@pytest.fixture(scope="session")
def annuaire(sut: SutDriver, recorder: Recorder, operator: MssSimulator) -> Scenario:
    since = recorder.mark()
    imported = sut.mss_import_annuaire()
    downloads = recorder.exchanges(service=SERVICE, transaction="ANNUAIRE", since=since)
    found: list[dict[str, Any]] = sut.mss_search_address(name=NAME, rpps=RPPS)
    source = operator.directory.source
    rows = extraction_rows(Path(source)) if source else []
    expected = [r["Adresse BAL"] for r in rows if r["Identifiant PP"] == RPPS]
    return Scenario(
        "Annuaire Santé : intégration et recherche / integration and search",
        None,
        downloads,
        {"imported": imported, "found": found, "expected": expected},
    )


@pytest.mark.requirement("MSS-ANN-01")
def test_the_dui_integrates_the_public_extraction(annuaire: Scenario) -> None:
    """The DUI downloads the extraction when asked to integrate it."""
    ok = [e for e in annuaire.exchanges if _served(e)]
    findings = (
        []
        if ok
        else [
            Finding(
                "ann.import.none",
                "MSS-ANN-01",
                "asked to integrate the Annuaire Santé "
                f"extraction, the DUI did not download it (answer: {annuaire.data['imported']}; "
                f"{len(annuaire.exchanges)} request(s) to the extraction)",
                location="GET /annuaire/extraction-mssante.txt",
            )
        ]
    )
    expect(f"{annuaire.name}: extraction integrated", findings)


@pytest.mark.requirement("MSS-ANN-02")
def test_the_dui_finds_the_correspondent_address_in_it(annuaire: Scenario) -> None:
    """The first address found for RPPS 810000000002 is the extraction's, not a homonym's or a stale one."""
    if not any(_served(e) for e in annuaire.exchanges):
        raise Blocked(f"{annuaire.name}: the extraction was not integrated", ("MSS-ANN-01",))
    expected = annuaire.data["expected"]
    found = [str(r.get("address", "")).lower() for r in annuaire.data["found"]]
    findings = []
    if not found or found[0] not in expected:
        findings.append(
            Finding(
                "ann.search.address",
                "MSS-ANN-02",
                f"the DUI found {found or 'no address'} for {NAME} (RPPS {RPPS}); the Annuaire Santé gives {expected}",
                location="searchMssAddress",
            )
        )
    expect(f"{annuaire.name}: correspondent's address", findings)
